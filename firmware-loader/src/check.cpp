// Checking the installed firmware against a manifest (hcq-fw check).
#include <fmt/format.h>

#include <algorithm>

#include "hcq/error.hpp"
#include "hcq/firmware/manifest.hpp"
#include "hcq/firmware/nvidia.hpp"
#include "hcq/firmware/qcom.hpp"

namespace hcq::fw {

namespace {

std::string versions_text(const std::vector<std::pair<uint16_t, uint16_t>>& vs) {
  std::string out;
  for (const auto& [major, minor] : vs) out += fmt::format("{}{}.{}", out.empty() ? "" : " or ", major, minor);
  return out;
}

// Fills r.version and, when the file is not what the manifest expects, r.status and r.detail.
void compare(CheckResult& r, const Blob& blob, const AmdExpect& e) {
  const auto fw = amdgpu::Firmware::parse(blob.span(), blob.name, e.kind);
  const auto& c = fw.common();
  r.version = fmt::format("header {}.{}, ip {}.{}, ucode {:#x}", c.header_version_major, c.header_version_minor,
                          c.ip_version_major, c.ip_version_minor, c.ucode_version);
  const std::pair<uint16_t, uint16_t> hv{c.header_version_major, c.header_version_minor};
  const bool listed = std::find(e.header_versions.begin(), e.header_versions.end(), hv) != e.header_versions.end();
  // The parse above succeeded, so the parser knows hv; a newer minor of a listed major only appends fields.
  const bool newer_minor = std::any_of(e.header_versions.begin(), e.header_versions.end(),
                                       [&](const auto& want) { return want.first == hv.first && want.second < hv.second; });
  if (!e.header_versions.empty() && !listed && !newer_minor) {
    r.status = Status::unexpected;
    r.detail = fmt::format("header_version: expected {}, found {}.{}", versions_text(e.header_versions), hv.first, hv.second);
  } else if (e.ip_major != 0 && c.ip_version_major != e.ip_major) {
    r.status = Status::unexpected;
    r.detail = fmt::format("ip_version major: expected {}, found {}", e.ip_major, c.ip_version_major);
  } else if (!e.header_versions.empty() && !listed) {
    r.detail = fmt::format("header_version {}.{} is newer than the {} the manifest lists (accepted: the parser knows it)",
                           hv.first, hv.second, versions_text(e.header_versions));
  }
}

void compare(CheckResult& r, const Blob& blob, const GspExpect& e) {
  const auto g = nvidia::GspFirmware::parse(blob.span(), blob.name);
  r.version = g.version();
  if (g.version() != e.version) {
    r.status = Status::unexpected;
    r.detail = fmt::format(".fwversion: expected {}, found {}", e.version, g.version());
  } else if (!g.signature(e.signature_family)) {
    r.status = Status::unexpected;
    std::string have;
    for (const auto& f : g.signature_families()) have += (have.empty() ? "" : ", ") + f;
    r.detail = fmt::format(".fwsignature_{}: expected, found only {}", e.signature_family, have);
  }
}

void compare(CheckResult& r, const Blob& blob, const SqeExpect& e) {
  const auto s = qcom::SqeFirmware::parse(blob.span(), blob.name);
  r.version = fmt::format("fw id {:#x}, version {:#x}", s.fw_id(), s.version());
  if (s.fw_id() != e.fw_id) {
    r.status = Status::unexpected;
    r.detail = fmt::format("fw id: expected {:#x}, found {:#x}", e.fw_id, s.fw_id());
  }
}

// No expectation beyond "it parses as its format".
void compare(CheckResult& r, const Blob& blob, Format format) {
  const auto d = describe(blob.span(), blob.name);
  if (d.format != format) {
    r.status = Status::unexpected;
    r.detail = fmt::format("format: expected {}, found {}", to_string(format), to_string(d.format));
  }
  // A short summary of what was found, from the fields that identify a build.
  for (const Field& f : d.header) {
    if (f.name != "version" && f.name != "ucode_id" && f.name != "fuse_version" && f.name != "layout" &&
        f.name != "block_count")
      continue;
    const std::string value = std::visit(
        [](const auto& v) {
          if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::string>) return v;
          else return fmt::format("{}", v);
        },
        f.value);
    r.version += fmt::format("{}{} {}", r.version.empty() ? "" : ", ", f.name, value);
  }
}

}  // namespace

std::string_view to_string(Status s) {
  switch (s) {
    case Status::present: return "present";
    case Status::missing: return "missing";
    case Status::invalid: return "invalid";
    case Status::unexpected: return "unexpected";
  }
  return "?";
}

bool CheckReport::ok() const {
  return std::all_of(results.begin(), results.end(),
                     [](const CheckResult& r) { return !r.entry.required || r.status == Status::present; });
}

CheckReport check(const Manifest& m, const SearchPath& path) {
  CheckReport report;
  for (const ManifestEntry& e : m.entries) {
    CheckResult r;
    r.entry = e;
    try {
      const auto found = path.find(e.file);
      if (!found) {
        r.status = Status::missing;
        r.detail = fmt::format("not found (nor .zst, .xz) in {} directories", path.dirs().size());
        report.results.push_back(std::move(r));
        continue;
      }
      r.path = found->string();
      const Blob blob = load(e.file, path);
      r.status = Status::present;
      std::visit(
          [&](const auto& expect) {
            using T = std::decay_t<decltype(expect)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
              compare(r, blob, e.format);
            } else {
              compare(r, blob, expect);
            }
          },
          e.expect);
    } catch (const Error& err) {
      r.status = Status::invalid;
      r.detail = err.what();
    }
    report.results.push_back(std::move(r));
  }
  return report;
}

}  // namespace hcq::fw
