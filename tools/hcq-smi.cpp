// hcq-smi (first version): list the devices libhcq sees and, with --details, what each one offers.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

#include "hcq/hcq.hpp"

namespace {

constexpr int schema_version = 1;

struct Options {
  std::string device;
  bool details = false;
  bool json = false;
};

// One device to show: its place in hcq::devices() (none for a URI that was opened but not listed).
struct Row {
  std::optional<size_t> index;
  hcq::DeviceEntry entry;
};

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::optional<size_t> parse_index(const std::string& s) {
  size_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string backend_of(const std::string& uri) { return uri.substr(0, uri.find(':')); }

// The devices to show: all of them, or the one -d names (an index, or any URI open() takes).
std::vector<Row> select(const std::vector<hcq::DeviceEntry>& all, const std::string& filter) {
  std::vector<Row> rows;
  if (filter.empty()) {
    for (size_t i = 0; i < all.size(); ++i) rows.push_back({i, all[i]});
    return rows;
  }
  if (auto index = parse_index(filter)) {
    if (*index >= all.size()) {
      throw UsageError(fmt::format("-d {}: there are {} device(s), numbered 0 to {}", filter, all.size(), all.size() - 1));
    }
    return {{*index, all[*index]}};
  }
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].uri == filter) return {{i, all[i]}};
  }
  hcq::Device dev = hcq::open(filter);  // not listed (an option, another index): open it to be sure
  return {{std::nullopt, {dev.uri(), dev.props().name, backend_of(dev.uri()), 0}}};
}

bool has_accelerator(const std::vector<hcq::DeviceEntry>& all) {
  return std::any_of(all.begin(), all.end(), [](const hcq::DeviceEntry& e) { return e.backend != "cpu"; });
}

std::string dims(hcq::Dim3 d) { return fmt::format("{}x{}x{}", d.x, d.y, d.z); }

std::string bytes_text(uint64_t b) {
  constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(b);
  size_t u = 0;
  while (v >= 1024 && u + 1 < std::size(units)) {
    v /= 1024;
    ++u;
  }
  return u == 0 ? fmt::format("{} B", b) : fmt::format("{:.1f} {} ({} bytes)", v, units[u], b);
}

std::string tick_text(uint64_t hz) {
  if (hz == 0) return "no timestamp clock";
  return fmt::format("timestamps {} Hz ({:.3g} ns/tick)", hz, 1e9 / static_cast<double>(hz));
}

void print_props(const hcq::DeviceProps& p) {
  fmt::print("    vendor {}, arch {}, program format {}, PCI {}\n", p.vendor, p.arch, p.program_format,
             p.pci_address.empty() ? "-" : p.pci_address);
  fmt::print("    memory: {} device, {} host-visible; buffer alignment {}\n", bytes_text(p.device_memory_bytes),
             bytes_text(p.host_visible_device_memory_bytes), p.min_buffer_alignment);
  fmt::print("    compute: {} units; {} threads per workgroup, workgroup up to {}, grid up to {}\n", p.compute_units,
             p.max_threads_per_workgroup, dims(p.max_workgroup_dims), dims(p.max_grid_dims));
  fmt::print("    limits: {} B shared per workgroup, {} B of kernel arguments\n", p.max_shared_bytes,
             p.max_kernel_args_bytes);
  fmt::print("    queues: {} compute, {} copy\n", p.compute_queues, p.copy_queues);
  fmt::print("    signals: {}, {}-bit compare\n", tick_text(p.timestamp_hz), p.signal_compare_bits);
}

nlohmann::ordered_json props_json(const hcq::DeviceProps& p) {
  auto d3 = [](hcq::Dim3 d) { return nlohmann::ordered_json{d.x, d.y, d.z}; };
  return {{"name", p.name},
          {"vendor", p.vendor},
          {"arch", p.arch},
          {"pci_address", p.pci_address},
          {"program_format", p.program_format},
          {"device_memory_bytes", p.device_memory_bytes},
          {"host_visible_device_memory_bytes", p.host_visible_device_memory_bytes},
          {"compute_units", p.compute_units},
          {"max_threads_per_workgroup", p.max_threads_per_workgroup},
          {"max_workgroup_dims", d3(p.max_workgroup_dims)},
          {"max_grid_dims", d3(p.max_grid_dims)},
          {"max_shared_bytes", p.max_shared_bytes},
          {"max_kernel_args_bytes", p.max_kernel_args_bytes},
          {"compute_queues", p.compute_queues},
          {"copy_queues", p.copy_queues},
          {"timestamp_hz", p.timestamp_hz},
          {"signal_compare_bits", p.signal_compare_bits},
          {"min_buffer_alignment", p.min_buffer_alignment}};
}

// Opens a row's device for --details; the error message instead when that fails.
struct Opened {
  std::optional<hcq::DeviceProps> props;
  std::string error;
};

Opened open_row(const Row& row) {
  try {
    return {hcq::open(row.entry.uri).props(), {}};
  } catch (const hcq::Error& e) {
    return {std::nullopt, e.what()};
  }
}

std::string index_text(const Row& r) { return r.index ? std::to_string(*r.index) : "-"; }

int print_text(const std::vector<Row>& rows, const Options& o, bool accelerator) {
  size_t w_uri = 3, w_name = 4;
  for (const auto& r : rows) {
    w_uri = std::max(w_uri, r.entry.uri.size());
    w_name = std::max(w_name, r.entry.name.size());
  }
  int rc = 0;
  fmt::print("{:<5} {:<{}}  {:<{}}  {}\n", "INDEX", "URI", w_uri, "NAME", w_name, "BACKEND");
  for (const auto& r : rows) {
    fmt::print("{:<5} {:<{}}  {:<{}}  {}\n", index_text(r), r.entry.uri, w_uri, r.entry.name, w_name, r.entry.backend);
    if (!o.details) continue;
    Opened d = open_row(r);
    if (d.props) {
      print_props(*d.props);
    } else {
      fmt::print("    cannot open: {}\n", d.error);
      rc = 1;
    }
  }
  if (!accelerator && o.device.empty()) fmt::print("no accelerator found; the cpu reference device is available\n");
  return rc;
}

int print_json(const std::vector<Row>& rows, const Options& o) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  int rc = 0;
  for (const auto& r : rows) {
    nlohmann::ordered_json j = {{"index", r.index ? nlohmann::ordered_json(*r.index) : nlohmann::ordered_json(nullptr)},
                        {"uri", r.entry.uri},
                        {"name", r.entry.name},
                        {"backend", r.entry.backend}};
    if (o.details) {
      Opened d = open_row(r);
      if (d.props) {
        j["details"] = props_json(*d.props);
      } else {
        j["error"] = d.error;
        rc = 1;
      }
    }
    list.push_back(std::move(j));
  }
  std::cout << nlohmann::ordered_json{{"schema_version", schema_version}, {"devices", std::move(list)}}.dump(2) << "\n";
  return rc;
}

int run(const Options& o) {
  auto all = hcq::devices();
  auto rows = select(all, o.device);
  return o.json ? print_json(rows, o) : print_text(rows, o, has_accelerator(all));
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"hcq-smi: the devices libhcq can open.", "hcq-smi"};
  app.add_option("-d,--device", o.device, "show one device: its index in the list, or a URI");
  app.add_flag("--details", o.details, "open each device and print its properties");
  app.add_flag("--json", o.json, "print {\"schema_version\": 1, \"devices\": [...]}");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
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
