// hcq-smi: one status tool for AMD, NVIDIA, Tenstorrent and Qualcomm accelerators (docs/smi.md).
// Read-only: it never changes device state and never loads firmware.
//
// Exit codes: 0 ok (also when there is no accelerator), 1 an error (a device -d names does not
// exist, a root that cannot be read), 2 a usage error.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "output.hpp"
#include "readers.hpp"

namespace {

using namespace hcq::smi;

struct Options {
  Context ctx;
  std::string device;
  std::string fields;
  bool json = false, csv = false, no_header = false, details = false, list_fields = false;
  double loop_seconds = 0;
  int count = 0;  // samples in watch mode; 0 = until interrupted
};

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
class NotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

FieldList parse_fields(const std::string& list) {
  if (list.empty()) return all_fields();
  FieldList out;
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    std::string key = list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    auto f = field_by_key(key);
    if (!f) throw UsageError(fmt::format("--fields: unknown field '{}'; hcq-smi --list-fields shows them", key));
    out.push_back(*f);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

std::string now_utc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// "01:00.0" matches "0000:01:00.0".
bool bdf_matches(const std::string& bdf, const std::string& want) {
  if (bdf.empty() || want.empty()) return false;
  if (bdf == want) return true;
  return bdf.size() > want.size() && bdf.compare(bdf.size() - want.size(), want.size(), want) == 0 &&
         bdf[bdf.size() - want.size() - 1] == ':';
}

Snapshot sample(const Options& o) {
  Snapshot s;
  s.timestamp = now_utc();
  std::vector<Record> all = discover(o.ctx, &s.problems);
  for (size_t i = 0; i < all.size(); ++i) {
    const Record& r = all[i];
    bool keep = o.device.empty() || std::to_string(i) == o.device || r.uri == o.device || bdf_matches(r.bdf, o.device);
    if (!keep) continue;
    s.records.push_back(r);
    s.indices.push_back(i);
  }
  if (!o.device.empty() && s.records.empty()) {
    throw NotFound(fmt::format("-d {}: no such device; there are {} (by index 0-{}, BDF or URI)", o.device, all.size(),
                               all.empty() ? 0 : all.size() - 1));
  }
  return s;
}

void print(const Options& o, const FieldList& fields, const Snapshot& s, bool first) {
  if (o.json) {
    auto doc = to_json(s, fields);
    // Text comes from files a driver (or a broken tree) wrote: never let one bad byte abort the
    // document; readers already refuse non-text, this is the last line of defence.
    constexpr auto replace = nlohmann::ordered_json::error_handler_t::replace;
    std::cout << (o.loop_seconds > 0 ? doc.dump(-1, ' ', false, replace) : doc.dump(2, ' ', false, replace)) << "\n";
  } else if (o.csv) {
    std::cout << to_csv(s, fields, first && !o.no_header);
  } else {
    if (o.loop_seconds > 0) std::cout << s.timestamp << "\n";
    if (s.records.empty()) {
      std::cout << "No accelerator found (looked for AMD, NVIDIA and Tenstorrent PCI devices and an Adreno GPU "
                   "through KGSL). --sim lists simulated devices.\n";
      for (const auto& p : s.problems) std::cout << "note: " << p << "\n";
    } else {
      std::cout << (o.details || !o.fields.empty() ? to_details(s, fields) : to_table(s));
    }
    if (o.loop_seconds > 0) std::cout << "\n";
  }
  std::cout.flush();
}

int run(const Options& o) {
  if (o.list_fields) {
    for (const auto& f : hcq::smi::fields()) fmt::print("{:<24} {}\n", f.key, f.help);
    return 0;
  }
  if (o.json && o.csv) throw UsageError("--json and --csv exclude each other");
  if (o.loop_seconds < 0 || !std::isfinite(o.loop_seconds)) throw UsageError("-l/--loop takes a positive number of seconds");
  FieldList fields = parse_fields(o.fields);
  for (int n = 0;; ++n) {
    auto start = std::chrono::steady_clock::now();
    print(o, fields, sample(o), n == 0);
    if (o.loop_seconds <= 0 || (o.count > 0 && n + 1 >= o.count)) return 0;
    std::this_thread::sleep_until(start + std::chrono::duration<double>(o.loop_seconds));
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"hcq-smi: status of AMD, NVIDIA, Tenstorrent and Qualcomm accelerators (read-only).", "hcq-smi"};
  app.add_option("-d,--device", o.device, "one device: its index, BDF (0000:01:00.0 or 01:00.0) or URI");
  app.add_flag("--json", o.json, "JSON: {\"schema_version\": 2, \"devices\": [...]} (one line per sample with --loop)");
  app.add_flag("--csv", o.csv, "CSV, one row per device, the --fields columns");
  app.add_flag("--no-header", o.no_header, "CSV without its header line");
  app.add_option("--fields", o.fields, "comma-separated fields to show (see --list-fields)");
  app.add_flag("-q,--details", o.details, "every field of every device with its source, or why it is missing");
  app.add_flag("--list-fields", o.list_fields, "print the field catalogue and exit");
  app.add_option("-l,--loop", o.loop_seconds, "watch: sample every SECONDS until interrupted");
  app.add_option("--count", o.count, "watch: stop after N samples")->check(CLI::NonNegativeNumber);
  app.add_flag("--sim", o.ctx.simulated, "also list libhcq's simulated devices");
  app.add_option("--sysfs-root", o.ctx.roots.sys, "read this tree instead of /sys (fixtures, saved machines)");
  app.add_option("--proc-root", o.ctx.roots.proc, "read this tree instead of /proc");
  app.add_option("--lock-dir", o.ctx.roots.locks, "kmd-free device locks (default /run/lock/hcq)");
  app.add_option("--pci-ids", o.ctx.roots.pci_ids, "PCI ID database (default /usr/share/misc/pci.ids)");
  app.add_option("--nvml", o.ctx.nvml_path, "NVML library to load (default libnvidia-ml.so.1)");
  bool no_nvml = false, no_rm = false;
  app.add_flag("--no-nvml", no_nvml, "do not load NVML (power, clocks and fan of NVIDIA GPUs stay n/a)");
  app.add_flag("--no-rm", no_rm, "do not open NVIDIA GPUs through the RM");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  o.ctx.use_nvml = !no_nvml;
  o.ctx.use_rm = !no_rm;
  try {
    return run(o);
  } catch (const UsageError& e) {
    fmt::print(stderr, "hcq-smi: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "hcq-smi: {}\n", e.what());
    return 1;
  }
}
