// The tt-kmd ioctl ABI, in our own definitions. Source: tenstorrent/tt-kmd ioctl.h (API version 2,
// module 2.10): every ioctl is _IO(0xFA, n) (no size in the number); arguments are {in; out}
// structs. Sizes and offsets are asserted below so a layout mistake fails the build.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hcq::tt::kmd {

constexpr uint32_t ioctl_type = 0xFA;
// _IO(type, nr) on Linux: no direction and no size bits.
constexpr unsigned long io(uint32_t nr) { return (ioctl_type << 8) | nr; }

constexpr unsigned long get_device_info = io(0);
constexpr unsigned long query_mappings = io(2);
constexpr unsigned long allocate_dma_buf = io(3);
constexpr unsigned long get_driver_info = io(5);
constexpr unsigned long reset_device = io(6);
constexpr unsigned long pin_pages = io(7);
constexpr unsigned long unpin_pages = io(10);
constexpr unsigned long allocate_tlb = io(11);
constexpr unsigned long free_tlb = io(12);
constexpr unsigned long configure_tlb = io(13);
constexpr unsigned long set_noc_cleanup = io(14);
constexpr unsigned long set_power_state = io(15);

constexpr uint32_t driver_api_version = 2;  // TENSTORRENT_DRIVER_VERSION
constexpr uint32_t max_dma_bufs = 256;

struct GetDeviceInfo {
  struct In {
    uint32_t output_size_bytes;
  } in;
  struct Out {
    uint32_t output_size_bytes;
    uint16_t vendor_id, device_id, subsystem_vendor_id, subsystem_id;
    uint16_t bus_dev_fn;  // [0:2] function, [3:7] device, [8:15] bus
    uint16_t max_dma_buf_size_log2;
    uint16_t pci_domain;
    uint16_t reserved;
  } out;
};
static_assert(sizeof(GetDeviceInfo::In) == 4 && sizeof(GetDeviceInfo::Out) == 20 && sizeof(GetDeviceInfo) == 24);
static_assert(offsetof(GetDeviceInfo::Out, bus_dev_fn) == 12 && offsetof(GetDeviceInfo::Out, pci_domain) == 16);

struct Mapping {
  uint32_t mapping_id;
  uint32_t reserved;
  uint64_t mapping_base;  // mmap offset
  uint64_t mapping_size;
};
static_assert(sizeof(Mapping) == 24 && offsetof(Mapping, mapping_base) == 8);
// mapping_id values (not array indices): BAR0 = RESOURCE0, BAR2 = RESOURCE1, BAR4 = RESOURCE2.
enum MappingId : uint32_t { unused = 0, bar0_uc = 1, bar0_wc = 2, bar2_uc = 3, bar2_wc = 4, bar4_uc = 5, bar4_wc = 6 };

struct QueryMappingsIn {
  uint32_t output_mapping_count;
  uint32_t reserved;
};
static_assert(sizeof(QueryMappingsIn) == 8);

constexpr uint8_t dma_buf_noc_dma = 2;  // TENSTORRENT_ALLOCATE_DMA_BUF_NOC_DMA
struct AllocateDmaBuf {
  struct In {
    uint32_t requested_size;
    uint8_t buf_index;
    uint8_t flags;
    uint8_t reserved0[2];
    uint64_t reserved1[2];
  } in;
  struct Out {
    uint64_t physical_address;
    uint64_t mapping_offset;
    uint32_t size;
    uint32_t reserved0;
    uint64_t noc_address;
    uint64_t reserved1;
  } out;
};
static_assert(sizeof(AllocateDmaBuf::In) == 24 && sizeof(AllocateDmaBuf::Out) == 40 && sizeof(AllocateDmaBuf) == 64);
static_assert(offsetof(AllocateDmaBuf::Out, noc_address) == 24);

struct GetDriverInfo {
  struct In {
    uint32_t output_size_bytes;
  } in;
  struct Out {
    uint32_t output_size_bytes;
    uint32_t driver_version;  // ioctl API version
    uint8_t major, minor, patch, reserved0;
  } out;
};
static_assert(sizeof(GetDriverInfo) == 16 && offsetof(GetDriverInfo, out) == 4);

enum ResetFlags : uint32_t {
  restore_state = 0, reset_pcie_link = 1, config_write = 2, user_reset = 3, asic_reset = 4, asic_dmc_reset = 5,
  post_reset = 6,
};
struct ResetDevice {
  struct In {
    uint32_t output_size_bytes;
    uint32_t flags;
  } in;
  struct Out {
    uint32_t output_size_bytes;
    uint32_t result;  // 0 = ok
  } out;
};
static_assert(sizeof(ResetDevice) == 16);

enum PinFlags : uint32_t { pin_contiguous = 1, pin_noc_dma = 2, pin_noc_top_down = 4, pin_read_only = 8 };
struct PinPages {
  struct In {
    uint32_t output_size_bytes;
    uint32_t flags;
    uint64_t virtual_address;
    uint64_t size;
  } in;
  struct Out {  // tenstorrent_pin_pages_out_extended
    uint64_t physical_address;
    uint64_t noc_address;  // with pin_noc_dma
  } out;
};
static_assert(sizeof(PinPages::In) == 24 && sizeof(PinPages) == 40 && offsetof(PinPages, out) == 24);

struct UnpinPages {
  struct In {
    uint64_t virtual_address;  // as pinned
    uint64_t size;
    uint64_t reserved;
  } in;
};
static_assert(sizeof(UnpinPages) == 24);

struct AllocateTlb {
  struct In {
    uint64_t size;  // exactly one window size
    uint64_t reserved;
  } in;
  struct Out {
    uint32_t id;
    uint32_t reserved0;
    uint64_t mmap_offset_uc;
    uint64_t mmap_offset_wc;
    uint64_t reserved1;
  } out;
};
static_assert(sizeof(AllocateTlb) == 48 && offsetof(AllocateTlb, out) == 16 && offsetof(AllocateTlb::Out, mmap_offset_uc) == 8);

struct FreeTlb {
  struct In {
    uint32_t id;
  } in;
};
static_assert(sizeof(FreeTlb) == 4);

struct NocTlbConfig {
  uint64_t addr;
  uint16_t x_end, y_end, x_start, y_start;
  uint8_t noc, mcast, ordering, linked, static_vc;
  uint8_t reserved0[3];
  uint32_t reserved1[2];
};
static_assert(sizeof(NocTlbConfig) == 32 && offsetof(NocTlbConfig, noc) == 16 && offsetof(NocTlbConfig, static_vc) == 20);

struct ConfigureTlb {
  struct In {
    uint32_t id;
    uint32_t reserved;
    NocTlbConfig config;
  } in;
  struct Out {
    uint64_t reserved;
  } out;
};
static_assert(sizeof(ConfigureTlb) == 48 && offsetof(ConfigureTlb::In, config) == 8);

struct SetNocCleanup {
  uint32_t argsz;
  uint32_t flags;
  uint8_t enabled, x, y, noc;
  uint32_t reserved0;
  uint64_t addr;  // 4-byte aligned
  uint64_t data;  // low 32 bits written
};
static_assert(sizeof(SetNocCleanup) == 32 && offsetof(SetNocCleanup, addr) == 16);

enum PowerFlags : uint16_t { power_max_ai_clk = 1, power_mrisc_phy_wakeup = 2, power_tensix_enable = 4, power_l2cpu_enable = 8 };
constexpr uint32_t power_flag_count = 4;
struct PowerState {
  uint32_t argsz;
  uint32_t flags;
  uint8_t reserved0;
  uint8_t validity;  // bits 0-3: valid flag count, bits 4-7: valid setting count
  uint16_t power_flags;
  uint16_t power_settings[14];
};
static_assert(sizeof(PowerState) == 40 && offsetof(PowerState, power_flags) == 10);

}  // namespace hcq::tt::kmd
