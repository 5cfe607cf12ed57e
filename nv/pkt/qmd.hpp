// QMD ("queue meta data"): the launch descriptor a compute engine reads when send_pcas_a /
// send_signaling_pcas2_b hand it a grid (registers/compute.hpp).
//
// The encoder is data, not code per version: one QmdLayout table per QMD version gives each
// field's bit range, and encode_qmd() writes a LaunchDesc through whichever table it is given.
// A QMD is an array of little-endian dwords; field "hi:lo" (NVIDIA's MW(hi:lo)) covers bit n of
// the array for lo <= n <= hi, bit n being bit n % 32 of dword n / 32.
//
// Sources, field by field (all compared against the tables below):
//   V03_00 (Ampere C6C0/C7C0, Ada C9C0; 256 B): open-gpu-doc classes/compute/clc6c0qmd.h; the
//          fields used here are identical in clc9c0qmd.h and in the V03 part of clcbc0qmd.h.
//   V04_00 (Hopper CBC0; 384 B): open-gpu-doc classes/compute/clcbc0qmd.h.
//   V05_00 (Blackwell CDC0/CEC0; 384 B): open-gpu-doc classes/compute/clcec0qmd.h (the V05_00
//          fields are identical in clcdc0qmd.h).
// What a working Hopper launch sets was verified on an H100 (research notes nv-hopper.md §5 [V]);
// see hopper_launch_defaults().
#pragma once

#include <array>
#include <cassert>
#include <cstdint>
#include <span>
#include <string_view>

#include "hcq/error.hpp"

namespace hcq::nv {

// ---------------------------------------------------------------------------------------------
// Bit helpers over a little-endian dword array.

// Writes `value` into bits hi:lo of `words` (a field of 1 to 64 bits, which may span dwords).
// Returns false, writing nothing, when `value` does not fit the field's width: the caller turns
// that into an error (truncating would launch a different grid than asked for). A field outside
// `words` or with hi < lo is a programming error: asserted in debug builds, false in release.
[[nodiscard]] constexpr bool set_bits(std::span<uint32_t> words, unsigned hi, unsigned lo, uint64_t value) {
  const bool in_range = lo <= hi && hi - lo < 64 && hi / 32 < words.size();
  assert(in_range && "QMD bit range outside the descriptor");
  if (!in_range) return false;
  const unsigned width = hi - lo + 1;
  if (width < 64 && (value >> width) != 0) return false;
  for (unsigned bit = lo; bit <= hi;) {
    const unsigned offset = bit % 32;
    const unsigned n = (32 - offset < hi - bit + 1) ? 32 - offset : hi - bit + 1;  // bits in this dword
    const uint32_t mask = (n == 32 ? ~0u : (1u << n) - 1u) << offset;
    const auto part = static_cast<uint32_t>(value >> (bit - lo)) << offset;
    uint32_t& w = words[bit / 32];
    w = (w & ~mask) | (part & mask);
    bit += n;
  }
  return true;
}

// Reads bits hi:lo (same rules; a range outside `words` asserts in debug builds and reads 0).
constexpr uint64_t get_bits(std::span<const uint32_t> words, unsigned hi, unsigned lo) {
  const bool in_range = lo <= hi && hi - lo < 64 && hi / 32 < words.size();
  assert(in_range && "QMD bit range outside the descriptor");
  if (!in_range) return 0;
  uint64_t value = 0;
  for (unsigned bit = lo; bit <= hi;) {
    const unsigned offset = bit % 32;
    const unsigned n = (32 - offset < hi - bit + 1) ? 32 - offset : hi - bit + 1;
    const uint32_t mask = n == 32 ? ~0u : (1u << n) - 1u;
    value |= uint64_t{(words[bit / 32] >> offset) & mask} << (bit - lo);
    bit += n;
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Layout tables.

// One field: bits hi:lo, holding value >> shift (NVIDIA's "..._SHIFTED4" etc.). lo > hi means
// the field does not exist in this version (the default).
struct QmdField {
  uint16_t hi = 0;
  uint16_t lo = 1;
  uint8_t shift = 0;
  constexpr bool present() const { return lo <= hi; }
  constexpr unsigned width() const { return present() ? hi - lo + 1u : 0u; }
  constexpr QmdField plus(unsigned bits) const {
    return present() ? QmdField{static_cast<uint16_t>(hi + bits), static_cast<uint16_t>(lo + bits), shift} : *this;
  }
};

// A value wider than one field (an address, a 64-bit payload): value >> shift is stored with
// its low 32 bits in `lower` and the rest in `upper`.
struct QmdSplit {
  QmdField lower;
  QmdField upper;
  uint8_t shift = 0;
  constexpr QmdSplit plus(unsigned bits) const { return {lower.plus(bits), upper.plus(bits), shift}; }
};

// An indexed field: element i is `first` moved up by i * stride bits.
struct QmdIndexed {
  QmdField first;
  uint16_t stride = 0;
  constexpr QmdField at(unsigned i) const { return first.plus(i * stride); }
};

inline constexpr unsigned qmd_constant_buffers = 8;
inline constexpr unsigned qmd_releases = 3;

struct QmdReleaseLayout {
  QmdField enable;
  QmdField structure_size;  // FOUR_WORDS 0 (payload at +0, timestamp at +8), ONE_WORD 1, TWO_WORDS 2
  QmdField membar_type;     // FE_NONE 0, FE_SYSMEMBAR 1
  QmdField payload64b;
  QmdSplit address;
  QmdSplit payload;
};

struct QmdConstantBufferLayout {
  QmdIndexed valid;
  QmdIndexed invalidate;
  QmdIndexed size;  // bytes >> 4
  QmdSplit address;
  uint16_t address_stride = 0;
  constexpr QmdSplit address_of(unsigned i) const { return address.plus(i * address_stride); }
};

struct QmdLayout {
  std::string_view name;  // "V04_00"
  uint32_t dwords;        // size of the descriptor
  uint8_t major;
  uint8_t minor;
  QmdField major_version;
  QmdField minor_version;
  QmdField qmd_type;  // V04 and later; V03 has IS_QUEUE instead (0 = grid, left 0)
  QmdField qmd_group_id;
  QmdField api_visible_call_limit;
  std::array<QmdField, 3> grid;   // GRID_WIDTH/HEIGHT/DEPTH (V03: CTA_RASTER_*)
  std::array<QmdField, 3> block;  // CTA_THREAD_DIMENSION0..2
  QmdField register_count;
  QmdField barrier_count;
  QmdField shared_memory_size;  // bytes (V05: >> 7)
  QmdField min_sm_config_shared_mem_size;
  QmdField max_sm_config_shared_mem_size;
  QmdField target_sm_config_shared_mem_size;
  QmdField shader_local_memory_low_size;   // bytes per thread (V05: >> 4)
  QmdField shader_local_memory_high_size;  // bytes per thread (V05: >> 4)
  QmdField invalidate_texture_header_cache;
  QmdField invalidate_texture_sampler_cache;
  QmdField invalidate_texture_data_cache;
  QmdField invalidate_shader_data_cache;
  QmdField invalidate_instruction_cache;
  QmdField invalidate_shader_constant_cache;
  QmdField cwd_membar_type;  // L1_NONE 0, L1_SYSMEMBAR 1, L1_MEMBAR 3
  QmdSplit program_address;  // V03/V04 the full VA, V05 >> 4
  QmdConstantBufferLayout constant_buffer;
  std::array<QmdReleaseLayout, qmd_releases> release;
  // A launch that the engine starts by itself when this one completes (V04; absent elsewhere:
  // launches there are ordered by the host instead).
  QmdField dependent_qmd0_enable;
  QmdField dependent_qmd0_action;    // dependent_action_qmd_schedule
  QmdField dependent_qmd0_prefetch;
  QmdField dependent_qmd0_pointer;   // QMD address >> 8
  // CWD_MEMBAR_TASK_CHASING_ENABLE: what libcuda sets, with CWD_MEMBAR_TYPE L1_MEMBAR, on a
  // graph's launches that have a dependent (seen in its QMDs on the H100, docs/nv.md).
  QmdField cwd_membar_task_chasing;
};

// DEPENDENT_QMD0_ACTION: QMD_SCHEDULE (the dependent grid is scheduled once this one is done).
inline constexpr uint32_t dependent_action_qmd_schedule = 1;

// A table's self-check, for static_assert: every field inside the descriptor, no field wider
// than 64 bits, the lower half of each split exactly 32 bits.
constexpr bool qmd_layout_valid(const QmdLayout& l) {
  const unsigned bits = l.dwords * 32;
  auto ok = [bits](const QmdField& f) { return !f.present() || (f.hi < bits && f.width() <= 64); };
  auto ok_split = [&](const QmdSplit& s) { return ok(s.lower) && ok(s.upper) && s.lower.width() == 32; };
  bool good = ok(l.major_version) && ok(l.minor_version) && ok(l.qmd_type) && ok(l.qmd_group_id) &&
              ok(l.api_visible_call_limit) && ok(l.register_count) && ok(l.barrier_count) &&
              ok(l.shared_memory_size) && ok(l.min_sm_config_shared_mem_size) &&
              ok(l.max_sm_config_shared_mem_size) && ok(l.target_sm_config_shared_mem_size) &&
              ok(l.shader_local_memory_low_size) && ok(l.shader_local_memory_high_size) &&
              ok(l.invalidate_texture_header_cache) && ok(l.invalidate_texture_sampler_cache) &&
              ok(l.invalidate_texture_data_cache) && ok(l.invalidate_shader_data_cache) &&
              ok(l.invalidate_instruction_cache) && ok(l.invalidate_shader_constant_cache) &&
              ok(l.cwd_membar_type) && ok_split(l.program_address) && l.major_version.present() &&
              ok(l.dependent_qmd0_enable) && ok(l.dependent_qmd0_action) && ok(l.dependent_qmd0_prefetch) &&
              ok(l.cwd_membar_task_chasing) &&
              ok(l.dependent_qmd0_pointer) && (!l.dependent_qmd0_pointer.present() || l.dependent_qmd0_pointer.width() == 32);
  for (unsigned i = 0; i < 3; ++i) good = good && ok(l.grid[i]) && ok(l.block[i]);
  for (unsigned i = 0; i < qmd_constant_buffers; ++i) {
    const auto& cb = l.constant_buffer;
    good = good && ok(cb.valid.at(i)) && ok(cb.invalidate.at(i)) && ok(cb.size.at(i)) && ok_split(cb.address_of(i));
  }
  for (const QmdReleaseLayout& r : l.release)
    good = good && ok(r.enable) && ok(r.structure_size) && ok(r.membar_type) && ok(r.payload64b) &&
           ok_split(r.address) && ok_split(r.payload);
  return good;
}

namespace qmd_detail {
constexpr QmdField bit(unsigned b) { return {static_cast<uint16_t>(b), static_cast<uint16_t>(b), 0}; }
constexpr QmdField bits(unsigned hi, unsigned lo, unsigned shift = 0) {
  return {static_cast<uint16_t>(hi), static_cast<uint16_t>(lo), static_cast<uint8_t>(shift)};
}
// Releases whose flags sit at base + 16 i (V04, V05).
constexpr QmdReleaseLayout strided_release(unsigned flags, QmdSplit address, QmdSplit payload) {
  return {bit(flags), bits(flags + 2, flags + 1), bit(flags + 3), bit(flags + 12), address, payload};
}
}  // namespace qmd_detail

// V03_00, 256 bytes: clc6c0qmd.h. No QMD_TYPE (IS_QUEUE, bit 136, stays 0 = grid); releases 0
// and 1 at 768 and 896, release 2 at 1664; constant-buffer addresses unshifted.
inline constexpr QmdLayout qmd_v03 = [] {
  using namespace qmd_detail;
  QmdLayout l{};
  l.name = "V03_00";
  l.dwords = 64;
  l.major = 3;
  l.minor = 0;
  l.major_version = bits(583, 580);
  l.minor_version = bits(579, 576);  // QMD_VERSION
  l.qmd_group_id = bits(133, 128);
  l.api_visible_call_limit = bit(378);
  l.grid = {bits(415, 384), bits(431, 416), bits(463, 448)};
  l.block = {bits(607, 592), bits(623, 608), bits(639, 624)};
  l.register_count = bits(656, 648);  // REGISTER_COUNT_V
  l.barrier_count = bits(767, 763);
  l.shared_memory_size = bits(561, 544);
  l.min_sm_config_shared_mem_size = bits(567, 562);
  l.max_sm_config_shared_mem_size = bits(574, 569);
  l.target_sm_config_shared_mem_size = bits(662, 657);
  l.shader_local_memory_low_size = bits(759, 736);
  l.shader_local_memory_high_size = bits(1623, 1600);
  l.invalidate_texture_header_cache = bit(186);
  l.invalidate_texture_sampler_cache = bit(187);
  l.invalidate_texture_data_cache = bit(188);
  l.invalidate_shader_data_cache = bit(189);
  l.invalidate_instruction_cache = bit(190);
  l.invalidate_shader_constant_cache = bit(191);
  l.cwd_membar_type = bits(369, 368);
  l.program_address = {bits(1567, 1536), bits(1584, 1568), 0};
  l.constant_buffer = {{bit(640), 1}, {bit(1074), 64}, {bits(1087, 1075, 4), 64},
                       {bits(1055, 1024), bits(1072, 1056), 0}, 64};
  l.release[0] = {bit(823), bits(831, 830), bit(819), bit(829),
                  {bits(799, 768), bits(807, 800), 0}, {bits(863, 832), bits(895, 864), 0}};
  l.release[1] = {bit(951), bits(959, 958), bit(947), bit(957),
                  {bits(927, 896), bits(935, 928), 0}, {bits(991, 960), bits(1023, 992), 0}};
  l.release[2] = {bit(1719), bits(1727, 1726), bit(1715), bit(1725),
                  {bits(1695, 1664), bits(1703, 1696), 0}, {bits(1759, 1728), bits(1791, 1760), 0}};
  return l;
}();

// V04_00, 384 bytes: clcbc0qmd.h. Release flags at 320 + 16 i, releases at 640 + 128 i;
// constant-buffer addresses >> 6 at 1536 + 64 i.
inline constexpr QmdLayout qmd_v04 = [] {
  using namespace qmd_detail;
  QmdLayout l{};
  l.name = "V04_00";
  l.dwords = 96;
  l.major = 4;
  l.minor = 0;
  l.major_version = bits(583, 580);
  l.minor_version = bits(579, 576);
  l.qmd_type = bits(25, 23);
  l.qmd_group_id = bits(21, 16);
  l.api_visible_call_limit = bit(568);
  l.grid = {bits(1055, 1024), bits(1071, 1056), bits(1103, 1088)};
  l.block = {bits(1167, 1152), bits(1183, 1168), bits(1199, 1184)};
  l.register_count = bits(1208, 1200);
  l.barrier_count = bits(1215, 1211);
  l.shared_memory_size = bits(601, 584);
  l.min_sm_config_shared_mem_size = bits(613, 608);
  l.max_sm_config_shared_mem_size = bits(619, 614);
  l.target_sm_config_shared_mem_size = bits(625, 620);
  l.shader_local_memory_low_size = bits(535, 512);
  l.shader_local_memory_high_size = bits(567, 544);
  l.invalidate_texture_header_cache = bit(602);
  l.invalidate_texture_sampler_cache = bit(603);
  l.invalidate_texture_data_cache = bit(604);
  l.invalidate_shader_data_cache = bit(605);
  l.invalidate_instruction_cache = bit(606);
  l.invalidate_shader_constant_cache = bit(607);
  l.cwd_membar_type = bits(1137, 1136);
  l.program_address = {bits(1247, 1216), bits(1272, 1248), 0};
  l.constant_buffer = {{bit(416), 4}, {bit(419), 4}, {bits(1599, 1587, 4), 64},
                       {bits(1567, 1536), bits(1586, 1568), 6}, 64};
  for (unsigned i = 0; i < qmd_releases; ++i)
    l.release[i] = strided_release(320 + 16 * i, QmdSplit{bits(671, 640), bits(696, 672), 0}.plus(128 * i),
                                   QmdSplit{bits(735, 704), bits(767, 736), 0}.plus(128 * i));
  // DEPENDENT_QMD_ENABLE(i) 368 + 5 i, ACTION(i) 371 + 5 i:369 + 5 i, PREFETCH(i) 372 + 5 i,
  // DEPENDENT_QMD0_POINTER 479:448; action 1 = QMD_SCHEDULE as tinygrad's ops_nv uses it.
  l.dependent_qmd0_enable = bit(368);
  l.dependent_qmd0_action = bits(371, 369);
  l.dependent_qmd0_prefetch = bit(372);
  l.dependent_qmd0_pointer = bits(479, 448, 8);
  l.cwd_membar_task_chasing = bit(382);
  return l;
}();

// V05_00, 384 bytes: clcec0qmd.h. Version at 471:464, QMD_TYPE at 153:151, release flags at
// 288 + 16 i, release 0 at 480 but 1 and 2 at 768 and 896; program address >> 4, shared memory
// size >> 7, local memory sizes >> 4; constant-buffer VALID at 1856 + 4 i.
inline constexpr QmdLayout qmd_v05 = [] {
  using namespace qmd_detail;
  QmdLayout l{};
  l.name = "V05_00";
  l.dwords = 96;
  l.major = 5;
  l.minor = 0;
  l.major_version = bits(471, 468);
  l.minor_version = bits(467, 464);
  l.qmd_type = bits(153, 151);
  l.qmd_group_id = bits(149, 144);
  l.api_visible_call_limit = bit(456);
  l.grid = {bits(1279, 1248), bits(1295, 1280), bits(1327, 1312)};
  l.block = {bits(1103, 1088), bits(1119, 1104), bits(1127, 1120)};
  l.register_count = bits(1136, 1128);
  l.barrier_count = bits(1141, 1137);
  l.shared_memory_size = bits(1162, 1152, 7);
  l.min_sm_config_shared_mem_size = bits(1168, 1163);
  l.max_sm_config_shared_mem_size = bits(1174, 1169);
  l.target_sm_config_shared_mem_size = bits(1180, 1175);
  l.shader_local_memory_low_size = bits(1199, 1184, 4);
  l.shader_local_memory_high_size = bits(1215, 1200, 4);
  l.invalidate_texture_header_cache = bit(472);
  l.invalidate_texture_sampler_cache = bit(473);
  l.invalidate_texture_data_cache = bit(474);
  l.invalidate_shader_data_cache = bit(475);
  l.invalidate_instruction_cache = bit(476);
  l.invalidate_shader_constant_cache = bit(477);
  l.cwd_membar_type = bits(625, 624);
  l.program_address = {bits(1055, 1024, 0), bits(1076, 1056, 0), 4};
  l.constant_buffer = {{bit(1856), 4}, {bit(1859), 4}, {bits(1407, 1395, 4), 64},
                       {bits(1375, 1344), bits(1394, 1376), 6}, 64};
  l.release[0] = strided_release(288, {bits(511, 480), bits(536, 512), 0}, {bits(575, 544), bits(607, 576), 0});
  l.release[1] = strided_release(304, {bits(799, 768), bits(824, 800), 0}, {bits(863, 832), bits(895, 864), 0});
  l.release[2] = strided_release(320, {bits(927, 896), bits(952, 928), 0}, {bits(991, 960), bits(1023, 992), 0});
  return l;
}();

static_assert(qmd_v03.dwords * 4 == 256 && qmd_v04.dwords * 4 == 384 && qmd_v05.dwords * 4 == 384);
static_assert(qmd_v04.dwords == 96);
static_assert(qmd_layout_valid(qmd_v03) && qmd_layout_valid(qmd_v04) && qmd_layout_valid(qmd_v05));
// Spot checks of the generated (strided) entries against the headers' own numbers.
static_assert(qmd_v04.release[2].address.lower.lo == 896 && qmd_v04.release[2].payload.upper.hi == 1023);
static_assert(qmd_v04.release[1].payload64b.lo == 348 && qmd_v05.release[2].enable.lo == 320);
static_assert(qmd_v04.constant_buffer.address_of(7).upper.hi == 1586 + 7 * 64);

// The layout for a QMD major version (3, 4, 5; reg::ClassInfo::qmd_major); throws hcq::Error
// (Errc::unsupported) for any other.
constexpr const QmdLayout& qmd_layout(unsigned major) {
  if (major == 3) return qmd_v03;
  if (major == 4) return qmd_v04;
  if (major == 5) return qmd_v05;
  throw Error(Errc::unsupported, "", "QMD", "no QMD layout for this major version (known: 3, 4, 5)");
}
// Bytes of a QMD of that version.
constexpr uint32_t qmd_bytes(unsigned major) { return qmd_layout(major).dwords * 4; }
static_assert(qmd_bytes(4) == 384 && qmd_bytes(3) == 256);

// ---------------------------------------------------------------------------------------------
// What to launch.

inline constexpr uint8_t qmd_type_queue = 0;    // launches nothing on Hopper, silently (notes §5 [V])
inline constexpr uint8_t qmd_type_grid_cta = 2;  // a plain grid of CTAs
inline constexpr uint8_t cwd_membar_l1_sysmembar = 1;
inline constexpr uint8_t cwd_membar_l1_membar = 3;  // GPU scope: enough between grids of one GPU
inline constexpr uint8_t release_membar_fe_sysmembar = 1;
inline constexpr uint8_t api_visible_call_limit_no_check = 1;

struct LaunchDesc {
  std::array<uint32_t, 3> grid{1, 1, 1};   // CTAs
  std::array<uint32_t, 3> block{1, 1, 1};  // threads per CTA
  uint32_t register_count = 0;             // per thread (EIATTR_REGCOUNT)
  uint32_t barrier_count = 0;
  uint32_t shared_memory_bytes = 0;  // rounded up to the field's granule (V05: 128 B)
  // SM shared-memory carveout configurations, as encoded by sm_config_encoding().
  uint8_t min_sm_config = 0;
  uint8_t max_sm_config = 0;
  uint8_t target_sm_config = 0;
  uint64_t program_va = 0;              // entry point (V05: 16-byte aligned)
  uint32_t local_memory_low_bytes = 0;  // per thread; rounded up to the field's granule
  uint32_t local_memory_high_bytes = 0;

  struct ConstantBuffer {
    bool valid = false;
    bool invalidate = false;  // drop cached lines of this bank before the launch
    uint64_t va = 0;          // 64-byte aligned on V04 and V05
    uint32_t size = 0;        // bytes, rounded up to 16
  };
  std::array<ConstantBuffer, qmd_constant_buffers> constant_buffer{};

  // A semaphore written when the grid completes. A backend uses up to 2.
  struct Release {
    bool enable = false;
    uint64_t va = 0;
    uint64_t payload = 0;
    bool payload64 = false;      // write 64 bits of payload (else 32)
    uint8_t membar = 0;          // release_membar_fe_sysmembar: make the grid's writes visible first
    uint8_t structure_size = 0;  // 0 = four words: payload at +0, ns timestamp at +8
  };
  std::array<Release, qmd_releases> release{};

  struct Invalidate {
    bool texture_header = false, texture_sampler = false, texture_data = false;
    bool shader_data = false, instruction = false, shader_constant = false;
  } invalidate;

  uint8_t cwd_membar_type = 0;
  uint8_t api_visible_call_limit = 0;
  uint8_t qmd_type = qmd_type_grid_cta;  // V04+; never 0 (QUEUE) for a grid
  uint8_t qmd_group_id = 0;
};

// Writes `d` through `layout` into out[0, layout.dwords) (zeroed first; fields the layout lacks
// are skipped). Throws hcq::Error (Errc::invalid_argument, block "QMD") naming the field when a
// value does not fit its field or an address is not aligned to the field's shift, and
// (Errc::internal) when `out` is shorter than the layout.
void encode_qmd(const QmdLayout& layout, const LaunchDesc& d, std::span<uint32_t> out);

// Writes one field / split value of an encoded QMD (a backend re-pointing a constant buffer, a
// release payload). False, nothing written, when the field is absent, the value is not a
// multiple of 1 << shift, or it does not fit.
[[nodiscard]] bool set_field(std::span<uint32_t> qmd, const QmdField& f, uint64_t value);
[[nodiscard]] bool set_split(std::span<uint32_t> qmd, const QmdSplit& s, uint64_t value);
uint64_t get_field(std::span<const uint32_t> qmd, const QmdField& f);  // 0 for an absent field
uint64_t get_split(std::span<const uint32_t> qmd, const QmdSplit& s);

// Where constant buffer i's address lives (e.g. bank 0, which a backend may re-point per launch).
constexpr QmdSplit constant_buffer_address(const QmdLayout& l, unsigned i) { return l.constant_buffer.address_of(i); }

// SM shared-memory carveout encoding for MIN/MAX/TARGET_SM_CONFIG_SHARED_MEM_SIZE: KiB / 4 + 1.
// The formula is Mesa's (gv100_sm_config_smem_size, for the carveout sizes 8, 16, 32, 64, 96 and
// 100 KiB). Verified on the H100 (notes §5 [V]): 8 KiB -> 3 and 100 KiB -> 26 (0x1A) launch.
// Not verified: Hopper's carveout list and the encoding above 100 KiB (228 KiB would give 58).
constexpr uint8_t sm_config_encoding(uint32_t shared_kib) {
  assert(shared_kib % 4 == 0 && shared_kib / 4 + 1 < 64);
  return static_cast<uint8_t>(shared_kib / 4 + 1);
}
static_assert(sm_config_encoding(8) == 3 && sm_config_encoding(100) == 26);

// The "verified launch recipe" of notes §5 on an H100 (QMD V04, HOPPER_COMPUTE_A): every field a
// launch needs except the per-launch ones (grid, block, register count, program address, constant
// buffer 0's address and size, the release's address and payload). Sets:
//   QMD_TYPE 2 (GRID_CTA; 0 launches nothing), API_VISIBLE_CALL_LIMIT 1 (NO_CHECK),
//   SHARED_MEMORY_SIZE 0x400 (what was run; whether 0 is accepted is not known),
//   MIN/TARGET_SM_CONFIG 3 (8 KiB), MAX_SM_CONFIG 0x1A (100 KiB),
//   all six INVALIDATE_*_CACHE bits, CWD_MEMBAR_TYPE 1 (L1_SYSMEMBAR),
//   constant buffer 0 valid + invalidate, release 0 enabled with MEMBAR_TYPE 1 (FE_SYSMEMBAR)
//   and PAYLOAD64B (four-word structure: 64-bit payload at +0, timestamp at +8).
// A kernel with more static shared memory must raise shared_memory_bytes and the SM configs.
LaunchDesc hopper_launch_defaults();

}  // namespace hcq::nv
