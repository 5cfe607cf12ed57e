#include "rm.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "hcq/error.hpp"

namespace hcq::nv {

namespace {

// RM status codes by name (src/common/sdk/nvidia/inc/nvstatuscodes.h): the ones a userspace
// client meets in practice; others print as numbers.
struct StatusName {
  uint32_t code;
  const char* name;
};
constexpr StatusName status_names[] = {
    {0x00, "NV_OK"},
    {0x16, "NV_ERR_ILLEGAL_ACTION"},
    {0x17, "NV_ERR_IN_USE"},
    {0x1A, "NV_ERR_INSUFFICIENT_RESOURCES"},
    {0x1B, "NV_ERR_INSUFFICIENT_PERMISSIONS"},
    {0x1E, "NV_ERR_INVALID_ADDRESS"},
    {0x1F, "NV_ERR_INVALID_ARGUMENT"},
    {0x22, "NV_ERR_INVALID_CLASS"},
    {0x23, "NV_ERR_INVALID_CLIENT"},
    {0x24, "NV_ERR_INVALID_COMMAND"},
    {0x26, "NV_ERR_INVALID_DEVICE"},
    {0x29, "NV_ERR_INVALID_FLAGS"},
    {0x2E, "NV_ERR_INVALID_LIMIT"},
    {0x31, "NV_ERR_INVALID_OBJECT"},
    {0x33, "NV_ERR_INVALID_OBJECT_HANDLE"},
    {0x36, "NV_ERR_INVALID_OBJECT_PARENT"},
    {0x37, "NV_ERR_INVALID_OFFSET"},
    {0x3B, "NV_ERR_INVALID_PARAMETER"},
    {0x40, "NV_ERR_INVALID_STATE"},
    {0x4F, "NV_ERR_NO_FREE_FIFOS"},
    {0x51, "NV_ERR_NO_MEMORY"},
    {0x56, "NV_ERR_NOT_SUPPORTED"},
    {0x57, "NV_ERR_OBJECT_NOT_FOUND"},
    {0x5B, "NV_ERR_OUT_OF_RANGE"},
    {0x63, "NV_ERR_STATE_IN_USE"},
    {0x65, "NV_ERR_TIMEOUT"},
    {0x68, "NV_ERR_UVM_ADDRESS_IN_USE"},
    {0xFFFF, "NV_ERR_GENERIC"},
};

int open_node(const std::string& path) { return ::open(path.c_str(), O_RDWR | O_CLOEXEC); }

}  // namespace

std::string rm_status_name(uint32_t status) {
  for (const auto& s : status_names) {
    if (s.code == status) return fmt::format("{} ({:#x})", s.name, status);
  }
  return fmt::format("RM status {:#x}", status);
}

std::vector<CardInfo> list_cards() {
  int fd = open_node("/dev/nvidiactl");
  if (fd < 0) {
    if (errno == ENOENT || errno == ENXIO || errno == ENODEV) return {};
    throw Error(Errc::io, "nv", "rm", fmt::format("cannot open /dev/nvidiactl: {}; check its permissions", std::strerror(errno)));
  }
  std::vector<abi::CardInfo> cards(abi::max_devices);
  int rc = ::ioctl(fd, abi::iowr(abi::esc::card_info, sizeof(abi::CardInfo) * abi::max_devices), cards.data());
  int err = errno;
  ::close(fd);
  if (rc != 0) {
    throw Error(Errc::io, "nv", "rm",
                fmt::format("CARD_INFO on /dev/nvidiactl failed: {}; is the NVIDIA kernel module 580 loaded?", std::strerror(err)));
  }
  std::vector<CardInfo> out;
  for (const auto& c : cards) {
    if (!c.valid) continue;
    out.push_back({c.minor_number,
                   fmt::format("{:04x}:{:02x}:{:02x}.{:x}", c.pci_info.domain, c.pci_info.bus, c.pci_info.slot, c.pci_info.function),
                   c.pci_info.vendor_id, c.pci_info.device_id, c.gpu_id, c.fb_size});
  }
  return out;
}

Rm::Rm(std::string who, bool with_uvm) : who_(std::move(who)) {
  ctl_ = open_node("/dev/nvidiactl");
  if (ctl_ < 0) fail("open", fmt::format("cannot open /dev/nvidiactl: {}", std::strerror(errno)), "load the NVIDIA kernel module");
  abi::Os21Alloc a{};
  ioctl_or_throw(ctl_, abi::esc::rm_alloc, &a, sizeof(a), "root client");
  if (a.status != 0) fail("root client", rm_status_name(a.status), "check dmesg for NVRM messages");
  root_ = a.hObjectNew;
  if (!with_uvm) return;

  // UVM: one fd for the session and a second that ties this process's mm to it.
  uvm_ = open_node("/dev/nvidia-uvm");
  uvm_mm_ = open_node("/dev/nvidia-uvm");
  if (uvm_ < 0 || uvm_mm_ < 0) {
    fail("uvm", fmt::format("cannot open /dev/nvidia-uvm: {}", std::strerror(errno)), "load nvidia-uvm (modprobe nvidia-uvm)");
  }
  abi::UvmInitialize init{};
  uvm(abi::uvm::initialize, init, "UVM_INITIALIZE");
  abi::UvmMmInitialize mm{};
  mm.uvmFd = uvm_;
  if (::ioctl(uvm_mm_, abi::uvm::mm_initialize, &mm) != 0 || mm.rmStatus != 0) {
    fail("UVM_MM_INITIALIZE", fmt::format("errno {}, {}", errno, rm_status_name(mm.rmStatus)), "check dmesg for nvidia-uvm messages");
  }
}

Rm::~Rm() {
  if (root_) free(root_);  // frees every object of the client
  for (int fd : {uvm_mm_, uvm_, ctl_}) {
    if (fd >= 0) ::close(fd);
  }
}

void Rm::fail(const char* what, const std::string& observed, const std::string& todo) const {
  throw Error(Errc::io, who_, "rm", fmt::format("{}: {}; {}", what, observed, todo));
}

void Rm::ioctl_or_throw(int fd, uint32_t nr, void* arg, uint32_t size, const char* what) const {
  if (::ioctl(fd, abi::iowr(nr, size), arg) != 0) {
    fail(what, fmt::format("ioctl {:#x} failed: {}", nr, std::strerror(errno)),
         "the kernel module's ABI may not be 580's (see docs/nv.md)");
  }
}

Rm::Gpu Rm::alloc_gpu(const CardInfo& card) {
  abi::GpuIdInfoV2 id{};
  id.gpuId = card.gpu_id;
  control(root_, abi::ctrl::gpu_get_id_info_v2, id, "GPU_GET_ID_INFO_V2");
  abi::DeviceAlloc dev{};
  dev.deviceId = id.deviceInstance;
  dev.hClientShare = root_;
  uint32_t device = alloc(root_, abi::cls::device, &dev, "device");
  abi::SubdeviceAlloc sub{};
  return {device, alloc(device, abi::cls::subdevice, &sub, "subdevice")};
}

std::string Rm::driver_version() {
  abi::RmApiVersion v{};
  v.cmd = abi::version_query;
  ioctl_or_throw(ctl_, abi::esc::check_version_str, &v, sizeof(v), "CHECK_VERSION_STR");
  v.version[sizeof(v.version) - 1] = 0;
  return v.version;
}

uint32_t Rm::alloc_raw(uint32_t parent, uint32_t cls, void* params, uint32_t size, const char* what) {
  abi::Os21Alloc a{};
  a.hRoot = root_;
  a.hObjectParent = parent;
  a.hClass = cls;
  a.pAllocParms = reinterpret_cast<uintptr_t>(params);
  a.paramsSize = size;
  ioctl_or_throw(ctl_, abi::esc::rm_alloc, &a, sizeof(a), what);
  if (a.status != 0) {
    fail(what, fmt::format("RM_ALLOC of class {:#06x} under {:#x} returned {}", cls, parent, rm_status_name(a.status)),
         "check dmesg for NVRM messages; the class may not exist on this GPU");
  }
  return a.hObjectNew;
}

void Rm::free(uint32_t handle) noexcept {
  abi::Os00Free f{};
  f.hRoot = root_;
  f.hObjectParent = handle == root_ ? 0 : root_;
  f.hObjectOld = handle;
  ::ioctl(ctl_, abi::iowr(abi::esc::rm_free, sizeof(f)), &f);
}

uint32_t Rm::try_control(uint32_t object, uint32_t cmd, void* params, uint32_t size) noexcept {
  abi::Os54Control c{};
  c.hClient = root_;
  c.hObject = object;
  c.cmd = cmd;
  c.params = reinterpret_cast<uintptr_t>(params);
  c.paramsSize = size;
  if (::ioctl(ctl_, abi::iowr(abi::esc::rm_control, sizeof(c)), &c) != 0) return c.status ? c.status : 0xFFFF;
  return c.status;
}

void Rm::control_raw(uint32_t object, uint32_t cmd, void* params, uint32_t size, const char* what) {
  uint32_t status = try_control(object, cmd, params, size);
  if (status != 0) {
    fail(what, fmt::format("RM control {:#010x} ({} bytes) on {:#x} returned {}", cmd, size, object, rm_status_name(status)),
         "check dmesg for NVRM messages");
  }
}

int Rm::open_device_fd(uint32_t minor) {
  std::string path = fmt::format("/dev/nvidia{}", minor);
  int fd = open_node(path);
  if (fd < 0) fail("open", fmt::format("cannot open {}: {}", path, std::strerror(errno)), "check the node's permissions");
  abi::RegisterFd r{ctl_};
  if (::ioctl(fd, abi::iowr(abi::esc::register_fd, sizeof(r)), &r) != 0) {
    int err = errno;
    ::close(fd);
    fail("REGISTER_FD", fmt::format("on {}: {}", path, std::strerror(err)), "the kernel module's ABI may not be 580's");
  }
  return fd;
}

uint32_t Rm::alloc_os_descriptor(int device_fd, uint32_t device, void* cpu, uint64_t size) {
  abi::Os02AllocMemory m{};
  m.hRoot = root_;
  m.hObjectParent = device;
  m.hObjectNew = next_handle_++;  // RM_ALLOC_MEMORY does not pick handles: the client does
  m.hClass = abi::cls::memory_os_descriptor;
  m.flags = abi::os02::physicality_noncontiguous | abi::os02::coherency_cached | abi::os02::mapping_no_map;
  m.pMemory = reinterpret_cast<uintptr_t>(cpu);
  m.limit = size - 1;
  m.fd = -1;
  ioctl_or_throw(device_fd, abi::esc::rm_alloc_memory, &m, sizeof(m), "pinned host memory");
  if (m.status != 0) {
    fail("pinned host memory", fmt::format("RM_ALLOC_MEMORY of {} bytes returned {}", size, rm_status_name(m.status)),
         "the locked-memory limit (ulimit -l) or system memory may be exhausted");
  }
  return m.hObjectNew;
}

std::pair<void*, int> Rm::map_to_cpu(uint32_t minor, uint32_t device, uint32_t memory, uint64_t size) {
  int fd = open_device_fd(minor);
  abi::Os33MapMemory m{};
  m.hClient = root_;
  m.hDevice = device;
  m.hMemory = memory;
  m.length = size;
  m.fd = fd;
  if (::ioctl(ctl_, abi::iowr(abi::esc::rm_map_memory, sizeof(m)), &m) != 0 || m.status != 0) {
    int err = errno;
    ::close(fd);
    fail("CPU mapping", fmt::format("RM_MAP_MEMORY of {} bytes: errno {}, {}", size, err, rm_status_name(m.status)),
         "BAR1 may be too small for this allocation");
  }
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) {
    int err = errno;
    ::close(fd);
    fail("CPU mapping", fmt::format("mmap of {} bytes: {}", size, std::strerror(err)), "check dmesg for NVRM messages");
  }
  return {p, fd};
}

void Rm::uvm_raw(uint32_t cmd, void* params, size_t size, const uint32_t* status, const char* what) {
  (void)size;
  if (::ioctl(uvm_, cmd, params) != 0) {
    fail(what, fmt::format("UVM ioctl {} failed: {}", cmd, std::strerror(errno)), "check dmesg for nvidia-uvm messages");
  }
  if (*status != 0) fail(what, fmt::format("UVM ioctl {} returned {}", cmd, rm_status_name(*status)), "check dmesg for nvidia-uvm messages");
}

}  // namespace hcq::nv
