// hcq-fw: inspect GPU firmware files and check what a chip needs (docs/firmware.md).
//   hcq-fw inspect FILE... [--json]     decoded headers and sections of each file
//   hcq-fw check --chip CHIP [--json]   which of the chip's files are present, missing or unexpected
//   hcq-fw chips [--json]               the chips check knows
// Exit codes: 0 ok, 1 a file is bad or a required file is missing/unexpected, 2 usage.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "hcq/error.hpp"
#include "hcq/firmware/describe.hpp"
#include "hcq/firmware/loader.hpp"
#include "hcq/firmware/manifest.hpp"

namespace {

namespace fw = hcq::fw;
using Json = nlohmann::ordered_json;

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Options {
  std::vector<std::string> files;
  std::string chip;
  std::vector<std::string> firmware_path;
  bool json = false;
};

fw::SearchPath search_path(const Options& o) {
  if (o.firmware_path.empty()) return fw::SearchPath::standard();
  return fw::SearchPath({o.firmware_path.begin(), o.firmware_path.end()});
}

// A path that exists is read as it is; anything else is looked up by name on the search path.
fw::Blob read(const std::string& arg, const fw::SearchPath& path) {
  std::error_code ec;
  if (std::filesystem::exists(arg, ec)) return fw::load_file(arg);
  return fw::load(arg, path);
}

Json value_json(const fw::Field& f) {
  return std::visit([](const auto& v) { return Json(v); }, f.value);
}

Json fields_json(const std::vector<fw::Field>& fields) {
  Json j = Json::object();
  for (const auto& f : fields) j[f.name] = value_json(f);
  return j;
}

Json description_json(const std::string& file, const fw::Blob& blob, const fw::Description& d) {
  Json j = {{"file", file}, {"format", std::string(fw::to_string(d.format))}};
  if (blob.compression != fw::Compression::none) j["compression"] = std::string(fw::to_string(blob.compression));
  j["header"] = fields_json(d.header);
  Json sections = Json::array();
  for (const auto& s : d.sections) {
    Json e = {{"name", s.name},
              {"fw_type", s.fw_type},
              {"fw_version", s.fw_version},
              {"file_offset", s.file_offset},
              {"size_bytes", s.size}};
    if (s.bin_set) e["bin_set"] = *s.bin_set;
    if (s.address) e["address"] = *s.address;
    sections.push_back(std::move(e));
  }
  j["sections"] = std::move(sections);
  for (const auto& t : d.tables) {
    Json rows = Json::array();
    for (const auto& r : t.rows) rows.push_back(fields_json(r));
    j[t.name] = std::move(rows);
  }
  return j;
}

std::string value_text(const fw::Field& f) {
  if (const auto* n = std::get_if<uint64_t>(&f.value)) return *n < 10 ? std::to_string(*n) : fmt::format("{:#x} ({})", *n, *n);
  if (const auto* s = std::get_if<std::string>(&f.value)) return *s;
  return std::get<bool>(f.value) ? "true" : "false";
}

void print_text(const std::string& file, const fw::Blob& blob, const fw::Description& d) {
  fmt::print("{}: {}, {} bytes{}\n", file, fw::to_string(d.format), blob.bytes.size(),
             blob.compression == fw::Compression::none ? "" : fmt::format(" (decompressed from {})", fw::to_string(blob.compression)));
  size_t w = 0;
  for (const auto& f : d.header) w = std::max(w, f.name.size());
  for (const auto& f : d.header) fmt::print("  {:<{}}  {}\n", f.name, w, value_text(f));
  if (!d.sections.empty()) {
    size_t wn = 4;
    for (const auto& s : d.sections) wn = std::max(wn, s.name.size());
    fmt::print("  sections:\n    {:<{}}  {:>10}  {:>10}  {:>10}  {:>10}\n", "NAME", wn, "FW_TYPE", "FW_VERSION", "OFFSET", "SIZE");
    for (const auto& s : d.sections) {
      fmt::print("    {:<{}}  {:>#10x}  {:>#10x}  {:>#10x}  {:>#10x}", s.name, wn, s.fw_type, s.fw_version, s.file_offset, s.size);
      if (s.bin_set) fmt::print("  bin set {}", *s.bin_set);
      if (s.address) fmt::print("  at {:#x}", *s.address);
      fmt::print("\n");
    }
  }
  for (const auto& t : d.tables) {
    fmt::print("  {} ({} entries):\n", t.name, t.rows.size());
    for (const auto& r : t.rows) {
      std::string line;
      for (const auto& f : r) line += fmt::format("{}{}={}", line.empty() ? "" : " ", f.name, value_text(f));
      fmt::print("    {}\n", line);
    }
  }
}

int inspect(const Options& o) {
  if (o.files.empty()) throw UsageError("inspect: give at least one FILE");
  const auto path = search_path(o);
  Json all = Json::array();
  int rc = 0;
  for (const auto& file : o.files) {
    try {
      const fw::Blob blob = read(file, path);
      const auto d = fw::describe(blob.span(), blob.name);
      if (o.json) {
        all.push_back(description_json(file, blob, d));
      } else {
        print_text(file, blob, d);
      }
    } catch (const hcq::Error& e) {
      rc = 1;
      fmt::print(stderr, "hcq-fw: {}\n", e.what());
      if (o.json) all.push_back({{"file", file}, {"error", e.what()}});
    }
  }
  if (o.json) std::cout << (o.files.size() == 1 ? all[0] : all).dump(2) << "\n";
  return rc;
}

Json expect_json(const fw::Expect& e) {
  Json j = Json::object();
  if (const auto* a = std::get_if<fw::AmdExpect>(&e)) {
    Json vs = Json::array();
    for (const auto& [major, minor] : a->header_versions) vs.push_back(fmt::format("{}.{}", major, minor));
    j = {{"header_version", vs}, {"ip_version_major", a->ip_major}};
  } else if (const auto* g = std::get_if<fw::GspExpect>(&e)) {
    j = {{"version", g->version}, {"signature_family", g->signature_family}};
  } else if (const auto* s = std::get_if<fw::SqeExpect>(&e)) {
    j = {{"fw_id", s->fw_id}};
  }
  return j;
}

int check(const Options& o) {
  if (o.chip.empty()) throw UsageError("check: --chip is required (hcq-fw chips lists them)");
  fw::Manifest m;
  try {
    m = fw::chip_manifest(o.chip);
  } catch (const hcq::Error& e) {
    if (e.code() == hcq::Errc::not_found) throw UsageError(e.detail());
    throw;
  }
  const auto path = search_path(o);
  const auto report = fw::check(m, path);
  if (o.json) {
    Json entries = Json::array();
    for (const auto& r : report.results) {
      entries.push_back({{"role", r.entry.role},
                         {"file", r.entry.file},
                         {"format", std::string(fw::to_string(r.entry.format))},
                         {"required", r.entry.required},
                         {"status", std::string(fw::to_string(r.status))},
                         {"path", r.path},
                         {"found", r.version},
                         {"expected", expect_json(r.entry.expect)},
                         {"detail", r.detail}});
    }
    Json dirs = Json::array();
    for (const auto& d : path.dirs()) dirs.push_back(d.string());
    std::cout << Json{{"chip", m.chip}, {"product", m.product}, {"ok", report.ok()}, {"search_path", dirs},
                      {"entries", entries}}.dump(2)
              << "\n";
  } else {
    fmt::print("{} ({}): {} files\n", m.chip, m.product, m.entries.size());
    size_t wr = 4, wf = 4;
    for (const auto& e : m.entries) {
      wr = std::max(wr, e.role.size());
      wf = std::max(wf, e.file.size());
    }
    fmt::print("  {:<{}}  {:<10}  {:<8}  {:<{}}  {}\n", "ROLE", wr, "STATUS", "NEEDED", "FILE", wf, "FOUND");
    for (const auto& r : report.results) {
      fmt::print("  {:<{}}  {:<10}  {:<8}  {:<{}}  {}\n", r.entry.role, wr, fw::to_string(r.status),
                 r.entry.required ? "required" : "optional", r.entry.file, wf, r.version);
      if (!r.detail.empty()) fmt::print("  {:<{}}  {}\n", "", wr, r.detail);
    }
    fmt::print("{}\n", report.ok() ? "ok: every required file is present and as expected"
                                   : "not ok: a required file is missing, invalid or unexpected "
                                     "(tools/install-deps.sh installs Debian's firmware packages)");
  }
  return report.ok() ? 0 : 1;
}

int chips(const Options& o) {
  if (o.json) {
    Json list = Json::array();
    for (const auto& c : fw::chips())
      list.push_back({{"chip", std::string(c.name)}, {"vendor", std::string(c.vendor)}, {"product", std::string(c.product)}});
    std::cout << list.dump(2) << "\n";
    return 0;
  }
  for (const auto& c : fw::chips()) fmt::print("{:<8}  {:<7}  {}\n", c.name, c.vendor, c.product);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"hcq-fw: decode GPU firmware files and check what a chip needs.", "hcq-fw"};
  app.require_subcommand(1);
  auto* inspect_cmd = app.add_subcommand("inspect", "decoded headers and sections of firmware files");
  inspect_cmd->add_option("FILE", o.files, "a path, or a name on the firmware search path (amdgpu/gc_11_0_0_mec.bin)")
      ->required();
  inspect_cmd->add_flag("--json", o.json, "print JSON: one object per file (an array for several files)");
  auto* check_cmd = app.add_subcommand("check", "which firmware files a chip needs and whether they are installed");
  check_cmd->add_option("--chip", o.chip, "gfx1100, gfx942, ga102, a630, ... (see hcq-fw chips)")->required();
  check_cmd->add_flag("--json", o.json, "print JSON");
  for (auto* cmd : {inspect_cmd, check_cmd})
    cmd->add_option("--firmware-path", o.firmware_path,
                    "search only this directory (repeatable) instead of $HCQ_FIRMWARE_PATH and /lib/firmware");
  auto* chips_cmd = app.add_subcommand("chips", "the chips hcq-fw check knows");
  chips_cmd->add_flag("--json", o.json, "print JSON");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  try {
    if (inspect_cmd->parsed()) return inspect(o);
    if (check_cmd->parsed()) return check(o);
    return chips(o);
  } catch (const UsageError& e) {
    fmt::print(stderr, "hcq-fw: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "hcq-fw: {}\n", e.what());
    return 1;
  }
}
