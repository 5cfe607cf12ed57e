// IP discovery parser and builder (discovery.hpp): every read is bounds-checked against the bytes
// given; checksums as amdgpu_discovery.c verifies them.
#include "discovery.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "hcq/error.hpp"

namespace hcq::am {

std::string_view to_string(HwIp ip) noexcept {
  static constexpr std::string_view names[] = {"gc",  "hdp",    "sdma0", "sdma1", "mmhub", "athub", "nbio", "mp0",
                                               "mp1", "osssys", "smuio", "thm",   "df",    "umc",   "vcn",  "dcn"};
  static_assert(std::size(names) == size_t(HwIp::count));
  return ip < HwIp::count ? names[size_t(ip)] : "unknown";
}

namespace discovery {

namespace {
// discovery.h / soc15_hw_ip.h hardware ids (NBIO is listed as NBIF, DCN as DMU), in HwIp order.
constexpr uint16_t hw_ids[] = {11, 41, 42, 43, 34, 35, 108, 255, 1, 40, 4, 3, 46, 150, 12, 271};
static_assert(std::size(hw_ids) == size_t(HwIp::count));
}  // namespace

uint16_t hw_id(HwIp ip) noexcept { return ip < HwIp::count ? hw_ids[size_t(ip)] : 0; }

std::optional<HwIp> from_hw_id(uint16_t id) noexcept {
  for (size_t i = 0; i < std::size(hw_ids); ++i)
    if (hw_ids[i] == id) return HwIp(i);
  return std::nullopt;
}

uint16_t checksum(std::span<const std::byte> bytes) noexcept {
  uint16_t sum = 0;
  for (std::byte b : bytes) sum = uint16_t(sum + uint8_t(b));
  return sum;
}

}  // namespace discovery

using namespace discovery;

namespace {

class Reader {
 public:
  Reader(std::span<const std::byte> bytes, std::string_view device) : bytes_(bytes), device_(device) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(Errc::io, std::string(device_), "discovery",
                what + "; the table at the top of VRAM is not what the firmware leaves there: reset the GPU "
                       "(or check that vram_mb/RCC_CONFIG_MEMSIZE is right) and retry");
  }
  template <class T>
  T at(uint64_t offset, std::string_view what) const {
    if (offset > bytes_.size() || bytes_.size() - offset < sizeof(T))
      fail(fmt::format("{} at byte {:#x} (+{} bytes) is past the end of the {}-byte table", what, offset, sizeof(T),
                       bytes_.size()));
    T value;
    std::memcpy(&value, bytes_.data() + offset, sizeof(T));
    return value;
  }
  void check_sum(uint64_t offset, uint64_t size, uint16_t expected, std::string_view what) const {
    if (offset > bytes_.size() || bytes_.size() - offset < size)
      fail(fmt::format("{} [{:#x}, +{:#x}) is past the end of the {}-byte table", what, offset, size, bytes_.size()));
    uint16_t got = checksum(bytes_.subspan(offset, size));
    if (got != expected) fail(fmt::format("{} checksum is {:#06x}, the header says {:#06x}", what, got, expected));
  }
  size_t size() const { return bytes_.size(); }

 private:
  std::span<const std::byte> bytes_;
  std::string_view device_;
};

IpBlockInfo read_entry(const Reader& r, uint64_t& pos, bool wide) {
  auto e = r.at<IpEntry>(pos, "IP entry");
  if (e.num_base_address > max_base_addresses)
    r.fail(fmt::format("IP entry at {:#x} (hw_id {}) claims {} base addresses (at most {})", pos, e.hw_id,
                       e.num_base_address, max_base_addresses));
  pos += sizeof(IpEntry);
  IpBlockInfo info{};
  info.instance = e.instance_number;
  info.version = {e.major, e.minor, e.revision};
  info.harvested = (e.sub_revision_variant >> 4) == 1;
  for (unsigned i = 0; i < e.num_base_address; ++i) {
    // 64-bit bases: the kernel keeps lower_32_bits & 0x3fffffff (a dword address).
    uint64_t b = wide ? r.at<uint64_t>(pos, "IP base address") & 0x3fffffffu : r.at<uint32_t>(pos, "IP base address");
    pos += wide ? 8 : 4;
    info.bases.push_back(uint32_t(b));
  }
  if (auto ip = from_hw_id(e.hw_id)) {
    info.ip = *ip;
  } else {
    info.ip = HwIp::count;  // an IP we have no use for: kept out of the list below
  }
  return info;
}

GcInfo read_gc(const Reader& r, const TableInfo& t) {
  auto h = r.at<GpuInfoHeader>(t.offset, "gc_info header");
  if (h.table_id != gc_table_id) r.fail(fmt::format("gc_info table id is {:#x}, expected {:#x}", h.table_id, gc_table_id));
  if (h.version_major != 1)
    r.fail(fmt::format("gc_info version {}.{} is not 1.x (gfx10 and later)", h.version_major, h.version_minor));
  if (h.size < sizeof(GcInfoV1_0)) r.fail(fmt::format("gc_info size {} is below v1.0's {}", h.size, sizeof(GcInfoV1_0)));
  r.check_sum(t.offset, h.size, t.checksum, "gc_info");
  auto g = r.at<GcInfoV1_0>(t.offset, "gc_info v1.0");
  return {g.gc_num_se,         g.gc_num_wgp0_per_sa,   g.gc_num_wgp1_per_sa,          g.gc_num_rb_per_se,
          g.gc_num_gl2c,       g.gc_wave_size,         g.gc_max_waves_per_simd,       g.gc_max_scratch_slots_per_cu,
          g.gc_lds_size,       g.gc_num_sa_per_se};
}

void apply_harvest(const Reader& r, const TableInfo& t, std::vector<IpBlockInfo>& blocks) {
  r.check_sum(t.offset, sizeof(HarvestTable), t.checksum, "harvest table");
  auto h = r.at<HarvestTable>(t.offset, "harvest table");
  if (h.signature != harvest_signature)
    r.fail(fmt::format("harvest table signature is {:#x}, expected {:#x}", h.signature, harvest_signature));
  for (const HarvestInfo& e : h.list) {
    if (e.hw_id == 0) break;
    auto ip = from_hw_id(e.hw_id);
    for (IpBlockInfo& b : blocks)
      if (ip && b.ip == *ip && b.instance == e.number_instance) b.harvested = true;
  }
}

}  // namespace

Discovery Discovery::parse(std::span<const std::byte> bytes, std::string_view device) {
  Reader r(bytes, device);
  auto bh = r.at<BinaryHeader>(0, "binary header");
  if (bh.binary_signature != binary_signature)
    r.fail(fmt::format("binary signature is {:#010x}, expected {:#010x}", bh.binary_signature, binary_signature));
  constexpr uint64_t sum_from = offsetof(BinaryHeader, binary_size);
  if (bh.binary_size < sizeof(BinaryHeader) || bh.binary_size > r.size())
    r.fail(fmt::format("binary size {} is outside [{}, {}]", bh.binary_size, sizeof(BinaryHeader), r.size()));
  r.check_sum(sum_from, bh.binary_size - sum_from, bh.binary_checksum, "binary");

  const TableInfo& ti = bh.table_list[ip_discovery];
  auto ih = r.at<IpDiscoveryHeader>(ti.offset, "IP discovery header");
  if (ih.signature != ip_discovery_signature)
    r.fail(fmt::format("IP discovery signature is {:#010x}, expected {:#010x}", ih.signature, ip_discovery_signature));
  r.check_sum(ti.offset, ih.size, ti.checksum, "IP discovery table");
  if (ih.num_dies == 0 || ih.num_dies > std::size(ih.die_info))
    r.fail(fmt::format("IP discovery table lists {} dies (1 to {})", ih.num_dies, std::size(ih.die_info)));
  bool wide = ih.version >= 4 && (ih.flags & flag_base_addr_64_bit);

  Discovery d;
  for (unsigned die = 0; die < ih.num_dies; ++die) {
    uint64_t pos = ih.die_info[die].die_offset;
    auto dh = r.at<DieHeader>(pos, "die header");
    pos += sizeof(DieHeader);
    // Each entry takes at least 8 bytes: a count the table cannot hold is corruption, not a long loop.
    if (uint64_t(dh.num_ips) * sizeof(IpEntry) > r.size() - std::min<uint64_t>(pos, r.size()))
      r.fail(fmt::format("die {} claims {} IP entries, more than the {}-byte table holds", die, dh.num_ips, r.size()));
    for (unsigned i = 0; i < dh.num_ips; ++i) {
      IpBlockInfo info = read_entry(r, pos, wide);
      if (info.ip != HwIp::count) d.blocks_.push_back(std::move(info));
    }
  }
  if (bh.table_list[TableIndex::gc].offset) d.gc_ = read_gc(r, bh.table_list[TableIndex::gc]);
  if (bh.table_list[harvest_info].offset) apply_harvest(r, bh.table_list[harvest_info], d.blocks_);
  return d;
}

const IpBlockInfo* Discovery::find(HwIp ip, unsigned inst) const noexcept {
  for (const IpBlockInfo& b : blocks_)
    if (b.ip == ip && b.instance == inst && !b.harvested) return &b;
  return nullptr;
}

IpVersion Discovery::version(HwIp ip, unsigned inst) const noexcept {
  const IpBlockInfo* b = find(ip, inst);
  return b ? b->version : IpVersion{};
}

std::optional<uint32_t> Discovery::base(HwIp ip, unsigned inst, unsigned seg) const noexcept {
  const IpBlockInfo* b = find(ip, inst);
  if (!b || seg >= b->bases.size()) return std::nullopt;
  return b->bases[seg];
}

unsigned Discovery::instances(HwIp ip) const noexcept {
  return unsigned(std::count_if(blocks_.begin(), blocks_.end(), [&](auto& b) { return b.ip == ip && !b.harvested; }));
}

std::string Discovery::describe() const {
  std::string out;
  for (const IpBlockInfo& b : blocks_) {
    out += fmt::format("{}{}[{}] {}{} (bases", out.empty() ? "" : ", ", to_string(b.ip), b.instance, b.version.text(),
                       b.harvested ? " harvested" : "");
    for (uint32_t base : b.bases) out += fmt::format(" {:#x}", base);
    out += ")";
  }
  return out;
}

// ---- Builder -------------------------------------------------------------------------------------

namespace {

template <class T>
void put(std::vector<std::byte>& out, uint64_t offset, const T& value) {
  if (out.size() < offset + sizeof(T)) out.resize(offset + sizeof(T));
  std::memcpy(out.data() + offset, &value, sizeof(T));
}

[[noreturn]] void bad_layout(const std::string& what) {
  throw Error(Errc::invalid_argument, "", "discovery", "cannot build the table: " + what);
}

}  // namespace

std::vector<std::byte> build_discovery(const DiscoveryLayout& layout) {
  std::vector<std::byte> out(sizeof(BinaryHeader));
  BinaryHeader bh{};
  bh.binary_signature = binary_signature;
  bh.version_major = 2;

  // IP discovery table: header, one die header, the entries (32-bit bases).
  const uint64_t ip_off = out.size();
  IpDiscoveryHeader ih{};
  ih.signature = ip_discovery_signature;
  ih.version = 4;
  ih.num_dies = 1;
  ih.die_info[0] = {0, uint16_t(ip_off + sizeof(IpDiscoveryHeader))};
  uint64_t pos = ip_off + sizeof(IpDiscoveryHeader);
  put(out, pos, DieHeader{0, uint16_t(layout.blocks.size())});
  pos += sizeof(DieHeader);
  for (const IpBlockInfo& b : layout.blocks) {
    if (b.bases.size() > max_base_addresses) bad_layout(fmt::format("{} has {} bases", to_string(b.ip), b.bases.size()));
    IpEntry e{hw_id(b.ip), b.instance, uint8_t(b.bases.size()), b.version.major, b.version.minor, b.version.rev,
              uint8_t(b.harvested ? 0x10 : 0)};
    put(out, pos, e);
    pos += sizeof(e);
    for (uint32_t base : b.bases) put(out, pos, base), pos += 4;
  }
  ih.size = uint16_t(pos - ip_off);
  put(out, ip_off, ih);
  bh.table_list[ip_discovery] = {uint16_t(ip_off), checksum(std::span(out).subspan(ip_off, ih.size)), ih.size, 0};

  const uint64_t gc_off = (pos + 3) & ~uint64_t{3};
  GcInfoV1_0 gi{};
  gi.header = {gc_table_id, 1, 0, sizeof(GcInfoV1_0)};
  const GcInfo& g = layout.gc;
  gi.gc_num_se = g.num_se, gi.gc_num_wgp0_per_sa = g.num_wgp0_per_sa, gi.gc_num_wgp1_per_sa = g.num_wgp1_per_sa;
  gi.gc_num_rb_per_se = g.num_rb_per_se, gi.gc_num_gl2c = g.num_gl2c, gi.gc_wave_size = g.wave_size;
  gi.gc_max_waves_per_simd = g.max_waves_per_simd, gi.gc_max_scratch_slots_per_cu = g.max_scratch_slots_per_cu;
  gi.gc_lds_size = g.lds_size, gi.gc_num_sa_per_se = g.num_sa_per_se;
  put(out, gc_off, gi);
  bh.table_list[TableIndex::gc] = {uint16_t(gc_off), checksum(std::span(out).subspan(gc_off, sizeof gi)), uint16_t(sizeof gi), 0};

  const uint64_t hv_off = gc_off + sizeof gi;
  HarvestTable ht{};
  ht.signature = harvest_signature;
  if (layout.harvested.size() >= std::size(ht.list)) bad_layout("too many harvested IPs");
  for (size_t i = 0; i < layout.harvested.size(); ++i)
    ht.list[i] = {hw_id(layout.harvested[i].first), layout.harvested[i].second, 0};
  put(out, hv_off, ht);
  bh.table_list[harvest_info] = {uint16_t(hv_off), checksum(std::span(out).subspan(hv_off, sizeof ht)), uint16_t(sizeof ht), 0};

  if (out.size() > tmr_size) bad_layout(fmt::format("{} bytes do not fit the {}-byte discovery region", out.size(), tmr_size));
  bh.binary_size = uint16_t(out.size());
  put(out, 0, bh);
  constexpr uint64_t sum_from = offsetof(BinaryHeader, binary_size);
  bh.binary_checksum = checksum(std::span(out).subspan(sum_from));
  put(out, 0, bh);
  return out;
}

}  // namespace hcq::am
