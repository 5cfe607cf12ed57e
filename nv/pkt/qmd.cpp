// QMD encoder (see qmd.hpp): one generic writer driven by the per-version layout tables.
#include "pkt/qmd.hpp"

#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "hcq/error.hpp"

namespace hcq::nv {

bool set_field(std::span<uint32_t> qmd, const QmdField& f, uint64_t value) {
  if (!f.present()) return false;
  if (f.shift != 0 && (value & ((uint64_t{1} << f.shift) - 1)) != 0) return false;
  return set_bits(qmd, f.hi, f.lo, value >> f.shift);
}

uint64_t get_field(std::span<const uint32_t> qmd, const QmdField& f) {
  return f.present() ? get_bits(qmd, f.hi, f.lo) << f.shift : 0;
}

bool set_split(std::span<uint32_t> qmd, const QmdSplit& s, uint64_t value) {
  if (!s.lower.present() || !s.upper.present()) return false;
  if (s.shift != 0 && (value & ((uint64_t{1} << s.shift) - 1)) != 0) return false;
  const uint64_t shifted = value >> s.shift;
  const uint64_t upper = shifted >> 32;
  if (s.upper.width() < 64 && (upper >> s.upper.width()) != 0) return false;  // check before writing
  return set_bits(qmd, s.lower.hi, s.lower.lo, shifted & 0xFFFFFFFFu) && set_bits(qmd, s.upper.hi, s.upper.lo, upper);
}

uint64_t get_split(std::span<const uint32_t> qmd, const QmdSplit& s) {
  if (!s.lower.present() || !s.upper.present()) return 0;
  return (get_bits(qmd, s.lower.hi, s.lower.lo) | get_bits(qmd, s.upper.hi, s.upper.lo) << 32) << s.shift;
}

namespace {

// Writes through one layout, naming the field in any error.
class Writer {
 public:
  Writer(const QmdLayout& l, std::span<uint32_t> out) : l_(l), out_(out) {}

  // An exact value: a size or count, or an address whose low `shift` bits must be zero.
  void put(const QmdField& f, uint64_t value, const char* what) {
    if (!f.present()) return;
    if (!set_field(out_, f, value)) fail(f, value, what);
  }
  // A size: rounded up to the field's granule (1 << shift), which over-allocates harmlessly.
  void put_size(const QmdField& f, uint64_t bytes, const char* what) {
    if (!f.present()) return;
    const uint64_t granule = uint64_t{1} << f.shift;
    put(f, (bytes + granule - 1) / granule * granule, what);
  }
  void put_flag(const QmdField& f, bool on, const char* what) {
    if (on) put(f, 1, what);
  }
  void put(const QmdSplit& s, uint64_t value, const char* what) {
    if (!s.lower.present()) return;
    if (!set_split(out_, s, value)) {
      throw Error(Errc::invalid_argument, "", "QMD",
                  fmt::format("{}: {} 0x{:x} does not fit bits {}:{} and {}:{}{}", l_.name, what, value, s.upper.hi,
                              s.upper.lo, s.lower.hi, s.lower.lo, alignment_note(s.shift)));
    }
  }

 private:
  static std::string alignment_note(unsigned shift) {
    return shift ? fmt::format(" (stored >> {}, so it must be a multiple of {})", shift, 1u << shift) : "";
  }
  [[noreturn]] void fail(const QmdField& f, uint64_t value, const char* what) const {
    throw Error(Errc::invalid_argument, "", "QMD",
                fmt::format("{}: {} {} (0x{:x}) does not fit its {}-bit field {}:{}{}", l_.name, what, value, value,
                            f.width(), f.hi, f.lo, alignment_note(f.shift)));
  }

  const QmdLayout& l_;
  std::span<uint32_t> out_;
};

}  // namespace

void encode_qmd(const QmdLayout& l, const LaunchDesc& d, std::span<uint32_t> out) {
  if (out.size() < l.dwords)
    throw Error(Errc::internal, "", "QMD",
                fmt::format("{}: needs {} dwords, the buffer has {}", l.name, l.dwords, out.size()));
  out = out.first(l.dwords);
  std::fill(out.begin(), out.end(), 0u);
  Writer w(l, out);

  w.put(l.major_version, l.major, "QMD_MAJOR_VERSION");
  w.put(l.minor_version, l.minor, "QMD_MINOR_VERSION");
  w.put(l.qmd_type, d.qmd_type, "QMD_TYPE");
  w.put(l.qmd_group_id, d.qmd_group_id, "QMD_GROUP_ID");
  w.put(l.api_visible_call_limit, d.api_visible_call_limit, "API_VISIBLE_CALL_LIMIT");

  static constexpr const char* grid_names[] = {"grid width", "grid height", "grid depth"};
  static constexpr const char* block_names[] = {"block x", "block y", "block z"};
  for (unsigned i = 0; i < 3; ++i) {
    w.put(l.grid[i], d.grid[i], grid_names[i]);
    w.put(l.block[i], d.block[i], block_names[i]);
  }
  w.put(l.register_count, d.register_count, "register count");
  w.put(l.barrier_count, d.barrier_count, "barrier count");
  w.put_size(l.shared_memory_size, d.shared_memory_bytes, "shared memory size");
  w.put(l.min_sm_config_shared_mem_size, d.min_sm_config, "MIN_SM_CONFIG_SHARED_MEM_SIZE");
  w.put(l.max_sm_config_shared_mem_size, d.max_sm_config, "MAX_SM_CONFIG_SHARED_MEM_SIZE");
  w.put(l.target_sm_config_shared_mem_size, d.target_sm_config, "TARGET_SM_CONFIG_SHARED_MEM_SIZE");
  w.put_size(l.shader_local_memory_low_size, d.local_memory_low_bytes, "local memory (low) per thread");
  w.put_size(l.shader_local_memory_high_size, d.local_memory_high_bytes, "local memory (high) per thread");

  w.put_flag(l.invalidate_texture_header_cache, d.invalidate.texture_header, "INVALIDATE_TEXTURE_HEADER_CACHE");
  w.put_flag(l.invalidate_texture_sampler_cache, d.invalidate.texture_sampler, "INVALIDATE_TEXTURE_SAMPLER_CACHE");
  w.put_flag(l.invalidate_texture_data_cache, d.invalidate.texture_data, "INVALIDATE_TEXTURE_DATA_CACHE");
  w.put_flag(l.invalidate_shader_data_cache, d.invalidate.shader_data, "INVALIDATE_SHADER_DATA_CACHE");
  w.put_flag(l.invalidate_instruction_cache, d.invalidate.instruction, "INVALIDATE_INSTRUCTION_CACHE");
  w.put_flag(l.invalidate_shader_constant_cache, d.invalidate.shader_constant, "INVALIDATE_SHADER_CONSTANT_CACHE");
  w.put(l.cwd_membar_type, d.cwd_membar_type, "CWD_MEMBAR_TYPE");

  w.put(l.program_address, d.program_va, "program address");

  const QmdConstantBufferLayout& cb = l.constant_buffer;
  for (unsigned i = 0; i < qmd_constant_buffers; ++i) {
    const LaunchDesc::ConstantBuffer& c = d.constant_buffer[i];
    if (!c.valid) continue;
    w.put_flag(cb.valid.at(i), true, "CONSTANT_BUFFER_VALID");
    w.put_flag(cb.invalidate.at(i), c.invalidate, "CONSTANT_BUFFER_INVALIDATE");
    w.put(cb.address_of(i), c.va, "constant buffer address");
    w.put_size(cb.size.at(i), c.size, "constant buffer size");
  }

  for (unsigned i = 0; i < qmd_releases; ++i) {
    const LaunchDesc::Release& r = d.release[i];
    const QmdReleaseLayout& rl = l.release[i];
    if (!r.enable) continue;
    w.put_flag(rl.enable, true, "RELEASE_ENABLE");
    w.put(rl.structure_size, r.structure_size, "RELEASE_STRUCTURE_SIZE");
    w.put(rl.membar_type, r.membar, "RELEASE_MEMBAR_TYPE");
    w.put_flag(rl.payload64b, r.payload64, "RELEASE_PAYLOAD64B");
    w.put(rl.address, r.va, "release semaphore address");
    if (!r.payload64 && r.payload >> 32 != 0)
      throw Error(Errc::invalid_argument, "", "QMD",
                  fmt::format("{}: release {} payload 0x{:x} needs 64 bits but the release is 32-bit", l.name, i,
                              r.payload));
    w.put(rl.payload, r.payload, "release payload");
  }
}

LaunchDesc hopper_launch_defaults() {
  LaunchDesc d;
  d.qmd_type = qmd_type_grid_cta;
  d.api_visible_call_limit = api_visible_call_limit_no_check;
  d.shared_memory_bytes = 0x400;
  d.min_sm_config = sm_config_encoding(8);
  d.target_sm_config = sm_config_encoding(8);
  d.max_sm_config = sm_config_encoding(100);
  d.invalidate = {true, true, true, true, true, true};
  d.cwd_membar_type = cwd_membar_l1_sysmembar;
  d.constant_buffer[0].valid = true;
  d.constant_buffer[0].invalidate = true;
  d.release[0].enable = true;
  d.release[0].membar = release_membar_fe_sysmembar;
  d.release[0].payload64 = true;
  return d;
}

}  // namespace hcq::nv
