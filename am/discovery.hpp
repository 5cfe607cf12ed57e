// IP discovery: the table the firmware leaves at the top of VRAM that names every IP block of the
// chip with its version and register bases. Layout: our own transcription of Linux
// drivers/gpu/drm/amd/include/discovery.h (torvalds/linux; the same header is in tinygrad's
// extra/amdpci/headers/discovery.h); checksum rules from amdgpu_discovery.c.
//
// Discovery::parse checks every signature, checksum, count and offset before it reads anything and
// throws hcq::Error naming what is wrong; build_discovery writes the same format (the device model
// publishes its chip through it, and the tests corrupt its output).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hcq/firmware/manifest.hpp"
#include "registers/reg.hpp"

namespace hcq::am {

using IpVersion = fw::IpVersion;

namespace discovery {

inline constexpr uint32_t binary_signature = 0x28211407;
inline constexpr uint32_t ip_discovery_signature = 0x53445049;  // "IPDS"
inline constexpr uint32_t gc_table_id = 0x4347;                 // "GC"
inline constexpr uint32_t harvest_signature = 0x56524148;       // "HARV"
// Where the table sits: vram_size - tmr_offset (amdgpu_discovery.h DISCOVERY_TMR_OFFSET), at most
// tmr_size bytes read (DISCOVERY_TMR_SIZE).
inline constexpr uint64_t tmr_offset = 64 * 1024;
inline constexpr uint64_t tmr_size = 10 * 1024;

enum TableIndex : unsigned { ip_discovery = 0, gc = 1, harvest_info = 2, vcn_info = 3, mall_info = 4, nps_info = 5, total_tables = 6 };

#pragma pack(push, 1)
struct TableInfo {
  uint16_t offset;    // from the start of the binary
  uint16_t checksum;  // byte sum of the table
  uint16_t size;
  uint16_t padding;
};
static_assert(sizeof(TableInfo) == 8 && offsetof(TableInfo, checksum) == 2 && offsetof(TableInfo, size) == 4);

struct BinaryHeader {
  uint32_t binary_signature;
  uint16_t version_major;
  uint16_t version_minor;
  uint16_t binary_checksum;  // byte sum of [offsetof(binary_size), binary_size)
  uint16_t binary_size;
  TableInfo table_list[total_tables];
};
static_assert(sizeof(BinaryHeader) == 60 && offsetof(BinaryHeader, binary_checksum) == 8 &&
              offsetof(BinaryHeader, binary_size) == 10 && offsetof(BinaryHeader, table_list) == 12);

struct DieInfo {
  uint16_t die_id;
  uint16_t die_offset;  // of its DieHeader, from the start of the binary
};
static_assert(sizeof(DieInfo) == 4);

struct IpDiscoveryHeader {
  uint32_t signature;
  uint16_t version;
  uint16_t size;  // bytes the table checksum covers
  uint32_t id;
  uint16_t num_dies;
  DieInfo die_info[16];
  uint8_t flags;  // version 4: bit 0 base_addr_64_bit
  uint8_t reserved;
};
static_assert(sizeof(IpDiscoveryHeader) == 80 && offsetof(IpDiscoveryHeader, num_dies) == 12 &&
              offsetof(IpDiscoveryHeader, die_info) == 14 && offsetof(IpDiscoveryHeader, flags) == 78);
inline constexpr uint8_t flag_base_addr_64_bit = 0x1;

struct DieHeader {
  uint16_t die_id;
  uint16_t num_ips;
};
static_assert(sizeof(DieHeader) == 4);

// One IP entry (ip_v4); num_base_address u32 (or u64 with base_addr_64_bit) follow it.
struct IpEntry {
  uint16_t hw_id;
  uint8_t instance_number;
  uint8_t num_base_address;
  uint8_t major;
  uint8_t minor;
  uint8_t revision;
  uint8_t sub_revision_variant;  // sub_revision bits 3:0, variant bits 7:4
};
static_assert(sizeof(IpEntry) == 8 && offsetof(IpEntry, major) == 4 && offsetof(IpEntry, sub_revision_variant) == 7);
inline constexpr unsigned max_base_addresses = 16;  // more than any IP has; a bigger count is corruption

struct GpuInfoHeader {
  uint32_t table_id;
  uint16_t version_major;
  uint16_t version_minor;
  uint32_t size;  // header and data, bytes the checksum covers
};
static_assert(sizeof(GpuInfoHeader) == 12);

// gc_info v1.0 (gfx10 and later); v1.1+ append fields we do not use.
struct GcInfoV1_0 {
  GpuInfoHeader header;
  uint32_t gc_num_se;
  uint32_t gc_num_wgp0_per_sa;
  uint32_t gc_num_wgp1_per_sa;
  uint32_t gc_num_rb_per_se;
  uint32_t gc_num_gl2c;
  uint32_t gc_num_gprs;
  uint32_t gc_num_max_gs_thds;
  uint32_t gc_gs_table_depth;
  uint32_t gc_gsprim_buff_depth;
  uint32_t gc_parameter_cache_depth;
  uint32_t gc_double_offchip_lds_buffer;
  uint32_t gc_wave_size;
  uint32_t gc_max_waves_per_simd;
  uint32_t gc_max_scratch_slots_per_cu;
  uint32_t gc_lds_size;
  uint32_t gc_num_sc_per_se;
  uint32_t gc_num_sa_per_se;
  uint32_t gc_num_packer_per_sc;
  uint32_t gc_num_gl2a;
};
static_assert(sizeof(GcInfoV1_0) == 12 + 19 * 4 && offsetof(GcInfoV1_0, gc_num_se) == 12 &&
              offsetof(GcInfoV1_0, gc_wave_size) == 56 && offsetof(GcInfoV1_0, gc_num_sa_per_se) == 76);

struct HarvestInfo {
  uint16_t hw_id;  // 0 ends the list
  uint8_t number_instance;
  uint8_t reserved;
};
struct HarvestTable {
  uint32_t signature;
  uint32_t version;
  HarvestInfo list[32];
};
static_assert(sizeof(HarvestInfo) == 4 && sizeof(HarvestTable) == 136 && offsetof(HarvestTable, list) == 8);
#pragma pack(pop)

// The hardware ids of discovery.h / soc15_hw_ip.h for our HwIp list.
uint16_t hw_id(HwIp ip) noexcept;
std::optional<HwIp> from_hw_id(uint16_t hw_id) noexcept;

// The u16 byte sum amdgpu_discovery_verify_checksum compares.
uint16_t checksum(std::span<const std::byte> bytes) noexcept;

}  // namespace discovery

struct GcInfo {
  uint32_t num_se = 0, num_wgp0_per_sa = 0, num_wgp1_per_sa = 0, num_rb_per_se = 0, num_gl2c = 0;
  uint32_t wave_size = 0, max_waves_per_simd = 0, max_scratch_slots_per_cu = 0, lds_size = 0, num_sa_per_se = 0;
};

// One IP instance as the table lists it.
struct IpBlockInfo {
  HwIp ip;
  uint8_t instance = 0;
  IpVersion version;
  bool harvested = false;  // variant 1, or listed in the harvest table
  std::vector<uint32_t> bases;  // dword addresses, one per segment
};

class Discovery {
 public:
  Discovery() = default;
  // Parses a table read from the device. `device` names it in messages. Throws hcq::Error
  // (Errc::io) naming the table, the field and the values seen for anything malformed.
  static Discovery parse(std::span<const std::byte> bytes, std::string_view device);

  // The version of `ip` instance `inst`; a zero version when absent.
  IpVersion version(HwIp ip, unsigned inst = 0) const noexcept;
  bool has(HwIp ip, unsigned inst = 0) const noexcept { return find(ip, inst) != nullptr; }
  // Absolute dword base of (ip, inst, segment); nullopt when the table gives none.
  std::optional<uint32_t> base(HwIp ip, unsigned inst, unsigned seg) const noexcept;
  unsigned instances(HwIp ip) const noexcept;
  const std::vector<IpBlockInfo>& blocks() const noexcept { return blocks_; }
  const GcInfo& gc() const noexcept { return gc_; }
  const IpBlockInfo* find(HwIp ip, unsigned inst) const noexcept;

  // "gc 11.0.0 (bases 0x1260 0xa000 ...), ...": for logs.
  std::string describe() const;

 private:
  std::vector<IpBlockInfo> blocks_;
  GcInfo gc_;
};

// What build_discovery writes: the device model's chip description.
struct DiscoveryLayout {
  std::vector<IpBlockInfo> blocks;
  GcInfo gc;
  std::vector<std::pair<HwIp, uint8_t>> harvested;  // written into the harvest table
};
// A complete binary (binary header, IP discovery table of one die, gc_info v1.0, harvest table) with
// every checksum set. Throws hcq::Error(invalid_argument) when the layout does not fit the format.
std::vector<std::byte> build_discovery(const DiscoveryLayout& layout);

}  // namespace hcq::am
