// The sysfs transport and enumeration against fake sysfs trees (fake_sysfs.hpp); DMA host memory
// against a fake pagemap file. No hardware and no root needed.
#include <catch2/catch.hpp>

#include <sys/mman.h>

#include <cstring>
#include <fstream>

#include "fake_sysfs.hpp"
#include "hcq/error.hpp"
#include "kmd-free/dma_host.hpp"
#include "kmd-free/pci_open.hpp"
#include "kmd-free/pci_regs.hpp"

using namespace hcq::kmdfree;

namespace {

constexpr uint64_t kib = 1024;

FakeFunction gpu() {
  FakeFunction f;
  f.bars = {{0, 256 * kib, true, true}, {2, 16 * kib}, {4, 256, false}, {5, 64 * kib}};
  return f;
}

OpenOptions options_for(const FakeSysfs& sys) {
  OpenOptions o;
  o.sysfs_root = sys.root();
  o.lock_dir = sys.locks();
  return o;
}

hcq::Error open_error(const PciAddress& a, const OpenOptions& o) {
  try {
    open_sysfs(a, o);
  } catch (const hcq::Error& e) {
    return e;
  }
  FAIL("open_sysfs succeeded");
  throw std::logic_error("unreachable");
}

const PciAddress gpu_address = *PciAddress::parse("0000:03:00.0");

}  // namespace

TEST_CASE("kmdfree sysfs: identity, BAR sizes and enable come from the tree", "[kmdfree]") {
  FakeSysfs sys;
  sys.add(gpu());
  auto dev = open_sysfs(gpu_address, options_for(sys));
  CHECK(dev->transport() == "sysfs");
  CHECK(dev->address() == gpu_address);
  const auto& id = dev->identity();
  CHECK(id.vendor == 0x1002);
  CHECK(id.device == 0x744c);
  CHECK(id.class_code == 0x030000);
  CHECK(id.revision == 0xc8);
  CHECK(id.subsystem_vendor == 0x1da2);
  CHECK(id.subsystem_device == 0xe471);
  CHECK(dev->bar_size(0) == 256 * kib);
  CHECK(dev->bar_size(2) == 16 * kib);
  CHECK(dev->bar_size(5) == 64 * kib);
  CHECK(dev->bar_size(1) == 0);
  CHECK_FALSE(dev->has_bar(4));  // an I/O BAR is not a memory BAR
  CHECK(dev->bar_size(4) == 0);
  CHECK_FALSE(dev->has_bar(6));
  CHECK(sys.read(sys.dir("0000:03:00.0") + "/enable") == "1");
  CHECK_FALSE(dev->has_interrupts());
  CHECK_THROWS_AS(dev->wait_interrupt(0, std::chrono::milliseconds(1)), hcq::Error);
}

TEST_CASE("kmdfree sysfs: config reads and writes land in the config file", "[kmdfree]") {
  FakeSysfs sys;
  sys.add(gpu());
  auto dev = open_sysfs(gpu_address, options_for(sys));
  CHECK(dev->config_read(pci_regs::vendor_id, 4) == 0x744c1002u);
  CHECK(dev->config_read(pci_regs::class_prog + 2, 1) == 0x03);
  dev->set_bus_master(true);
  dev->config_write(0x40, 0xa5a5f00d, 4);
  std::string config = sys.read(sys.dir("0000:03:00.0") + "/config");
  REQUIRE(config.size() == pci_regs::legacy_size);
  CHECK(static_cast<uint8_t>(config[pci_regs::command]) == pci_regs::command_master);
  CHECK(static_cast<uint8_t>(config[0x40]) == 0x0d);
  CHECK(static_cast<uint8_t>(config[0x43]) == 0xa5);
  CHECK(dev->config_read(0x42, 2) == 0xa5a5);
  // The file is 256 bytes: extended space is out of reach, and said so.
  try {
    dev->config_read(0x100, 4);
    FAIL("read past the config file");
  } catch (const hcq::Error& e) {
    CHECK(e.code() == hcq::Errc::invalid_argument);
    CHECK(e.device() == "sysfs 0000:03:00.0");
  }
}

TEST_CASE("kmdfree sysfs: BARs map resourceN, write-combined where asked and offered", "[kmdfree]") {
  FakeSysfs sys;
  sys.add(gpu());
  std::string d = sys.dir("0000:03:00.0");
  {
    std::fstream(d + "/resource0", std::ios::in | std::ios::out | std::ios::binary).write("UC!!", 4);
    std::fstream(d + "/resource0_wc", std::ios::in | std::ios::out | std::ios::binary).write("WC!!", 4);
  }
  auto o = options_for(sys);
  o.write_combining_bars = (1u << 0) | (1u << 5);  // BAR 5 has no _wc file: mapped plainly
  auto dev = open_sysfs(gpu_address, o);
  auto& vram = dev->bar(0);
  CHECK(&vram == &dev->bar(0));
  char head[4];
  vram.read(0, head, 4);
  CHECK(std::string(head, 4) == "WC!!");
  REQUIRE(vram.direct() != nullptr);
  auto& regs = dev->bar(5);
  regs.write32(0x10, 0x11223344);
  regs.write64(64 * kib - 8, 0x0102030405060708ull);
  CHECK(regs.read64(0x10) == 0x11223344u);
  regs.write(0x100, "hello", 5);
  dev.reset();  // unmap and release before reading the file
  std::string bar5 = sys.read(d + "/resource5");
  REQUIRE(bar5.size() == 64 * kib);
  CHECK(bar5.substr(0x100, 5) == "hello");
  CHECK(static_cast<uint8_t>(bar5[0x10]) == 0x44);
  CHECK(static_cast<uint8_t>(bar5[64 * kib - 1]) == 0x01);

  auto again = open_sysfs(gpu_address, options_for(sys));
  char plain[4];
  again->bar(0).read(0, plain, 4);
  CHECK(std::string(plain, 4) == "UC!!");
  CHECK_THROWS_AS(again->bar(4), hcq::Error);
  CHECK_THROWS_AS(again->bar(1), hcq::Error);
}

TEST_CASE("kmdfree sysfs: a bound kernel driver is refused, named, and unbound only when asked", "[kmdfree]") {
  FakeSysfs sys;
  auto f = gpu();
  f.driver = "amdgpu";
  sys.add(f);
  auto e = open_error(gpu_address, options_for(sys));
  CHECK(e.code() == hcq::Errc::busy);
  CHECK(e.device() == "sysfs 0000:03:00.0");
  CHECK(e.block() == "pci");
  CHECK_THAT(e.detail(), Catch::Contains("'amdgpu'") && Catch::Contains("echo 0000:03:00.0 >") &&
                             Catch::Contains("driver/unbind"));
  std::string unbind = sys.base() + "/drivers/amdgpu/unbind";
  CHECK(sys.read(unbind).empty());

  // With unbind_driver the BDF is written to driver/unbind; this fake driver ignores it, and
  // that is reported rather than going on with a driver still bound.
  auto o = options_for(sys);
  o.unbind_driver = true;
  auto still = open_error(gpu_address, o);
  CHECK(sys.read(unbind) == "0000:03:00.0");
  CHECK(still.code() == hcq::Errc::busy);
  CHECK_THAT(still.detail(), Catch::Contains("still bound to 'amdgpu'"));
}

TEST_CASE("kmdfree sysfs: the device lock is held while open", "[kmdfree]") {
  FakeSysfs sys;
  sys.add(gpu());
  auto o = options_for(sys);
  {
    auto first = open_sysfs(gpu_address, o);
    auto e = open_error(gpu_address, o);
    CHECK(e.code() == hcq::Errc::busy);
    CHECK_THAT(e.what(), Catch::Contains("in use by pid"));
    CHECK(lock_holder("/proc", lock_path(o.lock_dir, "0000:03:00.0")) == ::getpid());
  }
  CHECK_NOTHROW(open_sysfs(gpu_address, o));  // released with the device
}

TEST_CASE("kmdfree sysfs: missing functions and broken trees give clear errors", "[kmdfree]") {
  FakeSysfs sys;
  auto missing = open_error(*PciAddress::parse("0000:09:00.0"), options_for(sys));
  CHECK(missing.code() == hcq::Errc::not_found);
  auto f = gpu();
  f.bdf = "0000:0a:00.0";
  sys.add(f);
  sys.write(sys.dir(f.bdf) + "/resource", "0x1000 0x0fff 0x200\n");  // truncated and end < start
  auto broken = open_error(*PciAddress::parse(f.bdf), options_for(sys));
  CHECK(broken.code() == hcq::Errc::io);
  CHECK_THAT(broken.detail(), Catch::Contains("resource"));
  sys.write(sys.dir(f.bdf) + "/vendor", "nonsense\n");
  CHECK(open_error(*PciAddress::parse(f.bdf), options_for(sys)).code() == hcq::Errc::io);
}

TEST_CASE("kmdfree sysfs: function reset writes `reset`, bus reset goes through reset_method", "[kmdfree]") {
  FakeSysfs sys;
  auto f = gpu();
  f.reset_method = "flr bus";
  sys.add(f);
  std::string d = sys.dir(f.bdf);
  {
    auto dev = open_sysfs(gpu_address, options_for(sys));
    dev->reset(ResetKind::function);
    CHECK(sys.read(d + "/reset") == "1");
    sys.write(d + "/reset", "");
    dev->reset(ResetKind::bus);
    CHECK(sys.read(d + "/reset") == "1");
    CHECK(sys.read(d + "/reset_method") == "flr bus");  // the kernel's list is put back
  }
  FakeSysfs bare;
  auto g = gpu();
  g.reset_file = false;
  bare.add(g);
  auto dev = open_sysfs(gpu_address, options_for(bare));
  for (auto kind : {ResetKind::function, ResetKind::bus}) {
    try {
      dev->reset(kind);
      FAIL("reset without kernel support");
    } catch (const hcq::Error& e) {
      CHECK(e.code() == hcq::Errc::unsupported);
    }
  }
}

TEST_CASE("kmdfree: enumerate_pci lists matching functions from sysfs, sorted", "[kmdfree]") {
  FakeSysfs sys;
  auto a = gpu();
  a.bdf = "0000:c3:00.0";
  a.driver = "amdgpu";
  sys.add(a);
  auto b = gpu();
  b.bdf = "0000:03:00.0";
  sys.add(b);
  FakeFunction audio;
  audio.bdf = "0000:03:00.1";
  audio.class_code = 0x040300;
  sys.add(audio);
  FakeFunction nv;
  nv.bdf = "0001:01:00.0";
  nv.vendor = 0x10de;
  nv.class_code = 0x030200;
  sys.add(nv);
  std::filesystem::create_directories(sys.root() + "/not-a-bdf");

  auto all = enumerate_pci({}, sys.root());
  REQUIRE(all.size() == 4);
  CHECK(all[0].address.str() == "0000:03:00.0");
  CHECK(all[1].address.str() == "0000:03:00.1");
  CHECK(all[2].address.str() == "0000:c3:00.0");
  CHECK(all[2].driver == "amdgpu");
  CHECK(all[0].driver.empty());

  PciMatch displays;
  displays.class_code = 0x030000;
  displays.class_mask = 0xff0000;
  CHECK(enumerate_pci(displays, sys.root()).size() == 3);
  displays.vendor = 0x1002;
  auto amd = enumerate_pci(displays, sys.root());
  REQUIRE(amd.size() == 2);
  CHECK(amd[1].identity.device == 0x744c);
  PciMatch exact;
  exact.class_code = 0x030200;
  CHECK(enumerate_pci(exact, sys.root()).size() == 1);
  CHECK(enumerate_pci({}, sys.root() + "/absent").empty());
}

TEST_CASE("kmdfree dma: bus addresses come from pagemap, PFN 0 means not root", "[kmdfree]") {
  FakeSysfs sys;
  std::string pagemap = sys.base() + "/pagemap";
  // A sparse file with entries at the offsets of a mapping this test owns.
  HostPages probe(3 * dma_page_size, false, "test");
  const uint64_t pfns[3] = {0x100, 0x2345, 0x77};
  auto fill = [&](const std::byte* addr, const uint64_t* entries, int count) {
    std::ofstream out(pagemap, std::ios::binary | std::ios::in | std::ios::out);
    if (!out) out.open(pagemap, std::ios::binary | std::ios::out);
    out.seekp(static_cast<std::streamoff>(reinterpret_cast<uintptr_t>(addr) / dma_page_size * 8));
    for (int i = 0; i < count; ++i) {
      uint64_t e = entries[i];
      out.write(reinterpret_cast<const char*>(&e), 8);
    }
  };
  const uint64_t present = 1ull << 63;
  uint64_t entries[3] = {present | pfns[0], present | pfns[1], present | pfns[2]};
  fill(probe.data(), entries, 3);
  auto phys = physical_pages(pagemap, probe.data(), 3 * dma_page_size, "test");
  REQUIRE(phys.size() == 3);
  CHECK(phys[1] == 0x2345000);

  uint64_t hidden[3] = {present, present, present};  // what a non-root process reads
  fill(probe.data(), hidden, 3);
  try {
    physical_pages(pagemap, probe.data(), 3 * dma_page_size, "sysfs 0000:03:00.0");
    FAIL("PFN 0 accepted");
  } catch (const hcq::Error& e) {
    CHECK(e.code() == hcq::Errc::unsupported);
    CHECK(e.block() == "dma");
    CHECK_THAT(e.detail(), Catch::Contains("root"));
  }
  uint64_t absent[1] = {pfns[0]};  // present bit clear
  fill(probe.data(), absent, 1);
  CHECK_THROWS_AS(physical_pages(pagemap, probe.data(), dma_page_size, "test"), hcq::Error);
  CHECK_THROWS_AS(physical_pages(sys.base() + "/no-pagemap", probe.data(), dma_page_size, "test"), hcq::Error);

  try {
    alloc_physical_dma(4 * dma_hugepage_size, true, "sysfs 0000:03:00.0", pagemap);
    FAIL("a contiguous buffer beyond one hugepage was accepted");
  } catch (const hcq::Error& e) {
    CHECK(e.code() == hcq::Errc::unsupported);
    CHECK_THAT(e.detail(), Catch::Contains("2 MiB hugepage"));
  }
  CHECK_THROWS_AS(alloc_physical_dma(0, false, "test", pagemap), hcq::Error);
}

TEST_CASE("kmdfree dma: locked host pages with this process's real pagemap", "[kmdfree]") {
  // Root sees physical addresses; anyone else gets the refusal that says so. Both are checked.
  std::unique_ptr<DmaBuffer> buf;
  try {
    buf = alloc_physical_dma(3 * dma_page_size, false, "sysfs 0000:03:00.0");
  } catch (const hcq::Error& e) {
    CHECK(e.code() == hcq::Errc::unsupported);
    CHECK_THAT(e.detail(), Catch::Contains("needs root"));
    return;
  }
  CHECK_FALSE(buf->contiguous());
  CHECK(buf->size() == 3 * dma_page_size);
  for (uint64_t page = 0; page < 3; ++page) {
    uint64_t bus = buf->bus_address(page * dma_page_size);
    CHECK(bus != 0);
    CHECK(bus % dma_page_size == 0);
    CHECK(buf->bus_address(page * dma_page_size + 123) == bus + 123);
  }
  CHECK(buf->cpu()[3 * dma_page_size - 1] == std::byte{0});
  auto one = alloc_physical_dma(dma_page_size, true, "test");  // a single page is contiguous
  CHECK(one->contiguous());
  CHECK(one->bus_address(100) == one->bus_address(0) + 100);
  // More than a page contiguous needs a reserved hugepage; without one the message says how.
  try {
    auto huge = alloc_physical_dma(2 * dma_page_size, true, "test");
    CHECK(huge->bus_address(dma_page_size) == huge->bus_address(0) + dma_page_size);
  } catch (const hcq::Error& e) {
    CHECK(e.code() == hcq::Errc::out_of_memory);
    CHECK_THAT(e.detail(), Catch::Contains("nr_hugepages"));
  }
}
