// Per-chip firmware manifests: which files a chip needs, in the order a driver loads them, and what
// each must look like. AMD manifests are derived from the IP versions IP discovery reports (the file
// names are built from them: PSP 13.0.0 -> psp_13_0_0_sos.bin), so a new chip with known IP versions
// needs no new rows; the chip table below only names known products. Used by `am` at bring-up and by
// `hcq-fw check`.
//
// Sources: the IP versions of each AMD product are Linux Documentation/gpu/amdgpu/
// dgpu-asic-info-table.csv (torvalds/linux); the gfx target of each GC version is amdkfd's
// kfd_device.c. NVIDIA file names are nouveau's (nvkm/subdev/gsp: nvidia/<chip>/gsp/<name>-<ver>.bin,
// signature section per family). Adreno file names are msm's adreno catalog (a6xx_catalog.c).
// Expected header versions and SQE firmware ids were measured on Debian's firmware packages
// (20250410) and are what the driver code paths are written for.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "hcq/firmware/amdgpu.hpp"
#include "hcq/firmware/describe.hpp"
#include "hcq/firmware/loader.hpp"

namespace hcq::fw {

struct IpVersion {
  uint8_t major = 0, minor = 0, rev = 0;

  constexpr uint32_t packed() const { return uint32_t{major} << 16 | uint32_t{minor} << 8 | rev; }
  constexpr bool present() const { return packed() != 0; }
  std::string text() const;       // "13.0.0"
  std::string file_part() const;  // "13_0_0"
  friend constexpr bool operator==(IpVersion, IpVersion) = default;
};

// The IP blocks whose firmware an AMD GPU needs; a zero version means the block is absent.
struct AmdIps {
  IpVersion gc;    // graphics/compute: CP, RLC, IMU, MES
  IpVersion mp0;   // PSP (sos, ta)
  IpVersion mp1;   // SMU
  IpVersion sdma;
  IpVersion vcn;
  IpVersion dcn;   // display: dmcub
};

struct AmdExpect {
  amdgpu::Kind kind = amdgpu::Kind::common;
  // Any of these; a newer minor of one of their majors is accepted too when the parser knows it (a
  // newer firmware package bumps minors that only append fields: check notes it in the detail).
  std::vector<std::pair<uint16_t, uint16_t>> header_versions;
  uint16_t ip_major = 0;                                       // the common header's ip_version_major
};
struct GspExpect {
  std::string version;           // .fwversion
  std::string signature_family;  // .fwsignature_<family> must be present
};
struct SqeExpect {
  uint32_t fw_id = 0;
};
using Expect = std::variant<std::monostate, AmdExpect, GspExpect, SqeExpect>;

struct ManifestEntry {
  std::string role;  // "psp_sos", "smu", "sdma", "cp_mec", "rlc", "gsp", "booter_load", "sqe", "gmu", ...
  std::string file;  // relative to a firmware directory: "amdgpu/psp_13_0_0_sos.bin"
  Format format = Format::amdgpu;
  bool required = true;  // false: used by a feature compute does not need (display, video, MES, ...)
  Expect expect;
  std::string purpose;
};

struct Manifest {
  std::string chip;
  std::string product;
  std::vector<ManifestEntry> entries;  // in load order
};

// The AMD manifest for these IP versions. Throws hcq::Error(Errc::unsupported) for a GC, PSP, SMU or
// SDMA version no rule covers.
Manifest amd_manifest(const AmdIps& ips, std::string chip = "");

struct Chip {
  std::string_view name;     // "gfx1100", "ga102", "a630"
  std::string_view product;  // "AMD Radeon RX 7900 XT / XTX"
  std::string_view vendor;   // "amd", "nvidia", "qcom"
};
std::span<const Chip> chips();
std::optional<AmdIps> amd_chip_ips(std::string_view chip);
// The manifest of a chip of chips(). Throws hcq::Error(Errc::not_found) listing the known chips.
Manifest chip_manifest(std::string_view chip);

// ---- Checking what is installed ------------------------------------------------------------------

enum class Status : uint8_t {
  present,     // found, valid and as expected
  missing,     // not found on the search path
  invalid,     // found but rejected by the parser
  unexpected,  // found and valid, but not the version/id the manifest expects
};
std::string_view to_string(Status s);

struct CheckResult {
  ManifestEntry entry;  // a copy: the report does not refer to the manifest
  Status status = Status::missing;
  std::string path;     // where it was found
  std::string version;  // what was found: "header 2.0, ip 11.0, ucode 0x1d", "535.113.01", "fw id 0x6ee version 0x207"
  std::string detail;   // why it is not `present`
};

struct CheckReport {
  std::vector<CheckResult> results;
  bool ok() const;  // every required entry present
};

// Looks every entry up on `path`, parses it and compares with the manifest. Never throws for a
// missing or bad file (that is what the report is for).
CheckReport check(const Manifest& m, const SearchPath& path = SearchPath::standard());

}  // namespace hcq::fw
