// VFIO without a VFIO device: the IOVA allocator, and the refusals open_vfio gives before any
// ioctl reaches a device (driver, IOMMU group, container). open_pci's spec parsing.
#include <catch2/catch.hpp>

#include <filesystem>

#include "fake_sysfs.hpp"
#include "hcq/error.hpp"
#include "kmd-free/iova.hpp"
#include "kmd-free/pci_open.hpp"
#include "kmd-free/pci_sim.hpp"

using namespace hcq::kmdfree;

namespace {

constexpr uint64_t page = 4096;
constexpr uint64_t two_mib = 2 * 1024 * 1024;
constexpr uint64_t base = 1ull << 32;

hcq::Error vfio_error(const FakeSysfs& sys, const std::string& vfio_dir) {
  OpenOptions o;
  o.sysfs_root = sys.root();
  o.lock_dir = sys.locks();
  o.vfio_dir = vfio_dir;
  try {
    open_pci("vfio:0000:03:00.0", o);
  } catch (const hcq::Error& e) {
    return e;
  }
  FAIL("open_vfio succeeded without a VFIO device");
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("kmdfree iova: first fit, alignment, merging on free", "[kmdfree]") {
  IovaAllocator iova(base, 64 * two_mib);
  const uint64_t total = 64 * two_mib;
  CHECK(iova.free_bytes() == total);
  auto a = iova.allocate(100, page);
  REQUIRE(a);
  CHECK(*a == base);
  auto b = iova.allocate(two_mib, two_mib);
  REQUIRE(b);
  CHECK(*b == base + two_mib);  // aligned past a's page
  auto c = iova.allocate(page + 1, page);
  REQUIRE(c);
  CHECK(*c == base + page);     // first fit: the gap between a and b
  CHECK(iova.free_bytes() == total - page - two_mib - 2 * page);

  CHECK_FALSE(iova.free(*c + page));  // inside an allocation, not its start
  CHECK_FALSE(iova.allocate(0, page));
  CHECK_FALSE(iova.allocate(page, 3 * page));  // alignment not a power of two
  CHECK_FALSE(iova.allocate(page, 512));       // below a page
  CHECK_FALSE(iova.allocate(total, page));     // larger than what is left
  CHECK_FALSE(iova.allocate(~uint64_t{0}, page));

  CHECK(iova.free(*b));
  CHECK(iova.free(*a));
  CHECK(iova.free(*c));
  CHECK_FALSE(iova.free(*c));  // twice
  CHECK(iova.free_bytes() == total);
  auto whole = iova.allocate(total, page);  // everything merged back into one range
  REQUIRE(whole);
  CHECK(*whole == base);
  CHECK_FALSE(iova.allocate(page, page));

  IovaAllocator broken(base + 1, total);  // misaligned base: nothing to hand out
  CHECK_FALSE(broken.allocate(page, page));
}

TEST_CASE("kmdfree vfio: refusals name the driver, the IOMMU group and the container", "[kmdfree]") {
  FakeSysfs sys;
  FakeFunction f;
  f.driver = "amdgpu";
  sys.add(f);
  auto bound = vfio_error(sys, sys.base() + "/vfio");
  CHECK(bound.code() == hcq::Errc::busy);
  CHECK(bound.device() == "vfio 0000:03:00.0");
  CHECK_THAT(bound.detail(), Catch::Contains("'amdgpu'") && Catch::Contains("driver_override") && Catch::Contains("drivers_probe"));

  FakeSysfs vfio_bound;
  f.driver = "vfio-pci";
  vfio_bound.add(f);
  auto no_group = vfio_error(vfio_bound, vfio_bound.base() + "/vfio");
  CHECK(no_group.code() == hcq::Errc::unsupported);
  CHECK_THAT(no_group.detail(), Catch::Contains("iommu_group") && Catch::Contains("amd_iommu=on"));

  std::filesystem::create_directories(vfio_bound.base() + "/kernel/iommu_groups/7");
  std::filesystem::create_directory_symlink(vfio_bound.base() + "/kernel/iommu_groups/7", vfio_bound.dir(f.bdf) + "/iommu_group");
  auto no_container = vfio_error(vfio_bound, vfio_bound.base() + "/absent");
  CHECK(no_container.code() == hcq::Errc::not_found);
  CHECK_THAT(no_container.detail(), Catch::Contains("modprobe vfio-pci"));

  std::filesystem::create_directories(vfio_bound.base() + "/vfio");
  vfio_bound.write(vfio_bound.base() + "/vfio/vfio", "");  // a regular file: every ioctl fails
  auto not_vfio = vfio_error(vfio_bound, vfio_bound.base() + "/vfio");
  CHECK(not_vfio.code() == hcq::Errc::unsupported);
  CHECK_THAT(not_vfio.detail(), Catch::Contains("is not a VFIO container"));
}

TEST_CASE("kmdfree: open_pci picks the transport from the spec", "[kmdfree]") {
  for (const char* bad : {"", "vfio:", "vfio:03:00", "0000:03:00.0:", "sysfs:0000:03:00.0"}) {
    INFO(bad);
    try {
      open_pci(bad);
      FAIL("accepted");
    } catch (const hcq::Error& e) {
      CHECK(e.code() == hcq::Errc::invalid_argument);
      CHECK_THAT(e.detail(), Catch::Contains("not a PCI address"));
    }
  }
  FakeSysfs sys;
  sys.add(FakeFunction{});
  OpenOptions o;
  o.sysfs_root = sys.root();
  o.lock_dir = sys.locks();
  CHECK(open_pci("03:00.0", o)->transport() == "sysfs");

  struct OptionModel : SimModel {
    std::vector<std::pair<std::string, std::string>> options;
    PciIdentity identity() const override { return {0x1af4, 0x1000, 1, 0x020000, 0, 0}; }
    std::vector<SimBarSpec> bars() const override { return {}; }
    void attach(SimHost&) override {}
    uint32_t read32(int, uint64_t) override { return 0; }
    void write32(int, uint64_t, uint32_t) override {}
    std::byte* memory(int) override { return nullptr; }
    void reset() override {}
  };
  static std::vector<std::pair<std::string, std::string>> seen;
  register_sim_model({"kmdfree-options", "records its options", [](const auto& opts) {
                        seen = opts;
                        return std::unique_ptr<SimModel>(std::make_unique<OptionModel>());
                      }});
  auto dev = open_pci("sim:kmdfree-options,vram=64M,fast");
  CHECK(dev->transport() == "sim");
  CHECK(dev->identity().vendor == 0x1af4);
  REQUIRE(seen.size() == 2);
  CHECK(seen[0] == std::pair<std::string, std::string>{"vram", "64M"});
  CHECK(seen[1] == std::pair<std::string, std::string>{"fast", ""});
  CHECK_THROWS_AS(open_pci("sim:kmdfree-options,=x"), hcq::Error);
  try {
    open_pci("sim:no-such-model");
    FAIL("opened a model nobody registered");
  } catch (const hcq::Error& e) {
    CHECK(e.code() == hcq::Errc::not_found);
    CHECK_THAT(e.detail(), Catch::Contains("kmdfree-options"));
  }
}
