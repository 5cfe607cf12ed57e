// The NVIDIA open kernel module's user ABI, driver 580: ioctl numbers, RM escape structs, RM
// allocation and control parameter layouts, and the UVM ioctls this backend uses.
//
// Facts from NVIDIA/open-gpu-kernel-modules at tag 580.142 (files named per block), checked
// against driver 580.159.04 on an H100 (see docs/nv.md). The kernel checks most sizes exactly,
// so every struct carries static_asserts on its size and on the offsets that matter. Layouts that
// changed between 570 and 580 are marked "580".
#pragma once

#include <cstddef>
#include <cstdint>

namespace hcq::nv::abi {

// ---------------------------------------------------------------------------------------------
// ioctl request codes (kernel-open/common/inc/nv-ioctl-numbers.h, src/nvidia/arch/nvalloc/unix/
// include/nv_escape.h). Requests are _IOWR('F', nr, size); the size is checked against the struct.

inline constexpr uint32_t ioctl_magic = 'F';
constexpr uint32_t iowr(uint32_t nr, uint32_t size) { return (3u << 30) | (size << 16) | (ioctl_magic << 8) | nr; }

namespace esc {  // RM escapes, on /dev/nvidiactl unless noted
inline constexpr uint32_t card_info = 200;          // nv_ioctl_card_info_t[32]
inline constexpr uint32_t register_fd = 201;        // on /dev/nvidiaN: ties it to a ctl fd
inline constexpr uint32_t check_version_str = 210;
inline constexpr uint32_t rm_alloc_memory = 0x27;   // NVOS02, on /dev/nvidiaN
inline constexpr uint32_t rm_free = 0x29;           // NVOS00
inline constexpr uint32_t rm_control = 0x2A;        // NVOS54
inline constexpr uint32_t rm_alloc = 0x2B;          // NVOS21 (or NVOS64 by size)
inline constexpr uint32_t rm_map_memory = 0x4E;     // NVOS33 with fd
inline constexpr uint32_t rm_unmap_memory = 0x4F;   // NVOS34
}  // namespace esc

// ---------------------------------------------------------------------------------------------
// RM escape structs (src/common/sdk/nvidia/inc/nvos.h, kernel-open/common/inc/nv-ioctl.h)

struct Os00Free {  // NVOS00_PARAMETERS
  uint32_t hRoot, hObjectParent, hObjectOld, status;
};
static_assert(sizeof(Os00Free) == 16);

struct Os21Alloc {  // NVOS21_PARAMETERS
  uint32_t hRoot, hObjectParent, hObjectNew, hClass;
  uint64_t pAllocParms;
  uint32_t paramsSize, status;
};
static_assert(sizeof(Os21Alloc) == 32 && offsetof(Os21Alloc, pAllocParms) == 16 && offsetof(Os21Alloc, status) == 28);

struct Os54Control {  // NVOS54_PARAMETERS
  uint32_t hClient, hObject, cmd, flags;
  uint64_t params;
  uint32_t paramsSize, status;
};
static_assert(sizeof(Os54Control) == 32 && offsetof(Os54Control, params) == 16 && offsetof(Os54Control, status) == 28);

struct Os33MapMemory {  // NVOS33_PARAMETERS + fd (nv_ioctl_nvos33_parameters_with_fd)
  uint32_t hClient, hDevice, hMemory, pad0;
  uint64_t offset, length, pLinearAddress;
  uint32_t status, flags;
  int32_t fd;
  uint32_t pad1;
};
static_assert(sizeof(Os33MapMemory) == 56 && offsetof(Os33MapMemory, pLinearAddress) == 32 &&
              offsetof(Os33MapMemory, status) == 40 && offsetof(Os33MapMemory, fd) == 48);

struct Os34UnmapMemory {  // NVOS34_PARAMETERS
  uint32_t hClient, hDevice, hMemory, pad0;
  uint64_t pLinearAddress;
  uint32_t status, flags;
};
static_assert(sizeof(Os34UnmapMemory) == 32 && offsetof(Os34UnmapMemory, status) == 24);

struct Os02AllocMemory {  // NVOS02_PARAMETERS + fd (nv_ioctl_nvos02_parameters_with_fd)
  uint32_t hRoot, hObjectParent, hObjectNew, hClass;
  uint32_t flags, pad0;
  uint64_t pMemory, limit;
  uint32_t status, pad1;
  int32_t fd;
  uint32_t pad2;
};
static_assert(sizeof(Os02AllocMemory) == 56 && offsetof(Os02AllocMemory, pMemory) == 24 &&
              offsetof(Os02AllocMemory, status) == 40 && offsetof(Os02AllocMemory, fd) == 48);

// NVOS02 flags for NV01_MEMORY_SYSTEM_OS_DESCRIPTOR (nvos.h): pinned pages of the caller's memory.
namespace os02 {
inline constexpr uint32_t physicality_noncontiguous = 1u << 4;  // PHYSICALITY 7:4 = NONCONTIGUOUS
inline constexpr uint32_t coherency_cached = 1u << 12;          // COHERENCY 15:12 = CACHED
inline constexpr uint32_t mapping_no_map = 1u << 30;            // MAPPING 31:30 = NO_MAP
}  // namespace os02

struct PciInfo {  // nv_pci_info_t
  uint32_t domain;
  uint8_t bus, slot, function, pad0;
  uint16_t vendor_id, device_id;
};
static_assert(sizeof(PciInfo) == 12);

struct CardInfo {  // nv_ioctl_card_info_t
  uint8_t valid, pad0[3];
  PciInfo pci_info;
  uint32_t gpu_id;
  uint16_t interrupt_line, pad1;
  uint64_t reg_address, reg_size, fb_address, fb_size;
  uint32_t minor_number;
  char dev_name[10];
  uint8_t pad2[2];
};
static_assert(sizeof(CardInfo) == 72 && offsetof(CardInfo, pci_info) == 4 && offsetof(CardInfo, gpu_id) == 16 &&
              offsetof(CardInfo, reg_address) == 24 && offsetof(CardInfo, fb_address) == 40 &&
              offsetof(CardInfo, minor_number) == 56 && offsetof(CardInfo, dev_name) == 60);
inline constexpr uint32_t max_devices = 32;  // NV_MAX_DEVICES: CARD_INFO takes an array this long

struct RegisterFd {  // nv_ioctl_register_fd_t
  int32_t ctl_fd;
};
static_assert(sizeof(RegisterFd) == 4);

struct RmApiVersion {  // nv_ioctl_rm_api_version_t
  uint32_t cmd, reply;
  char version[64];
};
static_assert(sizeof(RmApiVersion) == 72);
inline constexpr uint32_t version_query = '2';  // NV_RM_API_VERSION_CMD_QUERY: RM copies its version out

// ---------------------------------------------------------------------------------------------
// Class numbers of RM objects (src/common/sdk/nvidia/inc/class/cl*.h)

namespace cls {
inline constexpr uint32_t root_client = 0x0041;        // NV01_ROOT_CLIENT
inline constexpr uint32_t device = 0x0080;             // NV01_DEVICE_0
inline constexpr uint32_t subdevice = 0x2080;          // NV20_SUBDEVICE_0
inline constexpr uint32_t vaspace = 0x90F1;            // FERMI_VASPACE_A
inline constexpr uint32_t channel_group = 0xA06C;      // KEPLER_CHANNEL_GROUP_A
inline constexpr uint32_t context_share = 0x9067;      // FERMI_CONTEXT_SHARE_A
inline constexpr uint32_t memory_local_user = 0x0040;  // NV01_MEMORY_LOCAL_USER (VRAM)
inline constexpr uint32_t memory_system = 0x003E;      // NV01_MEMORY_SYSTEM
inline constexpr uint32_t memory_os_descriptor = 0x0071;  // NV01_MEMORY_SYSTEM_OS_DESCRIPTOR
}  // namespace cls

// ---------------------------------------------------------------------------------------------
// Allocation parameters (src/common/sdk/nvidia/inc/class/cl0080.h, cl2080.h, cl90f1.h, cla06c.h,
// cl9067.h, alloc/alloc_channel.h, nvos.h). RM copies the class's own size from pAllocParms.

struct DeviceAlloc {  // NV0080_ALLOC_PARAMETERS
  uint32_t deviceId, hClientShare, hTargetClient, hTargetDevice, flags, pad0;
  uint64_t vaSpaceSize, vaStartInternal, vaLimitInternal;
  uint32_t vaMode, pad1;
};
static_assert(sizeof(DeviceAlloc) == 56 && offsetof(DeviceAlloc, vaSpaceSize) == 24 && offsetof(DeviceAlloc, vaMode) == 48);

struct SubdeviceAlloc {  // NV2080_ALLOC_PARAMETERS
  uint32_t subDeviceId;
};
static_assert(sizeof(SubdeviceAlloc) == 4);

struct VaspaceAlloc {  // NV_VASPACE_ALLOCATION_PARAMETERS (580: pasid added, 48 -> 56 bytes)
  uint32_t index, flags;
  uint64_t vaSize, vaStartInternal, vaLimitInternal;
  uint32_t bigPageSize, pad0;
  uint64_t vaBase;
  uint32_t pasid, pad1;
};
static_assert(sizeof(VaspaceAlloc) == 56 && offsetof(VaspaceAlloc, bigPageSize) == 32 && offsetof(VaspaceAlloc, vaBase) == 40 &&
              offsetof(VaspaceAlloc, pasid) == 48);
namespace vaspace_flags {
inline constexpr uint32_t externally_owned = 0x8;      // NV_VASPACE_ALLOCATION_FLAGS_IS_EXTERNALLY_OWNED (UVM manages it)
inline constexpr uint32_t enable_page_faulting = 0x40;  // NV_VASPACE_ALLOCATION_FLAGS_ENABLE_PAGE_FAULTING
}  // namespace vaspace_flags

struct ChannelGroupAlloc {  // NV_CHANNEL_GROUP_ALLOCATION_PARAMETERS
  uint32_t hObjectError, hObjectEccError, hVASpace, engineType;
  uint8_t bIsCallingContextVgpuPlugin, pad0[3];
};
static_assert(sizeof(ChannelGroupAlloc) == 20);
inline constexpr uint32_t engine_graphics = 1;  // NV2080_ENGINE_TYPE_GRAPHICS (compute runs on it)
inline constexpr uint32_t engine_copy0 = 9;     // NV2080_ENGINE_TYPE_COPY0; COPYn = 9 + n

struct CopyAlloc {  // NVB0B5_ALLOCATION_PARAMETERS (class/clb0b5sw.h)
  uint32_t version;     // 1: engineType is an NV2080_ENGINE_TYPE
  uint32_t engineType;
};
static_assert(sizeof(CopyAlloc) == 8);

struct CePceMask {  // NV2080_CTRL_CE_GET_CE_PCE_MASK_PARAMS (ctrl2080ce.h)
  uint32_t ceEngineType;  // NV2080_ENGINE_TYPE_COPYn
  uint32_t pceMask;       // the physical copy engines behind that logical one
};
static_assert(sizeof(CePceMask) == 8 && offsetof(CePceMask, pceMask) == 4);
inline constexpr uint32_t copy_engines = 10;  // COPY0..COPY9 (NV2080_ENGINE_TYPE_COPY0 + n)

struct ContextShareAlloc {  // NV_CTXSHARE_ALLOCATION_PARAMETERS
  uint32_t hVASpace, flags, subctxId;
};
static_assert(sizeof(ContextShareAlloc) == 12);
inline constexpr uint32_t ctxshare_async = 1;  // NV_CTXSHARE_ALLOCATION_FLAGS_SUBCONTEXT_ASYNC

struct MemoryDesc {  // NV_MEMORY_DESC_PARAMS
  uint64_t base, size;
  uint32_t addressSpace, cacheAttrib;
};
static_assert(sizeof(MemoryDesc) == 24);

struct ChannelAlloc {  // NV_CHANNEL_ALLOC_PARAMS (alloc/alloc_channel.h)
  uint32_t hObjectError, hObjectBuffer;
  uint64_t gpFifoOffset;
  uint32_t gpFifoEntries, flags, hContextShare, hVASpace;
  uint32_t hUserdMemory[8];
  uint64_t userdOffset[8];
  uint32_t engineType, cid, subDeviceId, hObjectEccError;
  MemoryDesc instanceMem, userdMem, ramfcMem, mthdbufMem;
  uint32_t hPhysChannelGroup, internalFlags;
  MemoryDesc errorNotifierMem, eccErrorNotifierMem;
  uint32_t ProcessID, SubProcessID;
  uint32_t encryptIv[3], decryptIv[3], hmacNonce[8];
  uint32_t tpcConfigID, pad0;
};
static_assert(sizeof(ChannelAlloc) == 368 && offsetof(ChannelAlloc, hUserdMemory) == 32 && offsetof(ChannelAlloc, userdOffset) == 64 &&
              offsetof(ChannelAlloc, engineType) == 128 && offsetof(ChannelAlloc, instanceMem) == 144 &&
              offsetof(ChannelAlloc, hPhysChannelGroup) == 240 && offsetof(ChannelAlloc, errorNotifierMem) == 248 &&
              offsetof(ChannelAlloc, ProcessID) == 296 && offsetof(ChannelAlloc, tpcConfigID) == 360);

struct MemoryAlloc {  // NV_MEMORY_ALLOCATION_PARAMS (nvos.h, NVOS32 attribute encodings)
  uint32_t owner, type, flags, width, height;
  int32_t pitch;
  uint32_t attr, attr2, format, comprCovg, zcullCovg, pad0;
  uint64_t rangeLo, rangeHi, size, alignment, offset, limit, address;
  uint32_t ctagOffset, hVASpace, internalflags, tag;
  int32_t numaNode;
  uint32_t pad1;
};
static_assert(sizeof(MemoryAlloc) == 128 && offsetof(MemoryAlloc, attr) == 24 && offsetof(MemoryAlloc, format) == 32 &&
              offsetof(MemoryAlloc, size) == 64 && offsetof(MemoryAlloc, offset) == 80 && offsetof(MemoryAlloc, address) == 96 &&
              offsetof(MemoryAlloc, hVASpace) == 108 && offsetof(MemoryAlloc, numaNode) == 120);
namespace os32 {  // NVOS32_* fields of MemoryAlloc (nvos.h)
inline constexpr uint32_t type_image = 0;
inline constexpr uint32_t flags_ignore_bank_placement = 0x1;
inline constexpr uint32_t flags_alignment_force = 0x100;
inline constexpr uint32_t flags_map_not_required = 0x8000;
inline constexpr uint32_t flags_persistent_vidmem = 0x10000;
inline constexpr uint32_t attr_page_size_huge = 3u << 23;        // PAGE_SIZE 24:23
inline constexpr uint32_t attr_location_vidmem = 0u << 25;       // LOCATION 26:25
inline constexpr uint32_t attr_physicality_allow_noncontig = 3u << 27;  // PHYSICALITY 28:27
inline constexpr uint32_t attr2_zbc_prefer_no_zbc = 1u << 0;     // ZBC 1:0
inline constexpr uint32_t attr2_gpu_cacheable_yes = 1u << 2;     // GPU_CACHEABLE 3:2
inline constexpr uint32_t attr2_page_size_huge_2mb = 1u << 20;   // PAGE_SIZE_HUGE 21:20
inline constexpr uint32_t format_default = 6;                    // the format the RM picks for pitch memory
}  // namespace os32

// ---------------------------------------------------------------------------------------------
// Controls (src/common/sdk/nvidia/inc/ctrl/...). Each size is checked exactly by the RM.

namespace ctrl {
inline constexpr uint32_t system_get_build_version_v2 = 0x0000013E;  // ctrl0000system.h
inline constexpr uint32_t gpu_get_id_info_v2 = 0x00000205;           // ctrl0000gpu.h
inline constexpr uint32_t device_get_classlist_v2 = 0x00800292;      // ctrl0080gpu.h (580: 200 entries)
inline constexpr uint32_t gpu_get_name_string = 0x20800110;          // ctrl2080gpu.h
inline constexpr uint32_t gpu_get_gid_info = 0x2080014A;             // ctrl2080gpu.h
inline constexpr uint32_t gr_get_info = 0x20801201;                  // ctrl2080gr.h
inline constexpr uint32_t fb_get_info_v2 = 0x20801303;               // ctrl2080fb.h (580: 128 entries)
inline constexpr uint32_t get_work_submit_token = 0xC36F0108;        // ctrlc36f.h, on a channel
inline constexpr uint32_t tsg_gpfifo_schedule = 0xA06C0101;          // ctrla06c.h (580: 3 bytes)
inline constexpr uint32_t channel_gpfifo_schedule = 0xA06F0103;      // ctrla06fgpfifo.h, same 3 bytes
inline constexpr uint32_t ce_get_ce_pce_mask = 0x20802A02;         // ctrl2080ce.h
}  // namespace ctrl

struct BuildVersion {  // NV0000_CTRL_SYSTEM_GET_BUILD_VERSION_V2_PARAMS
  char driverVersionBuffer[256], versionBuffer[512], titleBuffer[256];
  uint32_t changelistNumber, officialChangelistNumber;
};
static_assert(sizeof(BuildVersion) == 1032 && offsetof(BuildVersion, titleBuffer) == 768 && offsetof(BuildVersion, changelistNumber) == 1024);

struct GpuIdInfoV2 {  // NV0000_CTRL_GPU_GET_ID_INFO_V2_PARAMS
  uint32_t gpuId, gpuFlags, deviceInstance, subDeviceInstance, sliStatus, boardId, gpuInstance;
  int32_t numaId;
};
static_assert(sizeof(GpuIdInfoV2) == 32 && offsetof(GpuIdInfoV2, deviceInstance) == 8);

struct ClassListV2 {  // NV0080_CTRL_GPU_GET_CLASSLIST_V2_PARAMS
  uint32_t numClasses;
  uint32_t classList[200];
};
static_assert(sizeof(ClassListV2) == 804);

struct GpuNameString {  // NV2080_CTRL_GPU_GET_NAME_STRING_PARAMS, flags 0 = ASCII
  uint32_t flags;
  char ascii[128];
};
static_assert(sizeof(GpuNameString) == 132);

struct GidInfo {  // NV2080_CTRL_GPU_GET_GID_INFO_PARAMS; flags 2 = binary 16-byte UUID
  uint32_t index, flags, length;
  uint8_t data[256];
};
static_assert(sizeof(GidInfo) == 268 && offsetof(GidInfo, data) == 12);
inline constexpr uint32_t gid_format_binary = 2;

struct GrInfoEntry {  // NV2080_CTRL_GR_INFO
  uint32_t index, data;
};
struct GrGetInfo {  // NV2080_CTRL_GR_GET_INFO_PARAMS
  uint32_t grInfoListSize, pad0;
  uint64_t grInfoList;
  uint32_t grRouteInfo[4];
};
static_assert(sizeof(GrGetInfo) == 32 && offsetof(GrGetInfo, grInfoList) == 8 && offsetof(GrGetInfo, grRouteInfo) == 16);
namespace gr_info {  // NV2080_CTRL_GR_INFO_INDEX_*
inline constexpr uint32_t sm_version = 0x0C;
inline constexpr uint32_t max_warps_per_sm = 0x0D;
inline constexpr uint32_t litter_num_gpcs = 0x14;
inline constexpr uint32_t litter_num_tpc_per_gpc = 0x17;
inline constexpr uint32_t litter_num_sm_per_tpc = 0x20;
inline constexpr uint32_t shader_pipe_sub_count = 0x09;  // enabled TPCs (66 on an H100 SXM5 80GB)
}  // namespace gr_info

struct FbInfoV2 {  // NV2080_CTRL_FB_GET_INFO_V2_PARAMS
  uint32_t fbInfoListSize;
  GrInfoEntry fbInfoList[128];  // {index, data}
};
static_assert(sizeof(FbInfoV2) == 1028);
namespace fb_info {  // NV2080_CTRL_FB_INFO_INDEX_*
inline constexpr uint32_t total_ram_size_kib = 0x8;
inline constexpr uint32_t heap_free_kib = 0x16;
inline constexpr uint32_t usable_ram_size_kib = 0x20;
}  // namespace fb_info

struct WorkSubmitToken {  // NVC36F_CTRL_CMD_GPFIFO_GET_WORK_SUBMIT_TOKEN_PARAMS
  uint32_t workSubmitToken;
};
static_assert(sizeof(WorkSubmitToken) == 4);

struct GpfifoSchedule {  // NVA06C_CTRL_GPFIFO_SCHEDULE_PARAMS (580: bSkipEnable added)
  uint8_t bEnable, bSkipSubmit, bSkipEnable;
};
static_assert(sizeof(GpfifoSchedule) == 3);

// ---------------------------------------------------------------------------------------------
// UVM (kernel-open/nvidia-uvm/uvm_ioctl.h, uvm_linux_ioctl.h). The request is the bare number;
// the kernel copies sizeof(params), and every params struct ends with rmStatus.

namespace uvm {
inline constexpr uint32_t initialize = 0x30000001;
inline constexpr uint32_t register_gpu_vaspace = 25;
inline constexpr uint32_t unregister_gpu_vaspace = 26;
inline constexpr uint32_t register_channel = 27;
inline constexpr uint32_t unregister_channel = 28;
inline constexpr uint32_t map_external_allocation = 33;
inline constexpr uint32_t free = 34;
inline constexpr uint32_t register_gpu = 37;
inline constexpr uint32_t unregister_gpu = 38;
inline constexpr uint32_t create_external_range = 73;
inline constexpr uint32_t mm_initialize = 75;
inline constexpr uint32_t max_gpus = 256;  // UVM_MAX_GPUS (v2 numbering)
}  // namespace uvm

struct Uuid {
  uint8_t bytes[16];
};

struct UvmInitialize {
  uint64_t flags;
  uint32_t rmStatus, pad0;
};
static_assert(sizeof(UvmInitialize) == 16);

struct UvmMmInitialize {
  int32_t uvmFd;
  uint32_t rmStatus;
};
static_assert(sizeof(UvmMmInitialize) == 8);

struct UvmRegisterGpu {
  Uuid gpu_uuid;
  uint8_t numaEnabled, pad0[3];
  int32_t numaNodeId, rmCtrlFd;
  uint32_t hClient, hSmcPartRef, rmStatus;
};
static_assert(sizeof(UvmRegisterGpu) == 40 && offsetof(UvmRegisterGpu, rmCtrlFd) == 24 && offsetof(UvmRegisterGpu, rmStatus) == 36);

struct UvmUnregisterGpu {
  Uuid gpu_uuid;
  uint32_t rmStatus;
};
static_assert(sizeof(UvmUnregisterGpu) == 20);

struct UvmUnregisterGpuVaspace {
  Uuid gpuUuid;
  uint32_t rmStatus;
};
static_assert(sizeof(UvmUnregisterGpuVaspace) == 20);

struct UvmUnregisterChannel {
  Uuid gpuUuid;
  uint32_t hClient, hChannel, rmStatus;
};
static_assert(sizeof(UvmUnregisterChannel) == 28);

struct UvmRegisterGpuVaspace {
  Uuid gpuUuid;
  int32_t rmCtrlFd;
  uint32_t hClient, hVaSpace, rmStatus;
};
static_assert(sizeof(UvmRegisterGpuVaspace) == 32);

struct UvmRegisterChannel {
  Uuid gpuUuid;
  int32_t rmCtrlFd;
  uint32_t hClient, hChannel, pad0;
  uint64_t base, length;
  uint32_t rmStatus, pad1;
};
static_assert(sizeof(UvmRegisterChannel) == 56 && offsetof(UvmRegisterChannel, base) == 32 && offsetof(UvmRegisterChannel, rmStatus) == 48);

struct UvmRange {  // UVM_CREATE_EXTERNAL_RANGE_PARAMS and UVM_FREE_PARAMS share this shape
  uint64_t base, length;
  uint32_t rmStatus, pad0;
};
static_assert(sizeof(UvmRange) == 24);

struct UvmGpuMappingAttributes {
  Uuid gpuUuid;
  uint32_t gpuMappingType, gpuCachingType, gpuFormatType, gpuElementBits, gpuCompressionType;
};
static_assert(sizeof(UvmGpuMappingAttributes) == 36);

struct UvmMapExternalAllocation {
  uint64_t base, length, offset;
  UvmGpuMappingAttributes perGpuAttributes[uvm::max_gpus];
  uint64_t gpuAttributesCount;
  int32_t rmCtrlFd;
  uint32_t hClient, hMemory, rmStatus;
};
static_assert(sizeof(UvmMapExternalAllocation) == 9264 && offsetof(UvmMapExternalAllocation, gpuAttributesCount) == 9240 &&
              offsetof(UvmMapExternalAllocation, rmStatus) == 9260);

}  // namespace hcq::nv::abi
