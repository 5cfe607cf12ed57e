// Manifest tables; see hcq/firmware/manifest.hpp for their sources.
#include "hcq/firmware/manifest.hpp"

#include <fmt/format.h>

#include <array>

#include "reader.hpp"

namespace hcq::fw {

namespace {

using amdgpu::Kind;

constexpr IpVersion v(uint8_t major, uint8_t minor, uint8_t rev) { return {major, minor, rev}; }

// ---- AMD: one row per file, keyed on the version of the IP block it belongs to ------------------

enum class AmdIp : uint8_t { gc, mp0, mp1, sdma, vcn, dcn };

struct HeaderVersion {
  uint16_t major, minor;
};

struct AmdRule {
  AmdIp ip;
  IpVersion lo, hi;  // inclusive
  const char* role;
  const char* pattern;  // "{}" becomes the IP version as "13_0_0"
  Kind kind;
  std::array<HeaderVersion, 2> versions;  // {0, 0} = unused slot
  bool required;
  const char* purpose;
};

// In load order: the PSP first (its bootloader loads the sos bins), then what the PSP loads for the
// SMU, SDMA and GC (CP, IMU, RLC last: autoload starts once RLC is in), then the optional blocks.
constexpr AmdRule amd_rules[] = {
    {AmdIp::mp0, v(13, 0, 0), v(14, 0, 255), "psp_sos", "amdgpu/psp_{}_sos.bin", Kind::psp, {{{2, 0}, {2, 1}}}, true,
     "PSP bootloader components (kdb, spl, sys_drv, soc_drv, intf_drv, dbg_drv, ras_drv) and the secure OS"},
    {AmdIp::mp1, v(13, 0, 0), v(14, 0, 255), "smu", "amdgpu/smu_{}.bin", Kind::smc, {{{2, 0}, {2, 1}}}, true,
     "SMU firmware and its pptables, loaded by the PSP before the TMR"},
    {AmdIp::sdma, v(4, 4, 0), v(4, 4, 255), "sdma", "amdgpu/sdma_{}.bin", Kind::sdma, {{{1, 0}, {1, 1}}}, true,
     "SDMA engines (one image for every instance)"},
    {AmdIp::sdma, v(6, 0, 0), v(6, 255, 255), "sdma", "amdgpu/sdma_{}.bin", Kind::sdma, {{{2, 0}}}, true,
     "SDMA context (TH0) and control (TH1) threads"},
    {AmdIp::sdma, v(7, 0, 0), v(7, 255, 255), "sdma", "amdgpu/sdma_{}.bin", Kind::sdma, {{{3, 0}}}, true,
     "SDMA microcode"},
    {AmdIp::gc, v(11, 0, 0), v(11, 255, 255), "cp_pfp", "amdgpu/gc_{}_pfp.bin", Kind::gfx, {{{2, 0}}}, false,
     "RS64 prefetch parser and its stack (graphics queues)"},
    {AmdIp::gc, v(12, 0, 0), v(12, 255, 255), "cp_pfp", "amdgpu/gc_{}_pfp.bin", Kind::gfx, {{{2, 0}}}, true,
     "RS64 prefetch parser and its stack"},
    {AmdIp::gc, v(11, 0, 0), v(11, 255, 255), "cp_me", "amdgpu/gc_{}_me.bin", Kind::gfx, {{{2, 0}}}, false,
     "RS64 micro engine and its stack (graphics queues)"},
    {AmdIp::gc, v(12, 0, 0), v(12, 255, 255), "cp_me", "amdgpu/gc_{}_me.bin", Kind::gfx, {{{2, 0}}}, true,
     "RS64 micro engine and its stack"},
    {AmdIp::gc, v(9, 4, 3), v(9, 4, 255), "cp_mec", "amdgpu/gc_{}_mec.bin", Kind::gfx, {{{1, 0}}}, true,
     "compute micro engine (F32) and its jump table"},
    {AmdIp::gc, v(11, 0, 0), v(12, 255, 255), "cp_mec", "amdgpu/gc_{}_mec.bin", Kind::gfx, {{{2, 0}}}, true,
     "RS64 compute micro engine and its stacks"},
    {AmdIp::gc, v(11, 0, 0), v(12, 255, 255), "imu", "amdgpu/gc_{}_imu.bin", Kind::imu, {{{1, 0}}}, true,
     "IMU IRAM and DRAM images (GC power-up)"},
    {AmdIp::gc, v(9, 4, 3), v(9, 4, 255), "rlc", "amdgpu/gc_{}_rlc.bin", Kind::rlc, {{{2, 1}}}, true,
     "RLC and its save/restore lists"},
    {AmdIp::gc, v(11, 0, 0), v(11, 255, 255), "rlc", "amdgpu/gc_{}_rlc.bin", Kind::rlc, {{{2, 3}}}, true,
     "RLC_G, IRAM/DRAM, RLC_P and RLC_V"},
    {AmdIp::gc, v(12, 0, 0), v(12, 255, 255), "rlc", "amdgpu/gc_{}_rlc.bin", Kind::rlc, {{{2, 2}}}, true,
     "RLC_G and IRAM/DRAM"},
    {AmdIp::gc, v(12, 0, 0), v(12, 255, 255), "rlc_toc", "amdgpu/gc_{}_toc.bin", Kind::rlc_toc, {{{1, 0}}}, false,
     "table of contents for RLC backdoor autoload (not used when the PSP loads)"},
    {AmdIp::gc, v(11, 0, 0), v(11, 255, 255), "mes", "amdgpu/gc_{}_mes_2.bin", Kind::mes, {{{1, 0}}}, false,
     "MES scheduler pipe"},
    {AmdIp::gc, v(12, 0, 0), v(12, 255, 255), "mes_uni", "amdgpu/gc_{}_uni_mes.bin", Kind::mes, {{{1, 0}}}, false,
     "unified MES for both pipes (what amdgpu_mes.c loads on gc 12 with the default amdgpu_uni_mes=1)"},
    {AmdIp::gc, v(12, 0, 0), v(12, 255, 255), "mes", "amdgpu/gc_{}_mes.bin", Kind::mes, {{{1, 0}}}, false,
     "MES scheduler pipe (amdgpu_uni_mes=0)"},
    {AmdIp::gc, v(11, 0, 0), v(12, 255, 255), "mes_kiq", "amdgpu/gc_{}_mes1.bin", Kind::mes, {{{1, 0}}}, false,
     "MES KIQ pipe (gc 12: only without unified MES)"},
    {AmdIp::mp0, v(13, 0, 0), v(14, 0, 255), "psp_ta", "amdgpu/psp_{}_ta.bin", Kind::ta, {{{1, 0}, {2, 0}}}, false,
     "trusted applications (ASD, XGMI, RAS, HDCP, DTM, ...)"},
    {AmdIp::vcn, v(4, 0, 0), v(5, 255, 255), "vcn", "amdgpu/vcn_{}.bin", Kind::vcn, {{{1, 0}}}, false,
     "video codec engine"},
    {AmdIp::dcn, v(3, 0, 0), v(4, 255, 255), "dmcub", "amdgpu/dcn_{}_dmcub.bin", Kind::dmcub, {{{1, 0}}}, false,
     "display microcontroller"},
};

// The IP versions of the products (Linux Documentation/gpu/amdgpu/dgpu-asic-info-table.csv:
// DCN, GC, VCN, SDMA, MP0, MP1) and their gfx targets (amdkfd kfd_device.c).
struct AmdChip {
  Chip chip;
  AmdIps ips;
};
constexpr AmdChip amd_chips[] = {
    {{"gfx942", "AMD Instinct MI300 series (MI300X)", "amd"},
     {v(9, 4, 3), v(13, 0, 6), v(13, 0, 6), v(4, 4, 2), v(4, 0, 3), {}}},
    {{"gfx1100", "AMD Radeon RX 7900 XT / XTX", "amd"},
     {v(11, 0, 0), v(13, 0, 0), v(13, 0, 0), v(6, 0, 0), v(4, 0, 0), v(3, 2, 0)}},
    {{"gfx1101", "AMD Radeon RX 7800 XT", "amd"},
     {v(11, 0, 3), v(13, 0, 10), v(13, 0, 10), v(6, 0, 3), v(4, 0, 0), v(3, 2, 0)}},
    {{"gfx1102", "AMD Radeon RX 7600M (XT) / 7700S / 7600S", "amd"},
     {v(11, 0, 2), v(13, 0, 7), v(13, 0, 7), v(6, 0, 2), v(4, 0, 4), v(3, 2, 1)}},
    {{"gfx1200", "AMD Radeon RX 9060 XT", "amd"},
     {v(12, 0, 0), v(14, 0, 2), v(14, 0, 2), v(7, 0, 0), v(5, 0, 0), v(4, 0, 1)}},
    {{"gfx1201", "AMD Radeon RX 9070 (XT)", "amd"},
     {v(12, 0, 1), v(14, 0, 3), v(14, 0, 3), v(7, 0, 1), v(5, 0, 0), v(4, 0, 1)}},
};

// GC versions whose CP microcode format the rules above are written for (gc 11.0.1, 11.0.4 and
// 11.5.x APUs ship F32 gfx v1.0 files and are not covered).
constexpr IpVersion amd_supported_gc[] = {v(9, 4, 3), v(11, 0, 0), v(11, 0, 2), v(11, 0, 3), v(12, 0, 0), v(12, 0, 1)};

// ---- NVIDIA (nouveau's GSP-RM 535.113.01 set) ---------------------------------------------------

constexpr std::string_view gsp_version = "535.113.01";

struct NvChip {
  Chip chip;
  std::string_view signature_family;
};
constexpr NvChip nv_chips[] = {
    {{"ga102", "NVIDIA GA102 (Ampere)", "nvidia"}, "ga10x"},
    {{"ga103", "NVIDIA GA103 (Ampere)", "nvidia"}, "ga10x"},
    {{"ga104", "NVIDIA GA104 (Ampere)", "nvidia"}, "ga10x"},
    {{"ga106", "NVIDIA GA106 (Ampere)", "nvidia"}, "ga10x"},
    {{"ga107", "NVIDIA GA107 (Ampere)", "nvidia"}, "ga10x"},
    {{"ad102", "NVIDIA AD102 (Ada)", "nvidia"}, "ad10x"},
    {{"ad103", "NVIDIA AD103 (Ada)", "nvidia"}, "ad10x"},
    {{"ad104", "NVIDIA AD104 (Ada)", "nvidia"}, "ad10x"},
    {{"ad106", "NVIDIA AD106 (Ada)", "nvidia"}, "ad10x"},
    {{"ad107", "NVIDIA AD107 (Ada)", "nvidia"}, "ad10x"},
};

// ---- Adreno (msm a6xx_catalog.c file names; SQE ids measured) -----------------------------------

struct QcomChip {
  Chip chip;
  std::string_view sqe;
  uint32_t sqe_fw_id;
  std::string_view gmu;  // empty: no GMU (a702 has a GMU wrapper only)
};
constexpr QcomChip qcom_chips[] = {
    {{"a630", "Qualcomm Adreno 630 (SDM845)", "qcom"}, "qcom/a630_sqe.fw", 0x6ee, "qcom/a630_gmu.bin"},
    {{"a650", "Qualcomm Adreno 650", "qcom"}, "qcom/a650_sqe.fw", 0x6dd, "qcom/a650_gmu.bin"},
    {{"a660", "Qualcomm Adreno 660", "qcom"}, "qcom/a660_sqe.fw", 0x6dc, "qcom/a660_gmu.bin"},
    {{"a702", "Qualcomm Adreno 702", "qcom"}, "qcom/a702_sqe.fw", 0x7aa, ""},
    {{"x1-85", "Qualcomm Adreno X1-85 (chip id 0x43050c01)", "qcom"}, "qcom/gen70500_sqe.fw", 0x512, "qcom/gen70500_gmu.bin"},
};

std::vector<Chip> all_chips() {
  std::vector<Chip> out;
  for (const auto& c : amd_chips) out.push_back(c.chip);
  for (const auto& c : nv_chips) out.push_back(c.chip);
  for (const auto& c : qcom_chips) out.push_back(c.chip);
  return out;
}

IpVersion ip_of(const AmdIps& ips, AmdIp ip) {
  switch (ip) {
    case AmdIp::gc: return ips.gc;
    case AmdIp::mp0: return ips.mp0;
    case AmdIp::mp1: return ips.mp1;
    case AmdIp::sdma: return ips.sdma;
    case AmdIp::vcn: return ips.vcn;
    case AmdIp::dcn: return ips.dcn;
  }
  return {};
}

const char* ip_name(AmdIp ip) {
  switch (ip) {
    case AmdIp::gc: return "GC";
    case AmdIp::mp0: return "MP0 (PSP)";
    case AmdIp::mp1: return "MP1 (SMU)";
    case AmdIp::sdma: return "SDMA";
    case AmdIp::vcn: return "VCN";
    case AmdIp::dcn: return "DCN";
  }
  return "?";
}

std::string expand(std::string_view pattern, const IpVersion& ver) {
  std::string out(pattern);
  const size_t at = out.find("{}");
  if (at != std::string::npos) out.replace(at, 2, ver.file_part());
  return out;
}

Manifest nv_manifest(const NvChip& c) {
  Manifest m{std::string(c.chip.name), std::string(c.chip.product), {}};
  const std::string dir = fmt::format("nvidia/{}/gsp/", c.chip.name);
  auto file = [&](std::string_view base) { return fmt::format("{}{}-{}.bin", dir, base, gsp_version); };
  m.entries.push_back({"bootloader", file("bootloader"), Format::nvidia_bootloader, true, std::monostate{},
                       "GSP RISC-V bootloader (runs GSP-RM from the radix-3 mapped ELF)"});
  m.entries.push_back({"gsp", file("gsp"), Format::nvidia_gsp, true,
                       GspExpect{std::string(gsp_version), std::string(c.signature_family)},
                       fmt::format("GSP-RM image and its {} signature", c.signature_family)});
  m.entries.push_back({"booter_load", file("booter_load"), Format::nvidia_booter, true, std::monostate{},
                       "SEC2 heavy-secure booter that sets up WPR2 and starts GSP-RM"});
  m.entries.push_back({"booter_unload", file("booter_unload"), Format::nvidia_booter, true, std::monostate{},
                       "SEC2 booter that tears WPR2 down at shutdown"});
  return m;
}

Manifest qcom_manifest(const QcomChip& c) {
  Manifest m{std::string(c.chip.name), std::string(c.chip.product), {}};
  m.entries.push_back({"sqe", std::string(c.sqe), Format::adreno_sqe, true, SqeExpect{c.sqe_fw_id},
                       "CP (SQE) microcode"});
  if (!c.gmu.empty())
    m.entries.push_back({"gmu", std::string(c.gmu), Format::adreno_gmu, true, std::monostate{},
                         "GMU (power management) firmware"});
  return m;
}

}  // namespace

std::string IpVersion::text() const { return fmt::format("{}.{}.{}", major, minor, rev); }
std::string IpVersion::file_part() const { return fmt::format("{}_{}_{}", major, minor, rev); }

Manifest amd_manifest(const AmdIps& ips, std::string chip) {
  bool supported = false;
  for (const IpVersion& gc : amd_supported_gc) supported = supported || gc == ips.gc;
  if (!supported) {
    std::string list;
    for (const IpVersion& gc : amd_supported_gc) list += (list.empty() ? "" : ", ") + gc.text();
    detail::fail(Errc::unsupported, chip.empty() ? "amd manifest" : chip, "GC version", list, ips.gc.text());
  }
  Manifest m{std::move(chip), "", {}};
  for (const AmdIp required : {AmdIp::mp0, AmdIp::mp1, AmdIp::sdma}) {
    bool covered = false;
    for (const AmdRule& r : amd_rules) {
      const IpVersion ver = ip_of(ips, r.ip);
      covered = covered || (r.ip == required && r.required && ver.packed() >= r.lo.packed() && ver.packed() <= r.hi.packed());
    }
    if (!covered)
      detail::fail(Errc::unsupported, m.chip.empty() ? "amd manifest" : m.chip, fmt::format("{} version", ip_name(required)),
                   "a version the manifest rules cover", ip_of(ips, required).text());
  }
  for (const AmdRule& r : amd_rules) {
    const IpVersion ver = ip_of(ips, r.ip);
    if (!ver.present() || ver.packed() < r.lo.packed() || ver.packed() > r.hi.packed()) continue;
    AmdExpect e;
    e.kind = r.kind;
    e.ip_major = ver.major;
    for (const HeaderVersion& hv : r.versions)
      if (hv.major != 0) e.header_versions.emplace_back(hv.major, hv.minor);
    m.entries.push_back({r.role, expand(r.pattern, ver), Format::amdgpu, r.required, std::move(e),
                         fmt::format("{} ({} {})", r.purpose, ip_name(r.ip), ver.text())});
  }
  return m;
}

std::span<const Chip> chips() {
  static const std::vector<Chip> list = all_chips();
  return list;
}

std::optional<AmdIps> amd_chip_ips(std::string_view chip) {
  for (const auto& c : amd_chips)
    if (c.chip.name == chip) return c.ips;
  return std::nullopt;
}

Manifest chip_manifest(std::string_view chip) {
  for (const auto& c : amd_chips) {
    if (c.chip.name != chip) continue;
    Manifest m = amd_manifest(c.ips, std::string(c.chip.name));
    m.product = std::string(c.chip.product);
    return m;
  }
  for (const auto& c : nv_chips)
    if (c.chip.name == chip) return nv_manifest(c);
  for (const auto& c : qcom_chips)
    if (c.chip.name == chip) return qcom_manifest(c);
  std::string list;
  for (const Chip& c : chips()) list += (list.empty() ? "" : ", ") + std::string(c.name);
  throw Error(Errc::not_found, "", detail::block, fmt::format("unknown chip '{}'; known chips: {}", chip, list));
}

}  // namespace hcq::fw
