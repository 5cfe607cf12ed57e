// The simulated PCI function against a tiny model: a 64 KiB register file (BAR 0) that counts
// its accesses, and 1 MiB of memory (BAR 2). Checks BAR routing, 64-bit accesses, DMA bus ranges,
// interrupts with timeouts, config space and the model registry; PciAddress parsing as well.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "hcq/error.hpp"
#include "kmd-free/pci_regs.hpp"
#include "kmd-free/pci_sim.hpp"

using namespace hcq::kmdfree;
using namespace std::chrono_literals;

namespace {

constexpr int reg_bar = 0;
constexpr int mem_bar = 2;
constexpr uint64_t reg_bytes = 64 * 1024;
constexpr uint64_t mem_bytes = 1024 * 1024;
constexpr uint16_t test_vendor = 0x1234;
constexpr uint16_t test_device = 0x5678;
constexpr uint32_t test_class = 0x030000;  // display controller, VGA

class TestModel : public SimModel {
 public:
  std::vector<uint32_t> regs = std::vector<uint32_t>(reg_bytes / 4);
  std::vector<std::byte> vram = std::vector<std::byte>(mem_bytes);
  SimHost* host = nullptr;
  std::atomic<int> reads{0}, writes{0}, resets{0};

  PciIdentity identity() const override {
    PciIdentity id;
    id.vendor = test_vendor;
    id.device = test_device;
    id.revision = 0xc8;
    id.class_code = test_class;
    id.subsystem_vendor = 0x1eae;
    id.subsystem_device = 0x7901;
    return id;
  }
  std::vector<SimBarSpec> bars() const override {
    return {{reg_bar, reg_bytes, false}, {mem_bar, mem_bytes, true}};
  }
  void attach(SimHost& h) override { host = &h; }
  uint32_t read32(int bar, uint64_t offset) override {
    CHECK(bar == reg_bar);  // CHECK: called below noexcept Bar calls
    ++reads;
    return regs[offset / 4];
  }
  void write32(int bar, uint64_t offset, uint32_t value) override {
    CHECK(bar == reg_bar);  // CHECK: called below noexcept Bar calls
    ++writes;
    regs[offset / 4] = value;
  }
  std::byte* memory(int bar) override { return bar == mem_bar ? vram.data() : nullptr; }
  void reset() override {
    ++resets;
    std::fill(regs.begin(), regs.end(), 0);
  }
};

struct Opened {
  TestModel* model;
  std::unique_ptr<PciDevice> dev;
};

Opened open_test_model() {
  auto model = std::make_unique<TestModel>();
  auto* raw = model.get();
  return {raw, open_sim(std::move(model))};
}

}  // namespace

TEST_CASE("kmdfree: PciAddress parses both forms and rejects the rest", "[kmdfree]") {
  auto a = PciAddress::parse("0000:03:00.0");
  REQUIRE(a);
  CHECK(a->bus == 3);
  CHECK(a->str() == "0000:03:00.0");
  auto b = PciAddress::parse("c1:1f.7");
  REQUIRE(b);
  CHECK(b->domain == 0);
  CHECK(b->bus == 0xc1);
  CHECK(b->device == 0x1f);
  CHECK(b->function == 7);
  CHECK(b->str() == "0000:c1:1f.7");
  CHECK(PciAddress::parse("ffff:ab:10.3")->str() == "ffff:ab:10.3");
  for (const char* bad : {"", "0000:03:00", "0000:03:00.8", "0000:03:20.0", "000:03:00.0", "0000:3:00.0",
                          "0000:03:00.0 ", "0000:03:00.00", "0000-03-00.0", "03:00.x", "0000:+3:00.0", "00000:03:00.0"}) {
    INFO(bad);
    CHECK_FALSE(PciAddress::parse(bad).has_value());
  }
  CHECK(*PciAddress::parse("0000:03:00.0") < *PciAddress::parse("0000:03:00.1"));
}

TEST_CASE("kmdfree sim: addresses are in domain ffff and the identity is in config space", "[kmdfree][sim]") {
  auto first = open_test_model();
  auto second = open_test_model();
  CHECK(first.dev->address().domain == 0xffff);
  CHECK(first.dev->address() != second.dev->address());
  CHECK(first.dev->transport() == "sim");
  auto& dev = *first.dev;
  CHECK(dev.identity().vendor == test_vendor);
  CHECK(dev.config_read(pci_regs::vendor_id, 2) == test_vendor);
  CHECK(dev.config_read(pci_regs::device_id, 2) == test_device);
  CHECK(dev.config_read(pci_regs::vendor_id, 4) == (uint32_t{test_device} << 16 | test_vendor));
  CHECK(dev.config_read(pci_regs::revision_id, 1) == 0xc8);
  CHECK(dev.config_read(0x08, 4) == (test_class << 8 | 0xc8));
  CHECK(dev.config_read(pci_regs::subsystem_id, 2) == 0x7901);
  CHECK(dev.config_read(0x100, 4) == 0);  // no extended capabilities

  dev.set_bus_master(true);
  CHECK(dev.config_read(pci_regs::command, 2) == pci_regs::command_master);
  dev.config_write(pci_regs::command, pci_regs::command_memory | pci_regs::command_master, 2);
  dev.set_bus_master(false);
  CHECK(dev.config_read(pci_regs::command, 2) == pci_regs::command_memory);

  CHECK_THROWS_AS(dev.config_read(0x02, 4), hcq::Error);   // misaligned
  CHECK_THROWS_AS(dev.config_read(0x00, 3), hcq::Error);   // bad width
  CHECK_THROWS_AS(dev.config_read(0x1000, 1), hcq::Error); // past extended space
  try {
    dev.config_write(0x01, 0, 2);
    FAIL("misaligned config write accepted");
  } catch (const hcq::Error& e) {
    CHECK(e.code() == hcq::Errc::invalid_argument);
    CHECK(e.device() == "sim " + dev.address().str());
    CHECK(e.block() == "pci");
  }
}

TEST_CASE("kmdfree sim: register BAR accesses reach the model, memory BARs are direct", "[kmdfree][sim]") {
  auto [model, dev] = open_test_model();
  CHECK(dev->has_bar(reg_bar));
  CHECK(dev->has_bar(mem_bar));
  CHECK_FALSE(dev->has_bar(1));
  CHECK_FALSE(dev->has_bar(-1));
  CHECK_FALSE(dev->has_bar(6));
  CHECK(dev->bar_size(mem_bar) == mem_bytes);
  CHECK(dev->bar_size(4) == 0);
  try {
    dev->bar(4);
    FAIL("BAR 4 opened");
  } catch (const hcq::Error& e) {
    CHECK(e.code() == hcq::Errc::not_found);
  }

  auto& regs = dev->bar(reg_bar);
  CHECK(&regs == &dev->bar(reg_bar));  // mapped once
  CHECK(regs.direct() == nullptr);
  regs.write32(0x100, 0xdeadbeef);
  CHECK(model->regs[0x40] == 0xdeadbeef);
  CHECK(regs.read32(0x100) == 0xdeadbeef);
  CHECK(model->writes == 1);
  CHECK(model->reads == 1);
  // 64-bit: two 32-bit model accesses, low half first.
  regs.write64(0x200, 0x1122334455667788ull);
  CHECK(model->regs[0x80] == 0x55667788u);
  CHECK(model->regs[0x81] == 0x11223344u);
  CHECK(regs.read64(0x200) == 0x1122334455667788ull);
  CHECK(model->writes == 3);
  // Bulk copies through a register BAR, with a partial last dword.
  const uint8_t bytes[6] = {1, 2, 3, 4, 5, 6};
  model->regs[0x101] = 0xaabbccdd;
  regs.write(0x400, bytes, sizeof bytes);
  CHECK(model->regs[0x100] == 0x04030201u);
  CHECK(model->regs[0x101] == 0xaabb0605u);
  uint8_t back[6] = {};
  regs.read(0x400, back, sizeof back);
  CHECK(model->reads == 6);  // 1 + 2 (read64) + 1 (partial dword) + 2 (bulk read)
  CHECK(std::equal(std::begin(bytes), std::end(bytes), back));

  int reads_before = model->reads;
  auto& vram = dev->bar(mem_bar);
  REQUIRE(vram.direct() == model->vram.data());
  vram.write64(mem_bytes - 8, 0x0102030405060708ull);
  uint64_t raw = 0;
  std::memcpy(&raw, model->vram.data() + mem_bytes - 8, 8);
  CHECK(raw == 0x0102030405060708ull);
  CHECK(vram.read32(mem_bytes - 4) == 0x01020304u);
  std::vector<std::byte> blob(4096, std::byte{0x5a});
  vram.write(8192, blob.data(), blob.size());
  CHECK(model->vram[8192 + 4095] == std::byte{0x5a});
  CHECK(model->reads == reads_before);  // the memory BAR never calls the model
}

TEST_CASE("kmdfree sim: dma() resolves only ranges inside one live buffer", "[kmdfree][sim]") {
  auto [model, dev] = open_test_model();
  auto a = dev->alloc_dma(10000, true);
  auto b = dev->alloc_dma(4096, false);
  REQUIRE(a->contiguous());
  CHECK(a->size() == 10000);
  CHECK(a->bus_address(0) % 4096 == 0);
  CHECK(b->bus_address(0) % 4096 == 0);
  CHECK(a->bus_address(100) == a->bus_address(0) + 100);
  CHECK(a->bus_address(0) >= 0x8000'0000'0000ull);
  CHECK(a->cpu()[9999] == std::byte{0});  // zeroed

  SimHost& host = *model->host;
  uint64_t base = a->bus_address(0);
  CHECK(host.dma(base, 10000) == a->cpu());
  CHECK(host.dma(base + 9996, 4) == a->cpu() + 9996);
  CHECK(host.dma(base + 9996, 8) == nullptr);      // straddles the end
  CHECK(host.dma(base + 10000, 1) == nullptr);     // just past it
  CHECK(host.dma(base - 1, 1) == nullptr);         // just before it
  CHECK(host.dma(base + 10, ~uint64_t{0}) == nullptr);  // length that wraps
  CHECK(host.dma(0, 4) == nullptr);
  CHECK(host.dma(b->bus_address(0), 4096) == b->cpu());
  // A range from the end of a into b is not inside one buffer.
  CHECK(host.dma(base + 9000, b->bus_address(0) - base - 9000 + 16) == nullptr);

  uint64_t freed = b->bus_address(0);
  b.reset();
  CHECK(host.dma(freed, 4) == nullptr);
  auto c = dev->alloc_dma(4096, true);
  CHECK(c->bus_address(0) != freed);  // bus addresses are never reused
  CHECK(host.dma(freed, 4) == nullptr);

  CHECK_THROWS_AS(dev->alloc_dma(0, false), hcq::Error);
  try {
    dev->alloc_dma(~uint64_t{0} - 10, true);
    FAIL("an impossible DMA buffer was allocated");
  } catch (const hcq::Error& e) {
    CHECK(e.code() == hcq::Errc::out_of_memory);
    CHECK(e.block() == "dma");
  }
}

TEST_CASE("kmdfree sim: dma() is safe against concurrent allocation and freeing", "[kmdfree][sim]") {
  auto [model, dev] = open_test_model();
  auto keep = dev->alloc_dma(8192, true);
  std::atomic<bool> stop{false};
  std::atomic<int> misses{0};
  std::thread reader([&] {
    while (!stop) {
      if (model->host->dma(keep->bus_address(0), 8192) != keep->cpu()) ++misses;
    }
  });
  for (int i = 0; i < 2000; ++i) dev->alloc_dma(4096 * (1 + i % 4), i % 2 == 0).reset();
  stop = true;
  reader.join();
  CHECK(misses == 0);
}

TEST_CASE("kmdfree sim: interrupts wake waiters and time out", "[kmdfree][sim]") {
  auto [model, dev] = open_test_model();
  REQUIRE(dev->has_interrupts());
  auto t0 = std::chrono::steady_clock::now();
  CHECK_FALSE(dev->wait_interrupt(0, 20ms));
  CHECK(std::chrono::steady_clock::now() - t0 >= 20ms);

  model->host->interrupt(1);
  CHECK_FALSE(dev->wait_interrupt(0, 1ms));  // another vector
  CHECK(dev->wait_interrupt(1, 0ms));
  CHECK_FALSE(dev->wait_interrupt(1, 1ms));  // consumed

  std::thread raiser([&] {
    std::this_thread::sleep_for(10ms);
    model->host->interrupt(3);
  });
  CHECK(dev->wait_interrupt(3, 5s));
  raiser.join();
}

TEST_CASE("kmdfree sim: reset calls the model and clears the command register", "[kmdfree][sim]") {
  auto [model, dev] = open_test_model();
  dev->bar(reg_bar).write32(0, 7);
  dev->set_bus_master(true);
  dev->reset(ResetKind::function);
  CHECK(model->resets == 1);
  CHECK(dev->bar(reg_bar).read32(0) == 0);
  CHECK(dev->config_read(pci_regs::command, 2) == 0);
  CHECK(dev->config_read(pci_regs::vendor_id, 2) == test_vendor);  // identity survives
  dev->reset(ResetKind::bus);
  CHECK(model->resets == 2);
}

TEST_CASE("kmdfree sim: models are registered by name and bad models are refused", "[kmdfree][sim]") {
  register_sim_model({"kmdfree-test", "first", [](const auto&) { return std::unique_ptr<SimModel>(std::make_unique<TestModel>()); }});
  register_sim_model({"kmdfree-test", "second", [](const auto&) { return std::unique_ptr<SimModel>(std::make_unique<TestModel>()); }});
  int found = 0;
  for (const auto& m : sim_models()) {
    if (m.name != "kmdfree-test") continue;
    ++found;
    CHECK(m.description == "second");
    auto dev = open_sim(m.create({}));
    CHECK(dev->identity().device == test_device);
  }
  CHECK(found == 1);
  CHECK_THROWS_AS(register_sim_model({"", "nameless", nullptr}), hcq::Error);
  CHECK_THROWS_AS(open_sim(nullptr), hcq::Error);

  struct TwiceModel : TestModel {
    std::vector<SimBarSpec> bars() const override { return {{0, 4096, false}, {0, 4096, true}}; }
  };
  CHECK_THROWS_AS(open_sim(std::make_unique<TwiceModel>()), hcq::Error);
}
