#include "output.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "hcq/version.hpp"

namespace hcq::smi {

namespace {

nlohmann::ordered_json value_json(const Value& v) {
  nlohmann::ordered_json j;
  if (auto i = v.integer()) {
    j["value"] = *i;
  } else if (auto* d = std::get_if<double>(&v.data)) {
    j["value"] = std::round(*d * 1000.0) / 1000.0;
  } else if (auto* t = v.text()) {
    j["value"] = *t;
  } else {
    j["value"] = nullptr;
  }
  j["source"] = v.source;
  if (!v.present()) j["missing"] = v.missing_message();
  return j;
}

std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

std::string raw(const Value& v) {
  if (auto i = v.integer()) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&v.data)) return fmt::format("{:.3f}", *d);
  if (auto* t = v.text()) return *t;
  return std::string(missing_text(v.why));
}

std::string mib(int64_t bytes) { return fmt::format("{} MiB", bytes >> 20); }

std::string processes_text(const Record& r) {
  std::string s;
  for (const auto& p : r.processes) s += fmt::format("{}{}({})", s.empty() ? "" : " ", p.pid, p.name);
  return s;
}

}  // namespace

FieldList all_fields() {
  FieldList f;
  for (const auto& i : fields()) f.push_back(i.id);
  return f;
}

std::string human(const Value& v, F f) {
  if (!v.present()) return "n/a";
  auto n = v.number();
  switch (f) {
    case F::vendor_id:
    case F::device_id: return n ? fmt::format("{:04x}", static_cast<int64_t>(*n)) : raw(v);
    case F::revision: return n ? fmt::format("{:02x}", static_cast<int64_t>(*n)) : raw(v);
    case F::memory_total_bytes:
    case F::memory_used_bytes: return n ? mib(static_cast<int64_t>(*n)) : raw(v);
    case F::temperature_c:
    case F::temperature_memory_c: return n ? fmt::format("{:.0f} C", *n) : raw(v);
    case F::power_draw_w:
    case F::power_limit_w: return n ? fmt::format("{:.0f} W", *n) : raw(v);
    case F::utilization_pct:
    case F::utilization_memory_pct:
    case F::fan_pct: return n ? fmt::format("{:.0f} %", *n) : raw(v);
    case F::clock_core_mhz:
    case F::clock_core_max_mhz:
    case F::clock_memory_mhz:
    case F::clock_memory_max_mhz: return n ? fmt::format("{:.0f} MHz", *n) : raw(v);
    case F::fan_rpm: return n ? fmt::format("{:.0f} RPM", *n) : raw(v);
    default: return raw(v);
  }
}

nlohmann::ordered_json to_json(const Snapshot& s, const FieldList& fields) {
  nlohmann::ordered_json devices = nlohmann::ordered_json::array();
  for (size_t k = 0; k < s.records.size(); ++k) {
    const Record& r = s.records[k];
    nlohmann::ordered_json d;
    d["index"] = s.indices.at(k);
    d["bdf"] = r.bdf.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.bdf);
    d["uri"] = r.uri.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.uri);
    if (r.uri.empty() && !r.uri_note.empty()) d["uri_note"] = r.uri_note;
    nlohmann::ordered_json f = nlohmann::ordered_json::object();
    for (F id : fields) f[std::string(info(id).key)] = value_json(r.at(id));
    d["fields"] = std::move(f);
    nlohmann::ordered_json procs = nlohmann::ordered_json::array();
    for (const auto& p : r.processes) {
      procs.push_back({{"pid", p.pid}, {"name", p.name}, {"user", p.user}, {"node", p.node}});
    }
    d["processes"] = std::move(procs);
    d["processes_status"] = value_json(r.processes_status);
    d["notes"] = r.notes;
    devices.push_back(std::move(d));
  }
  return {{"schema_version", schema_version},
          {"tool", "hcq-smi"},
          {"version", std::string(hcq::version())},
          {"timestamp", s.timestamp},
          {"devices", std::move(devices)},
          {"problems", s.problems}};
}

std::string to_csv(const Snapshot& s, const FieldList& fields, bool header) {
  std::string out;
  if (header) {
    out += "timestamp,index,bdf,uri";
    for (F f : fields) out += fmt::format(",{}", info(f).key);
    out += ",processes\n";
  }
  for (size_t k = 0; k < s.records.size(); ++k) {
    const Record& r = s.records[k];
    out += fmt::format("{},{},{},{}", s.timestamp, s.indices.at(k), r.bdf, csv_cell(r.uri));
    for (F f : fields) out += "," + csv_cell(raw(r.at(f)));
    out += "," + csv_cell(processes_text(r)) + "\n";
  }
  return out;
}

std::string to_table(const Snapshot& s) {
  struct Col {
    const char* title;
    std::vector<std::string> cells;
  };
  std::vector<Col> cols = {{"IDX", {}},  {"BDF", {}},    {"NAME", {}},  {"DRIVER", {}}, {"TEMP", {}},
                           {"POWER", {}}, {"MEMORY", {}}, {"UTIL", {}}, {"CLOCK", {}},  {"PCIE", {}}};
  for (size_t k = 0; k < s.records.size(); ++k) {
    const Record& r = s.records[k];
    auto v = [&](F f) { return human(r.at(f), f); };
    auto pair = [&](F a, F b, const char* unit, double scale) {
      auto x = r.at(a).number(), y = r.at(b).number();
      if (!x && !y) return std::string("n/a");
      auto part = [&](std::optional<double> z) { return z ? fmt::format("{:.0f}", *z / scale) : std::string("n/a"); };
      return fmt::format("{} / {} {}", part(x), part(y), unit);
    };
    std::string pcie = "n/a";
    if (auto g = r.at(F::pcie_gen_current).integer(), w = r.at(F::pcie_width_current).integer(); g && w) {
      pcie = fmt::format("gen{} x{}", *g, *w);
    }
    cols[0].cells.push_back(std::to_string(s.indices.at(k)));
    cols[1].cells.push_back(r.bdf.empty() ? (r.uri.empty() ? "-" : r.uri) : r.bdf);
    cols[2].cells.push_back(v(F::name));
    cols[3].cells.push_back(v(F::driver));
    cols[4].cells.push_back(v(F::temperature_c));
    cols[5].cells.push_back(pair(F::power_draw_w, F::power_limit_w, "W", 1));
    cols[6].cells.push_back(pair(F::memory_used_bytes, F::memory_total_bytes, "MiB", 1024.0 * 1024.0));
    cols[7].cells.push_back(v(F::utilization_pct));
    cols[8].cells.push_back(v(F::clock_core_mhz));
    cols[9].cells.push_back(pcie);
  }
  std::string out;
  auto line = [&](auto cell) {
    std::string l;
    for (size_t c = 0; c < cols.size(); ++c) {
      size_t w = std::string_view(cols[c].title).size();
      for (const auto& x : cols[c].cells) w = std::max(w, x.size());
      std::string text = cell(c);
      l += c + 1 == cols.size() ? text : fmt::format("{:<{}}  ", text, w);
    }
    out += l + "\n";
  };
  line([&](size_t c) { return std::string(cols[c].title); });
  for (size_t k = 0; k < s.records.size(); ++k) line([&](size_t c) { return cols[c].cells[k]; });

  bool any = false;
  for (const auto& r : s.records) any = any || !r.processes.empty();
  if (any) {
    out += "\nPROCESSES\n";
    out += fmt::format("{:<4} {:<8} {:<12} {:<16} {}\n", "IDX", "PID", "USER", "NAME", "HOLDS");
    for (size_t k = 0; k < s.records.size(); ++k) {
      for (const auto& p : s.records[k].processes) {
        out += fmt::format("{:<4} {:<8} {:<12} {:<16} {}\n", s.indices.at(k), p.pid, p.user, p.name, p.node);
      }
    }
  }
  for (size_t k = 0; k < s.records.size(); ++k) {
    if (!s.records[k].processes_status.present()) {
      out += fmt::format("note: processes: {}\n", s.records[k].processes_status.missing_message());
      break;
    }
  }
  for (const auto& p : s.problems) out += fmt::format("note: {}\n", p);
  return out;
}

std::string to_details(const Snapshot& s, const FieldList& fields) {
  std::string out;
  size_t w = 0;
  for (F f : fields) w = std::max(w, info(f).key.size());
  for (size_t k = 0; k < s.records.size(); ++k) {
    const Record& r = s.records[k];
    out += fmt::format("device {}: {}{}\n", s.indices.at(k), r.bdf.empty() ? "-" : r.bdf,
                       r.uri.empty() ? fmt::format(" (no libhcq URI: {})", r.uri_note) : fmt::format(" ({})", r.uri));
    for (F f : fields) {
      const Value& v = r.at(f);
      out += v.present() ? fmt::format("  {:<{}}  {}  [{}]\n", info(f).key, w, human(v, f), v.source)
                         : fmt::format("  {:<{}}  {}  [{}]\n", info(f).key, w, v.missing_message(), v.source);
    }
    out += fmt::format("  {:<{}}  ", "processes", w);
    out += r.processes.empty() ? "none" : processes_text(r);
    out += r.processes_status.present() ? "\n" : fmt::format(" ({})\n", r.processes_status.missing_message());
    for (const auto& n : r.notes) out += fmt::format("  note: {}\n", n);
  }
  for (const auto& p : s.problems) out += fmt::format("note: {}\n", p);
  return out;
}

}  // namespace hcq::smi
