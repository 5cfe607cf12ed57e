// The VFIO transport: the function bound to vfio-pci, its IOMMU group in a type-1 container.
// BARs and config space are regions of the device fd, DMA memory is mapped into the IOMMU at
// IOVAs from our allocator, MSI-X/MSI vectors signal eventfds. Written against the kernel's
// UAPI (linux/vfio.h and Documentation/driver-api/vfio.rst); not yet run on a real device.
#include <fcntl.h>
#include <linux/vfio.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <mutex>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "dma_host.hpp"
#include "hcq/error.hpp"
#include "iova.hpp"
#include "pci_common.hpp"
#include "pci_open.hpp"
#include "pci_regs.hpp"

namespace hcq::kmdfree {

namespace {

// IOVAs from 4 GiB (below it x86 IOMMUs reserve the MSI window 0xfee00000) up to 2^44, which
// every GPU's DMA mask covers.
constexpr uint64_t iova_base = 1ull << 32;
constexpr uint64_t iova_limit = 1ull << 44;
constexpr uint32_t max_vectors = 32;
constexpr uint32_t bar_io_space = 1;  // bit 0 of a BAR register: I/O space

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  int get() const noexcept { return fd_; }

 private:
  int fd_;
};

// Container and group, shared with every DMA buffer (which must unmap before they close).
struct VfioIommu {
  Fd container;
  Fd group;
  bool noiommu = false;
  IovaAllocator iova{iova_base, iova_limit - iova_base};
};

class VfioDmaBuffer final : public DmaBuffer {
 public:
  VfioDmaBuffer(std::shared_ptr<VfioIommu> iommu, std::unique_ptr<HostPages> pages, uint64_t size, uint64_t iova)
      : iommu_(std::move(iommu)), pages_(std::move(pages)), size_(size), iova_(iova) {}
  ~VfioDmaBuffer() override {
    vfio_iommu_type1_dma_unmap unmap{};
    unmap.argsz = sizeof unmap;
    unmap.iova = iova_;
    unmap.size = pages_->mapped_size();
    ::ioctl(iommu_->container.get(), VFIO_IOMMU_UNMAP_DMA, &unmap);  // nothing to do on failure
    iommu_->iova.free(iova_);
  }
  std::byte* cpu() noexcept override { return pages_->data(); }
  uint64_t size() const noexcept override { return size_; }
  uint64_t bus_address(uint64_t offset) const noexcept override { return iova_ + offset; }
  bool contiguous() const noexcept override { return true; }

 private:
  std::shared_ptr<VfioIommu> iommu_;
  std::unique_ptr<HostPages> pages_;
  uint64_t size_;
  uint64_t iova_;
};

class VfioBar final : public Bar {
 public:
  VfioBar(std::byte* base, uint64_t size) : base_(base), size_(size) {}
  ~VfioBar() override { ::munmap(base_, size_); }
  uint64_t size() const noexcept override { return size_; }
  uint32_t read32(uint64_t o) noexcept override { return ok(o, 4) ? *reinterpret_cast<volatile uint32_t*>(base_ + o) : ~0u; }
  void write32(uint64_t o, uint32_t v) noexcept override {
    if (ok(o, 4)) *reinterpret_cast<volatile uint32_t*>(base_ + o) = v;
  }
  uint64_t read64(uint64_t o) noexcept override { return ok(o, 8) ? *reinterpret_cast<volatile uint64_t*>(base_ + o) : ~uint64_t{0}; }
  void write64(uint64_t o, uint64_t v) noexcept override {
    if (ok(o, 8)) *reinterpret_cast<volatile uint64_t*>(base_ + o) = v;
  }
  void read(uint64_t o, void* dst, size_t n) noexcept override {
    if (o <= size_ && size_ - o >= n) std::memcpy(dst, base_ + o, n);
  }
  void write(uint64_t o, const void* src, size_t n) noexcept override {
    if (o <= size_ && size_ - o >= n) std::memcpy(base_ + o, src, n);
  }
  std::byte* direct() noexcept override { return base_; }

 private:
  bool ok(uint64_t o, uint64_t n) const noexcept { return o % n == 0 && o <= size_ && size_ - o >= n; }
  std::byte* base_;
  uint64_t size_;
};

struct Region {
  uint64_t offset = 0;
  uint64_t size = 0;
  bool mmap = false;
};

class VfioPciDevice final : public PciDevice {
 public:
  VfioPciDevice(const PciAddress& address, const OpenOptions& options);
  ~VfioPciDevice() override;

  const PciAddress& address() const noexcept override { return address_; }
  const PciIdentity& identity() const noexcept override { return identity_; }
  std::string_view transport() const noexcept override { return "vfio"; }
  uint32_t config_read(uint32_t offset, int width) override;
  void config_write(uint32_t offset, uint32_t value, int width) override;
  Bar& bar(int index) override;
  bool has_bar(int index) const noexcept override { return index >= 0 && index < pci_regs::bar_count && memory_bar_[index]; }
  uint64_t bar_size(int index) const noexcept override { return has_bar(index) ? bars_[index].size : 0; }
  std::unique_ptr<DmaBuffer> alloc_dma(uint64_t size, bool contiguous) override;
  bool has_interrupts() const noexcept override { return !irq_fds_.empty(); }
  bool wait_interrupt(uint32_t vector, std::chrono::milliseconds timeout) override;
  void reset(ResetKind kind) override;

 private:
  void open_group(const std::string& dir);
  void open_device();
  Region region(uint32_t index);
  void enable_interrupts();

  PciAddress address_;
  OpenOptions options_;
  std::string name_;
  PciIdentity identity_;
  std::unique_ptr<DeviceLock> lock_;
  std::shared_ptr<VfioIommu> iommu_ = std::make_shared<VfioIommu>();
  Fd device_;
  vfio_device_info info_{};
  Region config_;
  std::array<Region, pci_regs::bar_count> bars_{};
  std::array<bool, pci_regs::bar_count> memory_bar_{};
  std::mutex bar_mutex_;
  std::unique_ptr<Bar> mapped_[pci_regs::bar_count];
  std::vector<Fd> irq_fds_;
  uint32_t irq_index_ = 0;
};

std::string iommu_group(const std::string& dir) {
  char target[PATH_MAX];
  ssize_t n = ::readlink((dir + "/iommu_group").c_str(), target, sizeof target - 1);
  if (n <= 0) return {};
  std::string_view link(target, static_cast<size_t>(n));
  return std::string(link.substr(link.rfind('/') + 1));
}

VfioPciDevice::VfioPciDevice(const PciAddress& address, const OpenOptions& options)
    : address_(address), options_(options), name_(detail::error_device("vfio", address)) {
  std::string dir = options_.sysfs_root + "/" + address_.str();
  auto id = detail::read_sysfs_identity(dir);
  if (!id) throw Error(Errc::not_found, name_, "vfio", fmt::format("no PCI function at {} (lspci -D lists the functions present)", dir));
  identity_ = *id;
  std::string driver = detail::bound_driver(dir);
  if (driver != "vfio-pci") {
    throw Error(Errc::busy, name_, "vfio",
                fmt::format("the function is bound to {}, not vfio-pci; as root: {}echo vfio-pci > {}/driver_override; "
                            "echo {} > /sys/bus/pci/drivers_probe",
                            driver.empty() ? "no driver" : "'" + driver + "'",
                            driver.empty() ? "" : fmt::format("echo {} > {}/driver/unbind; ", address_.str(), dir), dir, address_.str()));
  }
  lock_ = std::make_unique<DeviceLock>(address_.str(), options_.lock_dir);
  open_group(dir);
  open_device();
  enable_interrupts();
}

VfioPciDevice::~VfioPciDevice() {
  for (auto& b : mapped_) b.reset();
  if (!irq_fds_.empty()) {
    vfio_irq_set off{};
    off.argsz = sizeof off;
    off.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER;
    off.index = irq_index_;
    ::ioctl(device_.get(), VFIO_DEVICE_SET_IRQS, &off);  // disables the vectors; nothing to do on failure
  }
}

void VfioPciDevice::open_group(const std::string& dir) {
  std::string group = iommu_group(dir);
  if (group.empty()) {
    throw Error(Errc::unsupported, name_, "vfio",
                fmt::format("{} has no iommu_group: enable the IOMMU (intel_iommu=on or amd_iommu=on on the kernel command line), "
                            "or use the sysfs transport ({})", dir, address_.str()));
  }
  std::string container_path = options_.vfio_dir + "/vfio";
  iommu_->container = Fd(::open(container_path.c_str(), O_RDWR | O_CLOEXEC));
  if (iommu_->container.get() < 0) {
    throw Error(Errc::not_found, name_, "vfio", fmt::format("cannot open {}: {}; load the driver (modprobe vfio-pci) and run as root",
                                                            container_path, std::strerror(errno)));
  }
  int api = ::ioctl(iommu_->container.get(), VFIO_GET_API_VERSION);
  if (api != VFIO_API_VERSION) {
    throw Error(Errc::unsupported, name_, "vfio", fmt::format("{} is not a VFIO container (API version {}, expected {})", container_path, api, VFIO_API_VERSION));
  }
  // A no-IOMMU group (vfio enable_unsafe_noiommu_mode) is named noiommu-N.
  std::string group_path = fmt::format("{}/{}", options_.vfio_dir, group);
  iommu_->group = Fd(::open(group_path.c_str(), O_RDWR | O_CLOEXEC));
  if (iommu_->group.get() < 0) {
    iommu_->group = Fd(::open(fmt::format("{}/noiommu-{}", options_.vfio_dir, group).c_str(), O_RDWR | O_CLOEXEC));
    iommu_->noiommu = iommu_->group.get() >= 0;
  }
  if (iommu_->group.get() < 0) throw Error(Errc::io, name_, "vfio", fmt::format("cannot open {}: {}; run as root", group_path, std::strerror(errno)));
  vfio_group_status status{};
  status.argsz = sizeof status;
  if (::ioctl(iommu_->group.get(), VFIO_GROUP_GET_STATUS, &status) != 0 || !(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
    throw Error(Errc::busy, name_, "vfio",
                fmt::format("IOMMU group {} is not viable: every function in it must be bound to vfio-pci or have no driver "
                            "(ls /sys/kernel/iommu_groups/{}/devices)", group, group));
  }
  int type = iommu_->noiommu ? VFIO_NOIOMMU_IOMMU : VFIO_TYPE1v2_IOMMU;
  int container = iommu_->container.get();
  if (::ioctl(iommu_->group.get(), VFIO_GROUP_SET_CONTAINER, &container) != 0) {
    throw Error(Errc::io, name_, "vfio", fmt::format("VFIO_GROUP_SET_CONTAINER: {}", std::strerror(errno)));
  }
  if (::ioctl(iommu_->container.get(), VFIO_SET_IOMMU, type) != 0) {
    throw Error(Errc::unsupported, name_, "vfio", fmt::format("VFIO_SET_IOMMU({}): {}", type, std::strerror(errno)));
  }
}

Region VfioPciDevice::region(uint32_t index) {
  vfio_region_info info{};
  info.argsz = sizeof info;
  info.index = index;
  if (::ioctl(device_.get(), VFIO_DEVICE_GET_REGION_INFO, &info) != 0) return {};
  return {info.offset, info.size, (info.flags & VFIO_REGION_INFO_FLAG_MMAP) != 0};
}

void VfioPciDevice::open_device() {
  std::string bdf = address_.str();
  device_ = Fd(::ioctl(iommu_->group.get(), VFIO_GROUP_GET_DEVICE_FD, bdf.c_str()));
  if (device_.get() < 0) throw Error(Errc::io, name_, "vfio", fmt::format("VFIO_GROUP_GET_DEVICE_FD: {}", std::strerror(errno)));
  info_.argsz = sizeof info_;
  if (::ioctl(device_.get(), VFIO_DEVICE_GET_INFO, &info_) != 0 || !(info_.flags & VFIO_DEVICE_FLAGS_PCI)) {
    throw Error(Errc::unsupported, name_, "vfio", "VFIO_DEVICE_GET_INFO failed or the device is not PCI");
  }
  config_ = region(VFIO_PCI_CONFIG_REGION_INDEX);
  if (config_.size == 0) throw Error(Errc::io, name_, "vfio", "the device has no config region");
  for (int i = 0; i < pci_regs::bar_count; ++i) {
    bars_[i] = region(VFIO_PCI_BAR0_REGION_INDEX + static_cast<uint32_t>(i));
    uint32_t reg = config_read(pci_regs::base_address_0 + 4 * static_cast<uint32_t>(i), 4);
    memory_bar_[i] = bars_[i].size != 0 && !(reg & bar_io_space);
  }
}

uint32_t VfioPciDevice::config_read(uint32_t offset, int width) {
  detail::check_config_access(name_, offset, width, static_cast<uint32_t>(std::min<uint64_t>(config_.size, pci_regs::extended_size)));
  uint8_t bytes[4] = {};
  if (::pread(device_.get(), bytes, static_cast<size_t>(width), static_cast<off_t>(config_.offset + offset)) != width) {
    throw Error(Errc::io, name_, "pci", fmt::format("config read of {} bytes at 0x{:x}: {}", width, offset, std::strerror(errno)));
  }
  return detail::config_field(bytes, 0, width);
}

void VfioPciDevice::config_write(uint32_t offset, uint32_t value, int width) {
  detail::check_config_access(name_, offset, width, static_cast<uint32_t>(std::min<uint64_t>(config_.size, pci_regs::extended_size)));
  uint8_t bytes[4] = {};
  detail::set_config_field(bytes, 0, value, width);
  if (::pwrite(device_.get(), bytes, static_cast<size_t>(width), static_cast<off_t>(config_.offset + offset)) != width) {
    throw Error(Errc::io, name_, "pci", fmt::format("config write of {} bytes at 0x{:x}: {}", width, offset, std::strerror(errno)));
  }
}

Bar& VfioPciDevice::bar(int index) {
  if (!has_bar(index)) throw Error(Errc::not_found, name_, "vfio", fmt::format("BAR {} is not a memory BAR", index));
  std::lock_guard lock(bar_mutex_);
  if (mapped_[index]) return *mapped_[index];
  const Region& r = bars_[index];
  if (!r.mmap) throw Error(Errc::unsupported, name_, "vfio", fmt::format("BAR {} cannot be mmapped through VFIO", index));
  void* p = ::mmap(nullptr, r.size, PROT_READ | PROT_WRITE, MAP_SHARED, device_.get(), static_cast<off_t>(r.offset));
  if (p == MAP_FAILED) throw Error(Errc::io, name_, "vfio", fmt::format("cannot map BAR {} ({} bytes): {}", index, r.size, std::strerror(errno)));
  mapped_[index] = std::make_unique<VfioBar>(static_cast<std::byte*>(p), r.size);
  return *mapped_[index];
}

std::unique_ptr<DmaBuffer> VfioPciDevice::alloc_dma(uint64_t size, bool contiguous) {
  // No-IOMMU mode cannot map: the device sees physical addresses, as with sysfs.
  if (iommu_->noiommu) return alloc_physical_dma(size, contiguous, name_, options_.pagemap);
  auto pages = std::make_unique<HostPages>(size, false, name_);
  uint64_t align = pages->mapped_size() >= dma_hugepage_size ? dma_hugepage_size : dma_page_size;
  auto iova = iommu_->iova.allocate(pages->mapped_size(), align);
  if (!iova) throw Error(Errc::out_of_memory, name_, "dma", fmt::format("no IOVA range of {} bytes left", pages->mapped_size()));
  vfio_iommu_type1_dma_map map{};
  map.argsz = sizeof map;
  map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
  map.vaddr = reinterpret_cast<uintptr_t>(pages->data());
  map.iova = *iova;
  map.size = pages->mapped_size();
  if (::ioctl(iommu_->container.get(), VFIO_IOMMU_MAP_DMA, &map) != 0) {
    int err = errno;
    iommu_->iova.free(*iova);
    throw Error(Errc::out_of_memory, name_, "dma", fmt::format("VFIO_IOMMU_MAP_DMA of {} bytes: {}; raise the memlock limit (ulimit -l)", map.size, std::strerror(err)));
  }
  return std::make_unique<VfioDmaBuffer>(iommu_, std::move(pages), size, *iova);
}

// MSI-X if the function has it, else MSI; each vector signals its own eventfd.
void VfioPciDevice::enable_interrupts() {
  for (uint32_t index : {uint32_t{VFIO_PCI_MSIX_IRQ_INDEX}, uint32_t{VFIO_PCI_MSI_IRQ_INDEX}}) {
    vfio_irq_info irq{};
    irq.argsz = sizeof irq;
    irq.index = index;
    if (::ioctl(device_.get(), VFIO_DEVICE_GET_IRQ_INFO, &irq) != 0 || irq.count == 0) continue;
    uint32_t count = std::min(irq.count, max_vectors);
    std::vector<int32_t> fds;
    std::vector<Fd> owned;
    for (uint32_t v = 0; v < count; ++v) {
      owned.emplace_back(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
      if (owned.back().get() < 0) throw Error(Errc::io, name_, "vfio", fmt::format("eventfd: {}", std::strerror(errno)));
      fds.push_back(owned.back().get());
    }
    std::vector<uint8_t> buf(sizeof(vfio_irq_set) + fds.size() * sizeof(int32_t));
    auto* set = reinterpret_cast<vfio_irq_set*>(buf.data());
    set->argsz = static_cast<uint32_t>(buf.size());
    set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
    set->index = index;
    set->start = 0;
    set->count = count;
    std::memcpy(set->data, fds.data(), fds.size() * sizeof(int32_t));
    if (::ioctl(device_.get(), VFIO_DEVICE_SET_IRQS, set) != 0) {
      throw Error(Errc::io, name_, "vfio", fmt::format("VFIO_DEVICE_SET_IRQS ({} vectors): {}", count, std::strerror(errno)));
    }
    irq_fds_ = std::move(owned);
    irq_index_ = index;
    return;
  }
}

bool VfioPciDevice::wait_interrupt(uint32_t vector, std::chrono::milliseconds timeout) {
  if (vector >= irq_fds_.size()) {
    throw Error(Errc::invalid_argument, name_, "vfio", fmt::format("interrupt vector {} (the function has {})", vector, irq_fds_.size()));
  }
  pollfd p{irq_fds_[vector].get(), POLLIN, 0};
  int ms = static_cast<int>(std::min<int64_t>(timeout.count(), INT_MAX));
  if (::poll(&p, 1, ms) <= 0) return false;
  uint64_t count = 0;
  return ::read(p.fd, &count, sizeof count) == sizeof count;  // consumes every firing so far
}

void VfioPciDevice::reset(ResetKind kind) {
  if (kind == ResetKind::function) {
    if (!(info_.flags & VFIO_DEVICE_FLAGS_RESET)) throw Error(Errc::unsupported, name_, "vfio", "the function has no reset VFIO can use (no FLR or PM reset)");
    if (::ioctl(device_.get(), VFIO_DEVICE_RESET) != 0) throw Error(Errc::io, name_, "vfio", fmt::format("VFIO_DEVICE_RESET: {}", std::strerror(errno)));
    return;
  }
  // A hot (secondary bus) reset needs the fds of every group on the bus; we own one.
  std::vector<uint8_t> buf(sizeof(vfio_pci_hot_reset) + sizeof(int32_t));
  auto* hot = reinterpret_cast<vfio_pci_hot_reset*>(buf.data());
  hot->argsz = static_cast<uint32_t>(buf.size());
  hot->count = 1;
  int32_t group = iommu_->group.get();
  std::memcpy(hot->group_fds, &group, sizeof group);
  if (::ioctl(device_.get(), VFIO_DEVICE_PCI_HOT_RESET, hot) != 0) {
    throw Error(Errc::unsupported, name_, "vfio",
                fmt::format("VFIO_DEVICE_PCI_HOT_RESET: {}; the bus may hold functions of other IOMMU groups", std::strerror(errno)));
  }
}

}  // namespace

std::unique_ptr<PciDevice> open_vfio(const PciAddress& address, const OpenOptions& options) {
  return std::make_unique<VfioPciDevice>(address, options);
}

}  // namespace hcq::kmdfree
