// The sysfs vendor readers (amdgpu, tt-kmd, KGSL, hwmon) against the fixture trees in
// tests/smi/fixtures (README.md there says what each case is). Every field is checked for its
// value and its source, or for why it is missing.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "readers.hpp"

using namespace hcq::smi;
using Catch::Matchers::Contains;

namespace {

std::string fixture(const std::string& name) { return std::string(HCQ_SMI_FIXTURES) + "/" + name; }

Context context_for(const std::string& name) {
  Context c;
  c.roots.sys = fixture(name) + "/sys";
  c.roots.proc = fixture(name) + "/proc";
  c.roots.locks = fixture(name) + "/locks";  // absent: nobody holds a kmd-free lock
  c.roots.pci_ids = fixture("pci.ids");
  c.use_nvml = false;
  c.use_rm = false;
  return c;
}

// discover()'s PCI part for the sysfs vendors: scan, keep accelerators, read_pci, vendor reader.
std::vector<Record> read_fixture(const std::string& name) {
  Context c = context_for(name);
  std::vector<std::string> problems;
  std::vector<Record> out;
  for (const auto& f : scan_sysfs(c.roots, &problems)) {
    auto vendor = accelerator_vendor(f);
    if (!vendor) continue;
    Record r;
    r.vendor = *vendor;
    r.bdf = f.bdf;
    read_pci(c.roots, f, r);
    if (*vendor == Vendor::amd) read_amdgpu(c, f, r);
    if (*vendor == Vendor::tenstorrent) read_tenstorrent(c, f, r);
    out.push_back(std::move(r));
  }
  CHECK(problems.empty());
  return out;
}

const Record& only(const std::vector<Record>& records) {
  REQUIRE(records.size() == 1);
  return records.front();
}

const Record& by_bdf(const std::vector<Record>& records, const std::string& bdf) {
  auto it = std::find_if(records.begin(), records.end(), [&](const Record& r) { return r.bdf == bdf; });
  INFO(bdf);
  REQUIRE(it != records.end());
  return *it;
}

// Checks a record field by field and remembers which fields it checked, so that a test can
// insist on covering the whole catalogue.
class Expect {
 public:
  explicit Expect(const Record& r) : r_(r) {}

  void integer(F f, int64_t want, const std::string& source) {
    const Value& v = mark(f);
    INFO(describe(f));
    REQUIRE(v.integer());
    CHECK(*v.integer() == want);
    CHECK(v.source == source);
  }
  void number(F f, double want, const std::string& source) {
    const Value& v = mark(f);
    INFO(describe(f));
    REQUIRE(std::holds_alternative<double>(v.data));
    CHECK(std::get<double>(v.data) == want);  // readings are divided once, so exact
    CHECK(v.source == source);
  }
  void text(F f, const std::string& want, const std::string& source) {
    const Value& v = mark(f);
    INFO(describe(f));
    REQUIRE(v.text());
    CHECK(*v.text() == want);
    CHECK(v.source == source);
  }
  void missing(F f, Missing why, const std::string& source, const std::string& detail_part) {
    const Value& v = mark(f);
    INFO(describe(f));
    REQUIRE_FALSE(v.present());
    CHECK(v.why == why);
    CHECK(v.source == source);
    CHECK_THAT(v.detail, Contains(detail_part));
  }
  // No reader touched it (discover() fills these in later).
  void untouched(F f) { missing(f, Missing::not_supported, "-", ""); }

  void all_checked() const {
    for (const auto& fi : fields()) {
      INFO("not checked: " << describe(fi.id));
      CHECK(seen_[static_cast<size_t>(fi.id)]);
    }
  }

 private:
  const Value& mark(F f) {
    seen_[static_cast<size_t>(f)] = true;
    return r_.at(f);
  }
  std::string describe(F f) const {
    const Value& v = r_.at(f);
    return std::string(info(f).key) + " [" + v.source + "] " + (v.present() ? "has a value" : v.missing_message());
  }
  const Record& r_;
  std::vector<bool> seen_ = std::vector<bool>(field_count, false);
};

bool has_note(const Record& r, const std::string& part) {
  for (const auto& n : r.notes) {
    if (n.find(part) != std::string::npos) return true;
  }
  return false;
}

// A scratch sysfs tree for the cases no fixture holds; removed at the end of the test.
struct Scratch {
  std::filesystem::path root;
  Scratch() {
    char tmpl[] = "/tmp/hcq-smi-vendors-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    root = tmpl;
  }
  ~Scratch() { std::filesystem::remove_all(root); }
  std::string path(const std::string& rel) const { return (root / rel).string(); }
  void write(const std::string& rel, const std::string& text) const {
    std::filesystem::create_directories((root / rel).parent_path());
    std::ofstream(root / rel) << text;
  }
};

}  // namespace

TEST_CASE("smi: amdgpu on a Radeon RX 7900 XTX, every field", "[smi]") {
  auto records = read_fixture("amd-7900xtx");
  const Record& r = only(records);
  CHECK(r.bdf == "0000:03:00.0");
  CHECK(r.vendor == Vendor::amd);
  const std::string dev = fixture("amd-7900xtx") + "/sys/bus/pci/devices/0000:03:00.0";
  Expect e(r);

  // Identity: no FRU product_name on this board, so the PCI ID database names it; the KFD's
  // gfx target replaces the chip table's.
  e.text(F::name, "Radeon RX 7900 XT/7900 XTX", "pci.ids");
  e.text(F::vendor, "amd", "sysfs");
  e.integer(F::vendor_id, 0x1002, "sysfs");
  e.integer(F::device_id, 0x744c, "sysfs");
  e.text(F::subsystem_id, "1da2:e471", "sysfs");
  e.integer(F::revision, 0xc8, "sysfs");
  e.text(F::architecture, "gfx1100", "kfd");
  e.text(F::generation, "RDNA3", "chip table");
  e.text(F::driver, "amdgpu", "sysfs");
  e.text(F::driver_version, "6.1.0-18-amd64", "proc");  // in-tree amdgpu: the kernel release
  e.text(F::serial, "8f4c1a2b3d5e6f70", "sysfs");

  e.integer(F::pcie_gen_current, 4, "sysfs");
  e.integer(F::pcie_gen_max, 4, "sysfs");
  e.integer(F::pcie_width_current, 16, "sysfs");
  e.integer(F::pcie_width_max, 16, "sysfs");
  e.text(F::bars, "0:32G 2:256M 4:256(io) 5:1M", "sysfs");
  e.integer(F::numa_node, -1, "sysfs");

  e.integer(F::memory_total_bytes, 25769803776, "sysfs");
  e.integer(F::memory_used_bytes, 1431306240, "sysfs");
  e.number(F::temperature_c, 45.0, "hwmon");  // the "edge" channel, not junction (52)
  e.number(F::temperature_memory_c, 62.0, "hwmon");
  e.number(F::power_draw_w, 287.0, "hwmon");  // power1_average: Navi 31 has no power1_input
  e.number(F::power_limit_w, 339.0, "hwmon");
  e.integer(F::clock_core_mhz, 1840, "hwmon");
  e.integer(F::clock_core_max_mhz, 2526, "sysfs");
  e.integer(F::clock_memory_mhz, 1249, "hwmon");
  e.integer(F::clock_memory_max_mhz, 1249, "sysfs");
  e.integer(F::utilization_pct, 37, "sysfs");
  e.integer(F::utilization_memory_pct, 12, "sysfs");
  e.integer(F::fan_rpm, 1187, "hwmon");
  e.integer(F::fan_pct, 35, "hwmon");  // pwm1 89 of 255
  // Blocks that report 0 (mc, uvd, vce) are not loaded on this ASIC and are left out.
  e.text(F::firmware,
         "vbios 113-D7020100-102, imu 0x0b352300, me 0x000005f4, mec 0x000001f6, pfp 0x000007e8, rlc 0x00000064, "
         "sdma 0x00000014, smc 0x004e5300, sos 0x00210c6e, vcn 0x0711800c",
         "sysfs");
  for (F f : {F::ecc_enabled, F::ecc_errors_corrected, F::ecc_errors_uncorrected}) {
    e.missing(f, Missing::not_supported, "sysfs", "no " + dev + "/ras");
  }
  e.all_checked();
  CHECK(r.notes.empty());
}

TEST_CASE("smi: amdgpu on an MI300X: FRU name, gfx942, RAS counts, junction temperature", "[smi]") {
  auto records = read_fixture("amd-mi300x");
  const Record& r = only(records);
  CHECK(r.bdf == "0000:0c:00.0");
  const std::string hwmon = fixture("amd-mi300x") + "/sys/bus/pci/devices/0000:0c:00.0/hwmon/hwmon5";
  Expect e(r);

  e.text(F::name, "AMD Instinct MI300X OAM", "sysfs");  // the FRU name replaces the chip table's
  e.text(F::vendor, "amd", "sysfs");
  e.integer(F::vendor_id, 0x1002, "sysfs");
  e.integer(F::device_id, 0x74a1, "sysfs");
  e.text(F::subsystem_id, "1002:74a1", "sysfs");
  e.integer(F::revision, 0, "sysfs");
  e.text(F::architecture, "gfx942", "kfd");  // KFD node 2; node 3 is another GPU
  e.text(F::generation, "CDNA3", "chip table");
  e.text(F::driver, "amdgpu", "sysfs");
  e.text(F::driver_version, "6.8.5", "sysfs");    // a DKMS amdgpu's module version wins
  e.text(F::serial, "4c0a6d1e93b7f215", "sysfs");  // unique_id before the FRU serial
  e.integer(F::pcie_gen_current, 5, "sysfs");
  e.integer(F::pcie_gen_max, 5, "sysfs");
  e.integer(F::pcie_width_current, 16, "sysfs");
  e.integer(F::pcie_width_max, 16, "sysfs");
  e.text(F::bars, "0:256G 2:2M 5:512K", "sysfs");
  e.integer(F::numa_node, 0, "sysfs");

  e.integer(F::memory_total_bytes, 206158430208, "sysfs");
  e.integer(F::memory_used_bytes, 293330944, "sysfs");
  // GC 9.4.3 hides temp1 (edge): the die temperature is the junction sensor, said in a note.
  e.number(F::temperature_c, 51.0, "hwmon");
  CHECK(has_note(r, "junction (hotspot) sensor " + hwmon + "/temp2_input"));
  e.number(F::temperature_memory_c, 44.0, "hwmon");
  e.number(F::power_draw_w, 412.0, "hwmon");  // power1_input
  e.number(F::power_limit_w, 750.0, "hwmon");
  e.integer(F::clock_core_mhz, 1423, "hwmon");
  e.integer(F::clock_core_max_mhz, 2100, "sysfs");
  e.integer(F::clock_memory_mhz, 1300, "hwmon");
  e.integer(F::clock_memory_max_mhz, 1300, "sysfs");
  e.integer(F::utilization_pct, 98, "sysfs");
  e.integer(F::utilization_memory_pct, 41, "sysfs");
  e.missing(F::fan_rpm, Missing::not_supported, "hwmon", "no " + hwmon + "/fan1_input");
  e.missing(F::fan_pct, Missing::not_supported, "hwmon", "no " + hwmon + "/pwm1");
  e.text(F::firmware,
         "vbios 113-M3000100-103, mec 0x000000a1, rlc 0x0000000c, sdma 0x00000013, smc 0x0055283e, sos 0x00240091, "
         "ta_ras 0x1b00013e, ta_xgmi 0x20000036, vcn 0x0111000a",
         "sysfs");
  e.integer(F::ecc_enabled, 1, "sysfs");
  e.integer(F::ecc_errors_corrected, 6, "sysfs");    // umc 3 + mmhub 1 + xgmi_wafl 2
  e.integer(F::ecc_errors_uncorrected, 1, "sysfs");  // sdma 1
  e.all_checked();
}

TEST_CASE("smi: amdgpu with broken files, without a driver and under vfio-pci", "[smi]") {
  auto records = read_fixture("amd-broken");
  REQUIRE(records.size() == 3);

  SECTION("amdgpu bound, files damaged") {
    const Record& r = by_bdf(records, "0000:0a:00.0");
    const std::string dev = fixture("amd-broken") + "/sys/bus/pci/devices/0000:0a:00.0";
    Expect e(r);
    e.text(F::name, "Radeon RX 6800/6800 XT / 6900 XT", "pci.ids");
    e.text(F::vendor, "amd", "sysfs");
    e.integer(F::vendor_id, 0x1002, "sysfs");
    e.integer(F::device_id, 0x73bf, "sysfs");
    e.text(F::subsystem_id, "1002:0e3a", "sysfs");
    e.integer(F::revision, 0xc1, "sysfs");
    // Neither the chip table nor a KFD node knows Navi 21 here; the last reason tried shows.
    e.missing(F::architecture, Missing::not_supported, "kfd", "no node for 0000:0a:00.0");
    e.untouched(F::generation);
    e.text(F::driver, "amdgpu", "sysfs");
    e.missing(F::driver_version, Missing::not_supported, "proc", "/proc/sys/kernel/osrelease");
    e.missing(F::serial, Missing::not_supported, "sysfs", "no unique_id or serial_number in " + dev);
    e.integer(F::pcie_gen_current, 4, "sysfs");
    e.integer(F::pcie_gen_max, 4, "sysfs");
    e.integer(F::pcie_width_current, 16, "sysfs");
    e.integer(F::pcie_width_max, 16, "sysfs");
    e.text(F::bars, "0:256M 2:2M 4:256(io) 5:1M", "sysfs");
    e.integer(F::numa_node, -1, "sysfs");
    e.integer(F::memory_total_bytes, 17179869184, "sysfs");
    e.missing(F::memory_used_bytes, Missing::read_error, "sysfs", dev + "/mem_info_vram_used: '4096 MiB'");
    // No hwmon directory at all.
    for (F f : {F::temperature_c, F::temperature_memory_c, F::power_draw_w, F::power_limit_w, F::fan_rpm, F::fan_pct}) {
      e.missing(f, Missing::not_supported, "hwmon", "no hwmon directory under " + dev);
    }
    // pp_dpm_sclk ends mid-line: the current and the highest level are both unknowable.
    e.missing(F::clock_core_mhz, Missing::read_error, "sysfs", dev + "/pp_dpm_sclk: '1: 24'");
    e.missing(F::clock_core_max_mhz, Missing::read_error, "sysfs", dev + "/pp_dpm_sclk: '1: 24'");
    e.integer(F::clock_memory_mhz, 96, "sysfs");  // the '*' level, as there is no hwmon freq2
    e.integer(F::clock_memory_max_mhz, 1000, "sysfs");
    e.integer(F::utilization_pct, 0, "sysfs");
    e.integer(F::utilization_memory_pct, 0, "sysfs");
    // An empty vbios_version is left out of the list and said in a note.
    e.text(F::firmware, "me 0x00000044, pfp 0x00000062", "sysfs");
    CHECK(has_note(r, dev + "/vbios_version is empty"));
    for (F f : {F::ecc_enabled, F::ecc_errors_corrected, F::ecc_errors_uncorrected}) {
      e.missing(f, Missing::not_supported, "sysfs", "no " + dev + "/ras");
    }
    e.all_checked();
  }

  SECTION("no driver bound") {
    const Record& r = by_bdf(records, "0000:0b:00.0");
    Expect e(r);
    e.text(F::driver, "none", "sysfs");
    e.text(F::name, "Radeon RX 7900 XT/7900 XTX", "pci.ids");
    e.text(F::architecture, "gfx1100", "chip table");  // no KFD without amdgpu
    e.integer(F::pcie_gen_current, 1, "sysfs");          // an idle link trained down
    e.integer(F::pcie_gen_max, 4, "sysfs");
    for (F f : {F::serial, F::driver_version, F::memory_total_bytes, F::memory_used_bytes, F::temperature_c,
                F::temperature_memory_c, F::power_draw_w, F::power_limit_w, F::clock_core_mhz, F::clock_core_max_mhz,
                F::clock_memory_mhz, F::clock_memory_max_mhz, F::utilization_pct, F::utilization_memory_pct, F::fan_rpm,
                F::fan_pct, F::firmware, F::ecc_enabled, F::ecc_errors_corrected, F::ecc_errors_uncorrected}) {
      e.missing(f, Missing::no_driver, "sysfs", "no driver bound");
    }
  }

  SECTION("bound to vfio-pci") {
    const Record& r = by_bdf(records, "0000:0d:00.0");
    Expect e(r);
    e.text(F::driver, "vfio-pci", "sysfs");
    e.text(F::name, "Instinct MI210", "pci.ids");
    e.text(F::architecture, "gfx90a", "chip table");
    e.text(F::bars, "0:64G 2:2M 5:512K", "sysfs");
    for (F f : {F::memory_used_bytes, F::power_draw_w, F::utilization_pct, F::ecc_errors_corrected, F::serial}) {
      e.missing(f, Missing::no_driver, "sysfs", "bound to vfio-pci");
    }
  }
}

TEST_CASE("smi: tt-kmd on a Wormhole n150", "[smi]") {
  auto records = read_fixture("tt-wormhole");
  const Record& r = only(records);
  CHECK(r.bdf == "0000:07:00.0");
  CHECK(r.vendor == Vendor::tenstorrent);
  const std::string hwmon = fixture("tt-wormhole") + "/sys/bus/pci/devices/0000:07:00.0/hwmon/hwmon3";
  Expect e(r);

  e.text(F::name, "Wormhole n150", "sysfs");  // chip table architecture + tt_card_type
  e.text(F::vendor, "tenstorrent", "sysfs");
  e.integer(F::vendor_id, 0x1e52, "sysfs");
  e.integer(F::device_id, 0x401e, "sysfs");
  e.text(F::subsystem_id, "1e52:0018", "sysfs");
  e.integer(F::revision, 0, "sysfs");
  e.text(F::architecture, "Wormhole", "chip table");
  e.text(F::generation, "Wormhole B0", "chip table");
  e.text(F::driver, "tenstorrent", "sysfs");
  e.text(F::driver_version, "2.0.0", "sysfs");
  e.text(F::serial, "0100018611912034", "sysfs");
  e.integer(F::pcie_gen_current, 4, "sysfs");
  e.integer(F::pcie_gen_max, 4, "sysfs");
  e.integer(F::pcie_width_current, 16, "sysfs");
  e.integer(F::pcie_width_max, 16, "sysfs");
  e.text(F::bars, "0:512M 2:1M 4:32M", "sysfs");
  e.integer(F::numa_node, 0, "sysfs");

  e.missing(F::memory_total_bytes, Missing::not_supported, "sysfs", "tt-kmd does not report device memory");
  e.missing(F::memory_used_bytes, Missing::not_supported, "sysfs", "tt-kmd does not report device memory");
  e.number(F::temperature_c, 48.312, "hwmon");  // temp1, labelled asic1_temp
  e.missing(F::temperature_memory_c, Missing::not_supported, "hwmon", "no temperature labelled 'mem' in " + hwmon);
  e.number(F::power_draw_w, 23.0, "hwmon");
  e.number(F::power_limit_w, 85.0, "hwmon");  // power1_max: tt-kmd has no power1_cap
  e.integer(F::clock_core_mhz, 1000, "sysfs");
  e.missing(F::clock_core_max_mhz, Missing::not_supported, "sysfs", "AICLK limit");
  e.untouched(F::clock_memory_mhz);
  e.untouched(F::clock_memory_max_mhz);
  e.missing(F::utilization_pct, Missing::not_supported, "sysfs", "tt-kmd has no busy counter");
  e.missing(F::utilization_memory_pct, Missing::not_supported, "sysfs", "tt-kmd has no busy counter");
  e.missing(F::fan_rpm, Missing::not_supported, "hwmon", "no " + hwmon + "/fan1_input");  // no fan sensor on Wormhole
  e.missing(F::fan_pct, Missing::not_supported, "hwmon", "no " + hwmon + "/pwm1");
  e.text(F::firmware, "bundle 80.17.0.0, arc 2.33.0.0, eth 6.14.0, m3app 5.13.0.0, m3bl 0.0.6.0, ttflash 3.2.1.0", "sysfs");
  e.untouched(F::ecc_enabled);
  e.untouched(F::ecc_errors_corrected);
  e.untouched(F::ecc_errors_uncorrected);
  e.all_checked();
}

TEST_CASE("smi: tt-kmd on a Blackhole p150a", "[smi]") {
  auto records = read_fixture("tt-blackhole");
  const Record& r = only(records);
  CHECK(r.bdf == "0000:01:00.0");
  const std::string root = fixture("tt-blackhole");
  const std::string hwmon = root + "/sys/bus/pci/devices/0000:01:00.0/hwmon/hwmon1";
  Expect e(r);

  e.text(F::name, "Blackhole p150a", "sysfs");
  e.text(F::vendor, "tenstorrent", "sysfs");
  e.integer(F::vendor_id, 0x1e52, "sysfs");
  e.integer(F::device_id, 0xb140, "sysfs");
  e.text(F::subsystem_id, "1e52:0040", "sysfs");
  e.integer(F::revision, 0, "sysfs");
  e.text(F::architecture, "Blackhole", "chip table");
  e.text(F::generation, "Blackhole", "chip table");
  e.text(F::driver, "tenstorrent", "sysfs");
  e.missing(F::driver_version, Missing::not_supported, "sysfs", "no " + root + "/sys/module/tenstorrent/version");
  e.text(F::serial, "0000040331524079", "sysfs");
  e.integer(F::pcie_gen_current, 5, "sysfs");
  e.integer(F::pcie_gen_max, 5, "sysfs");
  e.integer(F::pcie_width_current, 16, "sysfs");
  e.integer(F::pcie_width_max, 16, "sysfs");
  e.text(F::bars, "0:512M 2:1M 4:32G", "sysfs");
  e.integer(F::numa_node, 0, "sysfs");

  e.missing(F::memory_total_bytes, Missing::not_supported, "sysfs", "tt-kmd");
  e.missing(F::memory_used_bytes, Missing::not_supported, "sysfs", "tt-kmd");
  e.number(F::temperature_c, 41.25, "hwmon");
  e.missing(F::temperature_memory_c, Missing::not_supported, "hwmon", "'mem'");
  e.number(F::power_draw_w, 55.0, "hwmon");
  e.number(F::power_limit_w, 300.0, "hwmon");
  e.integer(F::clock_core_mhz, 1350, "sysfs");
  e.missing(F::clock_core_max_mhz, Missing::not_supported, "sysfs", "AICLK limit");
  e.untouched(F::clock_memory_mhz);
  e.untouched(F::clock_memory_max_mhz);
  e.missing(F::utilization_pct, Missing::not_supported, "sysfs", "busy counter");
  e.missing(F::utilization_memory_pct, Missing::not_supported, "sysfs", "busy counter");
  e.integer(F::fan_rpm, 2100, "hwmon");  // Blackhole has a fan tachometer, no PWM file
  e.missing(F::fan_pct, Missing::not_supported, "hwmon", "no " + hwmon + "/pwm1");
  // Blackhole firmware publishes no ARC/ETH/M3 bootloader/tt-flash versions.
  e.text(F::firmware, "bundle 18.7.0.0, m3app 0.20.0.0", "sysfs");
  e.untouched(F::ecc_enabled);
  e.untouched(F::ecc_errors_corrected);
  e.untouched(F::ecc_errors_uncorrected);
  e.all_checked();
}

TEST_CASE("smi: KGSL Adreno 740", "[smi]") {
  Context c = context_for("kgsl-a740");
  CHECK(scan_sysfs(c.roots).empty());
  auto k = read_kgsl(c);
  REQUIRE(k);
  const Record& r = *k;
  CHECK(r.vendor == Vendor::qualcomm);
  CHECK(r.bdf.empty());
  CHECK(r.uri.empty());
  CHECK_THAT(r.uri_note, Contains("qcom backend is not built"));
  Expect e(r);

  e.text(F::name, "Adreno 740", "sysfs");
  CHECK(has_note(r, "gpu_model Adreno740v2"));
  e.text(F::vendor, "qualcomm", "sysfs");
  e.text(F::architecture, "a7xx", "sysfs");
  e.text(F::driver, "kgsl", "sysfs");
  e.missing(F::driver_version, Missing::not_supported, "sysfs", "kgsl publishes no version");
  e.integer(F::clock_core_mhz, 220, "sysfs");      // gpuclk 220000000 Hz
  e.integer(F::clock_core_max_mhz, 680, "sysfs");  // freq_table_mhz's top level
  CHECK(has_note(r, "thermal limit: clock capped at 615 MHz"));  // max_gpuclk
  e.integer(F::utilization_pct, 3, "sysfs");                     // "3 %"
  e.number(F::temperature_c, 41.2, "sysfs");                     // millidegrees
  for (F f : {F::vendor_id, F::device_id, F::subsystem_id, F::revision, F::pcie_gen_current, F::pcie_gen_max,
              F::pcie_width_current, F::pcie_width_max, F::bars, F::numa_node}) {
    e.missing(f, Missing::not_supported, "sysfs", "platform device");
  }
  e.missing(F::memory_total_bytes, Missing::not_supported, "sysfs", "the GPU shares system memory");
  e.missing(F::memory_used_bytes, Missing::not_supported, "sysfs", "the GPU shares system memory");
  for (F f : {F::generation, F::serial, F::temperature_memory_c, F::power_draw_w, F::power_limit_w, F::clock_memory_mhz,
              F::clock_memory_max_mhz, F::utilization_memory_pct, F::fan_rpm, F::fan_pct, F::firmware, F::ecc_enabled,
              F::ecc_errors_corrected, F::ecc_errors_uncorrected}) {
    e.missing(f, Missing::not_supported, "sysfs", "kgsl publishes no such attribute");
  }
  e.all_checked();
  CHECK(r.notes.size() == 2);  // gpu_model, thermal cap; reset_count 0 says nothing

  CHECK_FALSE(read_kgsl(context_for("amd-7900xtx")));
}

TEST_CASE("smi: a mixed host lists the GPU and the Tenstorrent card, not the NVMe or audio", "[smi]") {
  Context c = context_for("mixed");
  CHECK(scan_sysfs(c.roots).size() == 4);
  auto records = read_fixture("mixed");
  REQUIRE(records.size() == 2);
  const Record& gpu = records[0];
  const Record& tt = records[1];
  CHECK(gpu.bdf == "0000:03:00.0");
  CHECK(gpu.vendor == Vendor::amd);
  CHECK(tt.bdf == "0000:05:00.0");
  CHECK(tt.vendor == Vendor::tenstorrent);

  Expect g(gpu);
  g.text(F::name, "Radeon RX 7900 XT/7900 XTX", "pci.ids");
  g.text(F::subsystem_id, "1eae:7901", "sysfs");
  g.text(F::architecture, "gfx1100", "kfd");
  g.integer(F::memory_used_bytes, 524288000, "sysfs");
  g.number(F::temperature_c, 38.0, "hwmon");
  g.number(F::power_draw_w, 24.0, "hwmon");
  g.missing(F::power_limit_w, Missing::not_supported, "hwmon", "no power1_cap or power1_max in ");
  g.missing(F::firmware, Missing::not_supported, "sysfs", "no vbios_version or ");

  Expect t(tt);
  t.text(F::name, "Wormhole n300", "sysfs");
  t.text(F::serial, "0100014211903007", "sysfs");
  t.integer(F::clock_core_mhz, 500, "sysfs");
  t.integer(F::pcie_width_current, 8, "sysfs");
  t.integer(F::pcie_width_max, 16, "sysfs");
  t.number(F::temperature_c, 40.5, "hwmon");
  t.text(F::firmware, "bundle 80.17.0.0", "sysfs");

  // The whole pipeline keeps the same two, in BDF order.
  std::vector<std::string> problems;
  auto all = discover(c, &problems);
  REQUIRE(all.size() == 2);
  CHECK(all[0].bdf == "0000:03:00.0");
  CHECK(all[1].bdf == "0000:05:00.0");
}

TEST_CASE("smi: read_hwmon on its own", "[smi]") {
  const std::string devices = "/sys/bus/pci/devices/";

  SECTION("amdgpu with every sensor") {
    Record r;
    read_hwmon(fixture("amd-7900xtx") + devices + "0000:03:00.0", r);
    Expect e(r);
    e.number(F::temperature_c, 45.0, "hwmon");
    e.number(F::temperature_memory_c, 62.0, "hwmon");
    e.number(F::power_draw_w, 287.0, "hwmon");
    e.number(F::power_limit_w, 339.0, "hwmon");
    e.integer(F::fan_rpm, 1187, "hwmon");
    e.integer(F::fan_pct, 35, "hwmon");
    e.untouched(F::clock_core_mhz);  // clocks are amdgpu.cpp's, not hwmon's
  }

  SECTION("garbage, empty files and an out-of-range duty cycle") {
    const std::string dir = fixture("hwmon-odd") + devices + "0000:2a:00.0";
    Record r;
    read_hwmon(dir, r);
    Expect e(r);
    e.missing(F::temperature_c, Missing::read_error, "hwmon", dir + "/hwmon/hwmon0/temp1_input: '-' is not an integer");
    e.number(F::temperature_memory_c, 65.0, "hwmon");
    e.number(F::power_draw_w, 12.5, "hwmon");  // power1_input is empty: power1_average
    e.missing(F::power_limit_w, Missing::not_supported, "hwmon", "no power1_cap or power1_max in " + dir + "/hwmon/hwmon0");
    e.missing(F::fan_rpm, Missing::read_error, "hwmon", dir + "/hwmon/hwmon0/fan1_input: '1500 rpm'");
    e.missing(F::fan_pct, Missing::read_error, "hwmon", dir + "/hwmon/hwmon0/pwm1: '300' is not a duty cycle 0-255");
  }

  SECTION("a device without hwmon") {
    const std::string dir = fixture("kgsl-a740") + "/sys/class/kgsl/kgsl-3d0";
    Record r;
    read_hwmon(dir, r);
    Expect e(r);
    for (F f : {F::temperature_c, F::temperature_memory_c, F::power_draw_w, F::power_limit_w, F::fan_rpm, F::fan_pct}) {
      e.missing(f, Missing::not_supported, "hwmon", "no hwmon directory under " + dir);
    }
  }

  SECTION("a value already present is kept") {
    Record r;
    r.put(F::temperature_c, Value::of(30.0, "rm"));
    read_hwmon(fixture("tt-blackhole") + devices + "0000:01:00.0", r);
    Expect e(r);
    e.number(F::temperature_c, 30.0, "rm");
    e.integer(F::fan_rpm, 2100, "hwmon");
  }
}

TEST_CASE("smi: amdgpu clock tables and RAS counters in odd shapes", "[smi]") {
  Scratch t;
  const std::string bdf = "0000:11:00.0", dev = "sys/bus/pci/devices/" + bdf;
  auto setup = [&](const std::string& sclk, const std::string& umc) {
    t.write(dev + "/vendor", "0x1002\n");
    t.write(dev + "/device", "0x744c\n");
    t.write(dev + "/class", "0x030000\n");
    t.write(dev + "/pp_dpm_sclk", sclk);
    t.write(dev + "/ras/features", "feature mask: 0x2\n");
    t.write(dev + "/ras/umc_err_count", umc);
    std::filesystem::create_directory_symlink("../../../../bus/pci/drivers/amdgpu", t.path(dev + "/driver"));
  };
  Context c;
  c.roots.sys = t.path("sys");
  c.roots.proc = t.path("proc");
  c.roots.locks = t.path("locks");
  c.roots.pci_ids = fixture("pci.ids");
  auto read = [&]() {
    auto functions = scan_sysfs(c.roots);
    REQUIRE(functions.size() == 1);
    Record r;
    r.vendor = Vendor::amd;
    r.bdf = bdf;
    read_pci(c.roots, functions[0], r);
    read_amdgpu(c, functions[0], r);
    return r;
  };

  SECTION("a deep-sleep level and MHz spelled differently") {
    setup("S: 19Mhz *\n0: 500Mhz \n1: 2304MHz \n", "ue: 2\nce: 7\nde: 1\n");
    Record r = read();
    Expect e(r);
    e.integer(F::clock_core_mhz, 19, "sysfs");
    e.integer(F::clock_core_max_mhz, 2304, "sysfs");
    e.integer(F::ecc_enabled, 0, "sysfs");  // RAS on, but not for the memory controller (bit 0)
    e.integer(F::ecc_errors_corrected, 7, "sysfs");
    e.integer(F::ecc_errors_uncorrected, 2, "sysfs");  // "de" (deferred) is not counted
  }

  SECTION("no level marked, and a RAS query refused") {
    setup("0: 500Mhz \n1: 2304Mhz \n", "Query currently inaccessible\n");
    Record r = read();
    Expect e(r);
    e.missing(F::clock_core_mhz, Missing::not_supported, "sysfs", "no level marked '*' in ");
    e.integer(F::clock_core_max_mhz, 2304, "sysfs");
    e.missing(F::ecc_errors_corrected, Missing::read_error, "sysfs", "umc_err_count: 'Query currently inaccessible'");
    e.missing(F::ecc_errors_uncorrected, Missing::read_error, "sysfs", "umc_err_count: 'Query currently inaccessible'");
  }

  SECTION("the SMU's 'unavailable' during a RAS interrupt, an empty mclk table") {
    setup("unavailable\n", "ue: 0\nce: 0\n");
    t.write(dev + "/pp_dpm_mclk", "");
    Record r = read();
    Expect e(r);
    e.missing(F::clock_core_max_mhz, Missing::read_error, "sysfs", "pp_dpm_sclk: 'unavailable' is not a level");
    e.missing(F::clock_memory_max_mhz, Missing::not_supported, "sysfs", "pp_dpm_mclk is empty");
  }
}

TEST_CASE("smi: KGSL model names and odd values", "[smi]") {
  Scratch t;
  const std::string dir = "sys/class/kgsl/kgsl-3d0";
  Context c;
  c.roots.sys = t.path("sys");
  c.roots.proc = t.path("proc");

  SECTION("a socinfo-style name, no thermal zone, a busy value that is not a percentage") {
    t.write(dir + "/gpu_model", "Adreno (TM) 830");
    t.write(dir + "/temp", "0\n");
    t.write(dir + "/gpu_busy_percentage", "busy\n");
    t.write(dir + "/max_gpuclk", "1100000000\n");  // no freq_table_mhz: the thermal level is all there is
    auto r = read_kgsl(c);
    REQUIRE(r);
    Expect e(*r);
    e.text(F::name, "Adreno 830", "sysfs");
    e.text(F::architecture, "a8xx", "sysfs");
    e.missing(F::temperature_c, Missing::not_supported, "sysfs", "temp is 0: no thermal zone answered");
    e.missing(F::utilization_pct, Missing::read_error, "sysfs", "gpu_busy_percentage: 'busy' is not 'N %'");
    e.integer(F::clock_core_max_mhz, 1100, "sysfs");
    e.missing(F::clock_core_mhz, Missing::not_supported, "sysfs", "gpuclk");
  }

  SECTION("a model number that names no generation") {
    t.write(dir + "/gpu_model", "Adreno X1-85\n");
    auto r = read_kgsl(c);
    REQUIRE(r);
    Expect e(*r);
    e.text(F::name, "Adreno X1-85", "sysfs");
    e.missing(F::architecture, Missing::not_supported, "sysfs", "no Adreno model number in gpu_model 'Adreno X1-85'");
  }
}
