// hcq-smi's core without hardware: the field model, sysfs reading and its failure reasons, PCI
// discovery (sysfs trees built here, and libpciaccess against this machine's own bus), names,
// the process scan, the kmd-free lock, NVML through a fake library, the RM decoders, the output
// formats and the command line's exit codes.
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include <fmt/format.h>

#include "device_lock.hpp"
#include "hcq/error.hpp"
#include "iface/telemetry.hpp"
#include "nvml.hpp"
#include "output.hpp"
#include "readers.hpp"

namespace fs = std::filesystem;
using namespace hcq::smi;

namespace {

// A throwaway root: sys/, proc/ and whatever a test writes.
struct Tree {
  fs::path root;
  Tree() {
    std::string t = (fs::temp_directory_path() / "hcq-smi-XXXXXX").string();
    REQUIRE(::mkdtemp(t.data()) != nullptr);
    root = t;
  }
  ~Tree() {
    std::error_code ec;
    fs::remove_all(root, ec);
  }
  void write(const std::string& rel, const std::string& text) const {
    fs::path p = root / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
  }
  void link(const std::string& rel, const std::string& target) const {
    fs::path p = root / rel;
    fs::create_directories(p.parent_path());
    fs::create_symlink(target, p);
  }
  std::string path(const std::string& rel = "") const { return (root / rel).string(); }
  Context context() const {
    Context c;
    c.roots.sys = path("sys");
    c.roots.proc = path("proc");
    c.roots.locks = path("locks");
    c.roots.pci_ids = path("pci.ids");
    return c;
  }
};

// A PCI function in a sysfs tree, as the kernel prints its attributes.
void add_function(const Tree& t, const std::string& bdf, const char* vendor, const char* device, const char* cls,
                  const std::string& driver = "") {
  std::string d = "sys/bus/pci/devices/" + bdf + "/";
  t.write(d + "vendor", fmt::format("{}\n", vendor));
  t.write(d + "device", fmt::format("{}\n", device));
  t.write(d + "class", fmt::format("{}\n", cls));
  t.write(d + "subsystem_vendor", "0x10de\n");
  t.write(d + "subsystem_device", "0x16c1\n");
  t.write(d + "revision", "0xa1\n");
  t.write(d + "resource",
          "0x00000000e2000000 0x00000000e2ffffff 0x0000000000040200\n"
          "0x0000002000000000 0x0000003fffffffff 0x000000000014220c\n"
          "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
          "0x0000004000000000 0x0000004001ffffff 0x000000000014220c\n"
          "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
          "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
          "0x0000000000000000 0x0000000000000000 0x0000000000000000\n");
  t.write(d + "current_link_speed", "32.0 GT/s PCIe\n");
  t.write(d + "max_link_speed", "32.0 GT/s PCIe\n");
  t.write(d + "current_link_width", "16\n");
  t.write(d + "max_link_width", "16\n");
  t.write(d + "numa_node", "-1\n");
  if (!driver.empty()) t.link(d + "driver", "../../../bus/pci/drivers/" + driver);
}

constexpr const char* pci_ids_text =
    "# test database\n"
    "10de  NVIDIA Corporation\n"
    "\t2330  GH100[H100 SXM5 80GB]\n"
    "\t\t10de 16c1  H100 SXM5 80GB\n"
    "\t2331  GH100 [H100 PCIe]\n"
    "1e52  Tenstorrent Inc\n"
    "C 00  Unclassified device\n";

struct Run {
  int status;
  std::string out;
};
Run run_smi(const std::string& args) {
  std::string cmd = fmt::format("{} {} 2>&1", HCQ_SMI_EXE, args);
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof(buf), p)) out.append(buf, n);
  int st = ::pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

}  // namespace

TEST_CASE("smi: the field catalogue has unique keys with units", "[smi]") {
  std::set<std::string_view> keys;
  for (const auto& f : fields()) {
    CHECK(keys.insert(f.key).second);
    CHECK(field_by_key(f.key) == f.id);
    CHECK_FALSE(f.help.empty());
  }
  CHECK(field_by_key("temperature_c") == F::temperature_c);
  CHECK_FALSE(field_by_key("temperature").has_value());
}

TEST_CASE("smi: the first source that answers keeps the field", "[smi]") {
  Record r;
  r.put(F::temperature_c, Value::none(Missing::needs_root, "hwmon", "temp1_input"));
  CHECK(r.at(F::temperature_c).why == Missing::needs_root);
  r.put(F::temperature_c, Value::of(41.0, "rm"));
  r.put(F::temperature_c, Value::of(99.0, "nvml"));
  CHECK(r.at(F::temperature_c).number() == 41.0);
  CHECK(r.at(F::temperature_c).source == "rm");
  r.put(F::power_draw_w, Value::of(std::nan(""), "hwmon"));
  CHECK(r.at(F::power_draw_w).why == Missing::read_error);
  CHECK(Value::none(Missing::needs_root, "x", "f").missing_message() == "n/a: needs root (f)");
}

TEST_CASE("smi: attribute reads say why they failed", "[smi]") {
  Tree t;
  t.write("good", "42\n");
  t.write("hex", "0x1e52\n");
  t.write("junk", "forty-two\n");
  t.write("empty", "");
  fs::create_directories(t.root / "dir");
  CHECK(int_attr(t.path("good"), "sysfs").integer() == 42);
  CHECK(parse_int("0x1e52", 0) == 0x1e52);
  CHECK(parse_int("-1") == -1);
  CHECK_FALSE(parse_int("12abc").has_value());
  CHECK_FALSE(parse_int("").has_value());
  Value junk = int_attr(t.path("junk"), "sysfs");
  CHECK(junk.why == Missing::read_error);
  CHECK_THAT(junk.detail, Catch::Contains("junk") && Catch::Contains("forty-two"));
  Value gone = int_attr(t.path("absent"), "hwmon");
  CHECK(gone.why == Missing::not_supported);
  CHECK(gone.source == "hwmon");
  CHECK(int_attr(t.path("dir"), "sysfs").why == Missing::read_error);  // EISDIR
  CHECK(text_attr(t.path("empty"), "sysfs").why == Missing::not_supported);
  CHECK(scaled_attr(t.path("good"), "hwmon", 0.001).number() == Approx(0.042));
  if (::geteuid() != 0) {  // root reads anything, so the refusal only shows for a user
    t.write("secret", "1\n");
    ::chmod(t.path("secret").c_str(), 0);
    CHECK(int_attr(t.path("secret"), "sysfs").why == Missing::needs_root);
  }
}

TEST_CASE("smi: PCI link speeds map to generations", "[smi]") {
  CHECK(pcie_gen_from_speed("2.5 GT/s PCIe") == 1);
  CHECK(pcie_gen_from_speed("8.0 GT/s PCIe") == 3);
  CHECK(pcie_gen_from_speed("32.0 GT/s PCIe") == 5);
  CHECK(pcie_gen_from_speed("64.0 GT/s PCIe") == 6);
  CHECK_FALSE(pcie_gen_from_speed("Unknown").has_value());
  CHECK_FALSE(pcie_gen_from_speed("").has_value());
}

TEST_CASE("smi: names from pci.ids and the chip table", "[smi]") {
  Tree t;
  t.write("pci.ids", pci_ids_text);
  auto n = lookup_pci_ids(t.path("pci.ids"), 0x10de, 0x2330, 0x10de, 0x16c1);
  CHECK(n.vendor == "NVIDIA Corporation");
  CHECK(n.device == "GH100[H100 SXM5 80GB]");
  CHECK(n.subsystem == "H100 SXM5 80GB");
  CHECK_FALSE(lookup_pci_ids(t.path("pci.ids"), 0x10de, 0x9999, 0, 0).device.has_value());
  std::string problem;
  CHECK_FALSE(lookup_pci_ids(t.path("none"), 0x10de, 0x2330, 0, 0, &problem).vendor.has_value());
  CHECK_THAT(problem, Catch::Contains("cannot read"));

  auto h100 = chip_info(0x10de, 0x2330, "GH100[H100 SXM5 80GB]");
  REQUIRE(h100);
  CHECK(h100->architecture == "Hopper");
  CHECK(h100->generation == "GH100");
  auto rtx5090 = chip_info(0x10de, 0x2b85, "");  // absent from Debian 12's pci.ids
  REQUIRE(rtx5090);
  CHECK(rtx5090->architecture == "Blackwell");
  auto xtx = chip_info(0x1002, 0x744c, "");
  REQUIRE(xtx);
  CHECK(xtx->architecture == "gfx1100");
  auto wh = chip_info(0x1e52, 0x401e, "");
  REQUIRE(wh);
  CHECK(wh->architecture == "Wormhole");
  CHECK_FALSE(chip_info(0x8086, 0x1234, "").has_value());
}

TEST_CASE("smi: sysfs discovery keeps accelerators and reads the bus facts", "[smi]") {
  Tree t;
  t.write("pci.ids", pci_ids_text);
  add_function(t, "0000:01:00.0", "0x10de", "0x2330", "0x030200", "nvidia");
  add_function(t, "0000:01:00.1", "0x10de", "0x22ba", "0x040300");  // an HDMI audio function
  add_function(t, "0000:02:00.0", "0x144d", "0xa808", "0x010802", "nvme");
  t.write("sys/bus/pci/devices/0000:03:00.0/vendor", "garbage\n");  // unreadable ids: skipped, said

  std::vector<std::string> problems;
  auto all = scan_sysfs(t.context().roots, &problems);
  REQUIRE(all.size() == 3);
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems[0], Catch::Contains("0000:03:00.0"));
  CHECK(accelerator_vendor(all[0]) == Vendor::nvidia);
  CHECK_FALSE(accelerator_vendor(all[1]).has_value());
  CHECK_FALSE(accelerator_vendor(all[2]).has_value());
  REQUIRE(all[0].bars.size() == 3);
  CHECK(all[0].bars[1].size == (128ull << 30));
  CHECK(all[0].bars[1].prefetchable);
  CHECK(all[0].bars[1].is64);
  CHECK(bars_text(all[0].bars) == "0:16M 1:128G 3:32M");

  Context ctx = t.context();
  auto records = discover(ctx, &problems);
  REQUIRE(records.size() == 1);
  const Record& r = records[0];
  CHECK(r.bdf == "0000:01:00.0");
  CHECK(*r.at(F::name).text() == "H100 SXM5 80GB");
  CHECK(r.at(F::name).source == "pci.ids");
  CHECK(*r.at(F::architecture).text() == "Hopper");
  CHECK(r.at(F::device_id).integer() == 0x2330);
  CHECK(*r.at(F::subsystem_id).text() == "10de:16c1");
  CHECK(r.at(F::pcie_gen_current).integer() == 5);
  CHECK(r.at(F::pcie_width_max).integer() == 16);
  CHECK(r.at(F::numa_node).integer() == -1);
  CHECK(*r.at(F::driver).text() == "nvidia");
  // A fixture has no RM or NVML: those fields say so instead of going blank.
  CHECK(r.at(F::power_draw_w).why == Missing::not_supported);
  CHECK_THAT(r.at(F::power_draw_w).detail, Catch::Contains("fixture"));
  CHECK(r.at(F::fan_rpm).source == "-");
  CHECK_THAT(r.at(F::fan_rpm).detail, Catch::Contains("nvidia"));
}

TEST_CASE("smi: libpciaccess and sysfs agree on this machine's bus", "[smi]") {
  std::vector<PciFunction> lib;
  try {
    lib = scan_pciaccess();
  } catch (const hcq::Error& e) {
    // A machine without a PCI bus (some containers): sysfs must then be empty too.
    INFO(e.what());
    CHECK(scan_sysfs(Roots{}).empty());
    return;
  }
  auto sys = scan_sysfs(Roots{});
  REQUIRE(lib.size() == sys.size());
  for (size_t i = 0; i < lib.size(); ++i) {
    INFO(lib[i].bdf);
    CHECK(lib[i].bdf == sys[i].bdf);
    CHECK(lib[i].vendor_id == sys[i].vendor_id);
    CHECK(lib[i].device_id == sys[i].device_id);
    CHECK(lib[i].class_code == sys[i].class_code);
    CHECK(bars_text(lib[i].bars) == bars_text(sys[i].bars));
  }
}

TEST_CASE("smi: processes holding a device come from /proc fds and kmd-free locks", "[smi]") {
  Tree t;
  t.write("pci.ids", pci_ids_text);
  add_function(t, "0000:01:00.0", "0x10de", "0x2330", "0x030200", "nvidia");
  add_function(t, "0000:04:00.0", "0x10de", "0x2331", "0x030200");  // no driver: kmd-free candidate
  t.write("proc/driver/nvidia/gpus/0000:01:00.0/information", "Model: \t\t H100\nDevice Minor: \t 0\nBus Location: \t 0000:01:00.0\n");
  t.write("proc/4242/comm", "trainer\n");
  t.write("proc/4242/status", "Name:\ttrainer\nUid:\t0\t0\t0\t0\n");
  t.link("proc/4242/fd/3", "/dev/nvidiactl");
  t.link("proc/4242/fd/4", "/dev/nvidia0");
  t.link("proc/4242/fd/5", "/dev/nvidia0");
  t.write("proc/77/comm", "bash\n");
  t.link("proc/77/fd/0", "/dev/pts/0");
  // The kmd-free lock on 0000:04:00.0, held by pid 555 in the fixture's /proc/locks.
  t.write("locks/0000:04:00.0.lock", "555\n");
  struct stat st {};
  REQUIRE(::stat(t.path("locks/0000:04:00.0.lock").c_str(), &st) == 0);
  t.write("proc/locks", fmt::format("1: POSIX  ADVISORY  WRITE 9 00:11:22 0 EOF\n"
                                    "2: FLOCK  ADVISORY  WRITE 555 {:02x}:{:02x}:{} 0 EOF\n",
                                    major(st.st_dev), minor(st.st_dev), st.st_ino));
  t.write("proc/555/comm", "hcq-run\n");

  auto records = discover(t.context(), nullptr);
  REQUIRE(records.size() == 2);
  REQUIRE(records[0].processes.size() == 1);
  CHECK(records[0].processes[0].pid == 4242);
  CHECK(records[0].processes[0].name == "trainer");
  CHECK(records[0].processes[0].user == "root");
  CHECK(records[0].processes[0].node == "/dev/nvidia0");
  CHECK(records[0].processes_status.present());
  CHECK(*records[1].at(F::driver).text() == "libhcq kmd-free (pid 555)");
  REQUIRE(records[1].processes.size() == 1);
  CHECK(records[1].processes[0].pid == 555);
  CHECK_THAT(records[1].processes[0].node, Catch::StartsWith("lock "));
  CHECK(records[1].at(F::temperature_c).why == Missing::no_driver);
}

TEST_CASE("smi: the kmd-free device lock excludes a second owner and names the first", "[smi]") {
  Tree t;
  std::string dir = t.path("run/lock/hcq");
  {
    hcq::kmdfree::DeviceLock lock("0000:01:00.0", dir);
    CHECK(hcq::kmdfree::lock_holder("/proc", lock.path()) == ::getpid());
    try {
      hcq::kmdfree::DeviceLock second("0000:01:00.0", dir);
      FAIL("a second lock on one device must fail");
    } catch (const hcq::Error& e) {
      CHECK(e.code() == hcq::Errc::busy);
      CHECK_THAT(std::string(e.what()), Catch::Contains(fmt::format("pid {}", ::getpid())));
    }
    hcq::kmdfree::DeviceLock other("0000:02:00.0", dir);  // another device is free
  }
  CHECK_FALSE(hcq::kmdfree::lock_holder("/proc", hcq::kmdfree::lock_path(dir, "0000:01:00.0")).has_value());
  hcq::kmdfree::DeviceLock again("0000:01:00.0", dir);  // released with its owner
}

TEST_CASE("smi: NVML is loaded at run time and every value says where it came from", "[smi]") {
  std::string why;
  CHECK(Nvml::open("/nonexistent/libnvidia-ml.so.1", &why) == nullptr);
  CHECK_THAT(why, Catch::Contains("cannot load"));

  auto nvml = Nvml::open(HCQ_FAKE_NVML, &why);
  REQUIRE(nvml);
  Record r;
  nvml->read("0000:01:00.0", r);
  CHECK(r.at(F::power_draw_w).number() == Approx(123.456));
  CHECK(r.at(F::power_draw_w).source == "nvml");
  CHECK(r.at(F::power_limit_w).number() == Approx(700.0));
  CHECK(r.at(F::clock_core_mhz).integer() == 1755);
  CHECK(r.at(F::clock_core_max_mhz).integer() == 1980);
  CHECK(r.at(F::clock_memory_mhz).integer() == 2619);
  CHECK(r.at(F::clock_memory_max_mhz).why == Missing::needs_root);
  CHECK(r.at(F::fan_pct).why == Missing::not_supported);
  CHECK_THAT(r.at(F::fan_pct).detail, Catch::Contains("nvmlDeviceGetFanSpeed"));

  Record other;
  nvml->read("0000:99:00.0", other);
  CHECK(other.at(F::power_draw_w).why == Missing::not_supported);
  CHECK_THAT(other.at(F::power_draw_w).detail, Catch::Contains("does not list"));
}

TEST_CASE("smi: RM telemetry decoders", "[smi]") {
  // Values the H100 answered (docs/smi.md): LINK_CTRL_STATUS 0x11050000, LINK_CAPS 0x457905.
  auto now = hcq::nv::decode_link_status(0x11050000);
  CHECK(now.gen == 5);
  CHECK(now.width == 16);
  auto max = hcq::nv::decode_link_caps(0x457905);
  CHECK(max.gen == 5);
  CHECK(max.width == 16);
  CHECK(hcq::nv::vbios_text(0x9600da00, 0x0c) == "96.00.DA.00.0C");  // the H100's, as nvidia-smi prints it
  std::vector<hcq::nv::UtilSample> samples = {
      {1'000'000'000, 10000, 500}, {1'900'000'000, 5000, 1500}, {2'000'000'000, 0, 1000}, {0, 9999, 9999}};
  auto m = hcq::nv::mean_utilization(samples, 1'000'000'000);
  REQUIRE(m);
  CHECK(m->first == Approx(50.0));  // (100 % + 50 % + 0 %) / 3: the 0-timestamp slot is unused
  CHECK(m->second == Approx(10.0));
  CHECK_FALSE(hcq::nv::mean_utilization(std::vector<hcq::nv::UtilSample>{{0, 1, 1}}, 1).has_value());
}

TEST_CASE("smi: JSON, CSV and table output", "[smi]") {
  Snapshot s;
  s.timestamp = "2026-11-22T00:00:00Z";
  Record r;
  r.vendor = Vendor::nvidia;
  r.bdf = "0000:01:00.0";
  r.uri = "nv:0";
  r.put(F::name, Value::of(std::string("NVIDIA H100 80GB HBM3"), "rm"));
  r.put(F::temperature_c, Value::of(38.0, "rm"));
  r.put(F::memory_total_bytes, Value::of(int64_t{85520809984}, "rm"));
  r.put(F::firmware, Value::of(std::string("vbios 96.00.74.00.01, gsp 580.159.04"), "rm"));
  r.put(F::power_draw_w, Value::none(Missing::needs_root, "nvml", "nvmlDeviceGetPowerUsage"));
  r.processes.push_back({4242, "trainer", "root", "/dev/nvidia0", std::nullopt, ""});
  s.records.push_back(r);
  s.indices.push_back(0);

  auto j = to_json(s, all_fields());
  CHECK(j["schema_version"] == schema_version);
  const auto& d = j["devices"][0];
  CHECK(d["uri"] == "nv:0");
  CHECK(d["fields"]["temperature_c"]["value"] == 38.0);
  CHECK(d["fields"]["temperature_c"]["source"] == "rm");
  CHECK(d["fields"]["memory_total_bytes"]["value"] == 85520809984);
  CHECK(d["fields"]["power_draw_w"]["value"].is_null());
  CHECK(d["fields"]["power_draw_w"]["missing"] == "n/a: needs root (nvmlDeviceGetPowerUsage)");
  CHECK(d["fields"].size() == field_count);
  CHECK(d["processes"][0]["pid"] == 4242);

  std::string csv = to_csv(s, {F::name, F::temperature_c, F::firmware, F::power_draw_w}, true);
  CHECK(csv == "timestamp,index,bdf,uri,name,temperature_c,firmware,power_draw_w,processes\n"
               "2026-11-22T00:00:00Z,0,0000:01:00.0,nv:0,NVIDIA H100 80GB HBM3,38.000,"
               "\"vbios 96.00.74.00.01, gsp 580.159.04\",n/a: needs root,4242(trainer)\n");

  std::string table = to_table(s);
  CHECK_THAT(table, Catch::Contains("NVIDIA H100 80GB HBM3") && Catch::Contains("38 C") && Catch::Contains("trainer"));
  std::string details = to_details(s, {F::power_draw_w});
  CHECK_THAT(details, Catch::Contains("n/a: needs root (nvmlDeviceGetPowerUsage)  [nvml]"));
}

TEST_CASE("smi: the command line's formats and exit codes", "[smi]") {
  Tree t;
  t.write("pci.ids", pci_ids_text);
  add_function(t, "0000:01:00.0", "0x10de", "0x2330", "0x030200", "nvidia");
  std::string roots = fmt::format("--sysfs-root {} --proc-root {} --pci-ids {} --lock-dir {}", t.path("sys"), t.path("proc"),
                                  t.path("pci.ids"), t.path("locks"));

  Run table = run_smi(roots);
  CHECK(table.status == 0);
  CHECK_THAT(table.out, Catch::Contains("0000:01:00.0") && Catch::Contains("H100 SXM5 80GB") && Catch::Contains("gen5 x16"));

  Run json = run_smi(roots + " --json");
  REQUIRE(json.status == 0);
  auto doc = nlohmann::json::parse(json.out);
  CHECK(doc["schema_version"] == 2);
  CHECK(doc["devices"].size() == 1);
  CHECK(doc["devices"][0]["fields"]["pcie_gen_current"]["value"] == 5);

  Run csv = run_smi(roots + " --csv --fields name,pcie_width_current");
  CHECK(csv.status == 0);
  CHECK_THAT(csv.out, Catch::StartsWith("timestamp,index,bdf,uri,name,pcie_width_current,processes\n") &&
                          Catch::Contains(",0,0000:01:00.0,,H100 SXM5 80GB,16,\n"));

  Run watch = run_smi(roots + " --json --loop 0.05 --count 3");
  CHECK(watch.status == 0);
  size_t lines = 0;
  for (size_t pos = 0; (pos = watch.out.find('\n', pos)) != std::string::npos; ++pos) ++lines;
  CHECK(lines == 3);  // NDJSON: one document per sample
  CHECK(nlohmann::json::parse(watch.out.substr(0, watch.out.find('\n')))["devices"].size() == 1);

  CHECK(run_smi(roots + " -d 01:00.0 --details").status == 0);
  CHECK(run_smi(roots + " -d 0000:01:00.0 --fields name").out.find("H100") != std::string::npos);
  Run missing = run_smi(roots + " -d 7");
  CHECK(missing.status == 1);
  CHECK_THAT(missing.out, Catch::Contains("no such device"));
  CHECK(run_smi(roots + " --fields nonsense").status == 2);
  CHECK(run_smi(roots + " --json --csv").status == 2);
  CHECK(run_smi(roots + " --no-such-option").status == 2);

  Tree empty;
  empty.write("pci.ids", pci_ids_text);
  fs::create_directories(empty.root / "sys/bus/pci/devices");
  Run none = run_smi(fmt::format("--sysfs-root {} --proc-root {} --pci-ids {}", empty.path("sys"), empty.path("proc"),
                                 empty.path("pci.ids")));
  CHECK(none.status == 0);
  CHECK_THAT(none.out, Catch::Contains("No accelerator found"));
}
