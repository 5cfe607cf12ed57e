// The sysfs transport: a PCI function with no kernel driver, reached through
// /sys/bus/pci/devices/<bdf>/{config,resourceN,reset,enable}. Needs root; no IOMMU protects the
// host from the device, and DMA memory has physical bus addresses (dma_host.hpp).
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>

#include <fmt/format.h>

#include "dma_host.hpp"
#include "hcq/error.hpp"
#include "hcq/src/log.hpp"
#include "pci_common.hpp"
#include "pci_open.hpp"
#include "pci_regs.hpp"

namespace hcq::kmdfree {

namespace {

// linux/ioport.h: flags in the sysfs `resource` file.
constexpr uint64_t ioresource_mem = 0x200;

struct Resource {
  uint64_t size = 0;
  bool memory = false;
};

// The first six lines of `resource`: "0x<start> 0x<end> 0x<flags>" per BAR, zeros when absent.
std::array<Resource, pci_regs::bar_count> read_resources(const std::string& dir, const std::string& who) {
  std::ifstream in(dir + "/resource");
  if (!in) throw Error(Errc::io, who, "pci", fmt::format("cannot read {}/resource", dir));
  std::array<Resource, pci_regs::bar_count> bars{};
  for (auto& bar : bars) {
    std::string start, end, flags;
    if (!(in >> start >> end >> flags)) throw Error(Errc::io, who, "pci", fmt::format("{}/resource has fewer than 6 lines", dir));
    auto s = detail::parse_hex(start), e = detail::parse_hex(end), f = detail::parse_hex(flags);
    if (!s || !e || !f || *e < *s) throw Error(Errc::io, who, "pci", fmt::format("{}/resource: bad line '{} {} {}'", dir, start, end, flags));
    if (*e != 0) bar = {*e - *s + 1, (*f & ioresource_mem) != 0};
  }
  return bars;
}

// A BAR mapped from resourceN: volatile loads and stores.
class MappedBar final : public Bar {
 public:
  MappedBar(std::byte* base, uint64_t size) : base_(base), size_(size) {}
  ~MappedBar() override { ::munmap(base_, size_); }
  uint64_t size() const noexcept override { return size_; }
  uint32_t read32(uint64_t offset) noexcept override { return at<uint32_t>(offset) ? *at<uint32_t>(offset) : ~0u; }
  void write32(uint64_t offset, uint32_t value) noexcept override {
    if (auto* p = at<uint32_t>(offset)) *p = value;
  }
  uint64_t read64(uint64_t offset) noexcept override { return at<uint64_t>(offset) ? *at<uint64_t>(offset) : ~uint64_t{0}; }
  void write64(uint64_t offset, uint64_t value) noexcept override {
    if (auto* p = at<uint64_t>(offset)) *p = value;
  }
  void read(uint64_t offset, void* dst, size_t bytes) noexcept override {
    if (inside(offset, bytes)) std::memcpy(dst, base_ + offset, bytes);
  }
  void write(uint64_t offset, const void* src, size_t bytes) noexcept override {
    if (inside(offset, bytes)) std::memcpy(base_ + offset, src, bytes);
  }
  std::byte* direct() noexcept override { return base_; }

 private:
  template <typename T>
  volatile T* at(uint64_t offset) const noexcept {
    bool ok = offset % sizeof(T) == 0 && inside(offset, sizeof(T));
    assert(ok && "BAR access outside the BAR or misaligned");
    return ok ? reinterpret_cast<volatile T*>(base_ + offset) : nullptr;
  }
  bool inside(uint64_t offset, uint64_t bytes) const noexcept { return offset <= size_ && size_ - offset >= bytes; }
  std::byte* base_;
  uint64_t size_;
};

class SysfsPciDevice final : public PciDevice {
 public:
  SysfsPciDevice(const PciAddress& address, const OpenOptions& options)
      : address_(address), options_(options), dir_(options.sysfs_root + "/" + address.str()),
        name_(detail::error_device("sysfs", address)) {
    struct stat st {};
    if (::stat(dir_.c_str(), &st) != 0) {
      throw Error(Errc::not_found, name_, "pci", fmt::format("no PCI function at {} (lspci -D lists the functions present)", dir_));
    }
    auto id = detail::read_sysfs_identity(dir_);
    if (!id) throw Error(Errc::io, name_, "pci", fmt::format("cannot read the identity files (vendor, device, class) in {}", dir_));
    identity_ = *id;
    lock_ = std::make_unique<DeviceLock>(address_.str(), options_.lock_dir);
    detach_driver();
    resources_ = read_resources(dir_, name_);
    open_config();
    if (int err = detail::write_text(dir_ + "/enable", "1")) {
      throw Error(Errc::io, name_, "pci", fmt::format("cannot enable the function ({}/enable: {}); run as root", dir_, std::strerror(err)));
    }
    log::get("kmdfree")->debug("{}: opened {:04x}:{:04x} class {:06x}", name_, identity_.vendor, identity_.device, identity_.class_code);
  }
  ~SysfsPciDevice() override {
    for (auto& b : bars_) b.reset();
    if (config_fd_ >= 0) ::close(config_fd_);
  }

  const PciAddress& address() const noexcept override { return address_; }
  const PciIdentity& identity() const noexcept override { return identity_; }
  std::string_view transport() const noexcept override { return "sysfs"; }

  uint32_t config_read(uint32_t offset, int width) override {
    detail::check_config_access(name_, offset, width, config_size_);
    uint8_t bytes[4] = {};
    if (::pread(config_fd_, bytes, static_cast<size_t>(width), offset) != width) {
      throw Error(Errc::io, name_, "pci", fmt::format("config read of {} bytes at 0x{:x}: {}", width, offset, std::strerror(errno)));
    }
    return detail::config_field(bytes, 0, width);
  }
  void config_write(uint32_t offset, uint32_t value, int width) override {
    detail::check_config_access(name_, offset, width, config_size_);
    if (!config_writable_) throw Error(Errc::io, name_, "pci", fmt::format("{}/config is read-only for this process; run as root", dir_));
    uint8_t bytes[4] = {};
    detail::set_config_field(bytes, 0, value, width);
    if (::pwrite(config_fd_, bytes, static_cast<size_t>(width), offset) != width) {
      throw Error(Errc::io, name_, "pci", fmt::format("config write of {} bytes at 0x{:x}: {}", width, offset, std::strerror(errno)));
    }
  }

  Bar& bar(int index) override;
  bool has_bar(int index) const noexcept override {
    return index >= 0 && index < pci_regs::bar_count && resources_[index].memory && resources_[index].size != 0;
  }
  uint64_t bar_size(int index) const noexcept override { return has_bar(index) ? resources_[index].size : 0; }

  std::unique_ptr<DmaBuffer> alloc_dma(uint64_t size, bool contiguous) override {
    return alloc_physical_dma(size, contiguous, name_, options_.pagemap);
  }

  bool has_interrupts() const noexcept override { return false; }
  bool wait_interrupt(uint32_t vector, std::chrono::milliseconds) override {
    throw Error(Errc::unsupported, name_, "pci",
                fmt::format("interrupt {}: the sysfs transport has none (has_interrupts() is false); poll, or open vfio:{}", vector, address_.str()));
  }

  void reset(ResetKind kind) override;

 private:
  void detach_driver();
  void open_config();
  void reset_through_method(std::string_view method);

  PciAddress address_;
  OpenOptions options_;
  std::string dir_;
  std::string name_;
  PciIdentity identity_;
  std::unique_ptr<DeviceLock> lock_;
  std::array<Resource, pci_regs::bar_count> resources_{};
  int config_fd_ = -1;
  bool config_writable_ = false;
  uint32_t config_size_ = 0;
  std::mutex bar_mutex_;
  std::unique_ptr<Bar> bars_[pci_regs::bar_count];
};

void SysfsPciDevice::detach_driver() {
  std::string driver = detail::bound_driver(dir_);
  if (driver.empty()) return;
  std::string unbind = dir_ + "/driver/unbind";
  if (!options_.unbind_driver) {
    throw Error(Errc::busy, name_, "pci",
                fmt::format("the function is bound to the kernel driver '{}'; unbind it first "
                            "(as root: echo {} > {}) or open with unbind_driver set",
                            driver, address_.str(), unbind));
  }
  if (int err = detail::write_text(unbind, address_.str())) {
    throw Error(Errc::io, name_, "pci", fmt::format("cannot unbind the kernel driver '{}' ({}: {}); run as root", driver, unbind, std::strerror(err)));
  }
  if (std::string still = detail::bound_driver(dir_); !still.empty()) {
    throw Error(Errc::busy, name_, "pci", fmt::format("still bound to '{}' after writing {}", still, unbind));
  }
  log::get("kmdfree")->info("{}: unbound from kernel driver {}", name_, driver);
}

void SysfsPciDevice::open_config() {
  std::string path = dir_ + "/config";
  config_fd_ = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  config_writable_ = config_fd_ >= 0;
  if (config_fd_ < 0) config_fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (config_fd_ < 0) throw Error(Errc::io, name_, "pci", fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  struct stat st {};
  // sysfs reports 256 bytes (conventional) or 4096 (extended) as the file size.
  config_size_ = ::fstat(config_fd_, &st) == 0 && st.st_size > 0
                     ? static_cast<uint32_t>(std::min<off_t>(st.st_size, pci_regs::extended_size))
                     : pci_regs::legacy_size;
}

Bar& SysfsPciDevice::bar(int index) {
  if (!has_bar(index)) throw Error(Errc::not_found, name_, "pci", fmt::format("BAR {} is not a memory BAR (see {}/resource)", index, dir_));
  std::lock_guard lock(bar_mutex_);
  if (bars_[index]) return *bars_[index];
  std::string path = fmt::format("{}/resource{}", dir_, index);
  if ((options_.write_combining_bars >> index) & 1) {
    std::string wc = path + "_wc";
    struct stat st {};
    if (::stat(wc.c_str(), &st) == 0) path = wc;
    else log::get("kmdfree")->debug("{}: BAR {} has no {} (not prefetchable); mapped uncached", name_, index, wc);
  }
  int fd = ::open(path.c_str(), O_RDWR | O_SYNC | O_CLOEXEC);
  if (fd < 0) throw Error(Errc::io, name_, "pci", fmt::format("cannot open {}: {}; run as root", path, std::strerror(errno)));
  uint64_t size = resources_[index].size;
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  int err = errno;
  ::close(fd);  // the mapping keeps the resource
  if (p == MAP_FAILED) {
    throw Error(Errc::io, name_, "pci", fmt::format("cannot map {} bytes of {}: {}", size, path, std::strerror(err)));
  }
  bars_[index] = std::make_unique<MappedBar>(static_cast<std::byte*>(p), size);
  return *bars_[index];
}

// Writing a method to `reset_method` (Linux 5.15+) then 1 to `reset` makes the kernel save the
// function's config space, reset it that way and restore it; the original list is put back after.
void SysfsPciDevice::reset_through_method(std::string_view method) {
  std::string methods_path = dir_ + "/reset_method";
  auto methods = detail::read_text(methods_path);
  if (!methods || methods->find(method) == std::string::npos) {
    throw Error(Errc::unsupported, name_, "pci",
                fmt::format("no '{}' reset for this function ({} lists '{}'; Linux 5.15+ is needed)", method, methods_path,
                            methods.value_or("nothing")));
  }
  if (int err = detail::write_text(methods_path, method)) {
    throw Error(Errc::io, name_, "pci", fmt::format("cannot select the {} reset ({}: {}); run as root", method, methods_path, std::strerror(err)));
  }
  int err = detail::write_text(dir_ + "/reset", "1");
  detail::write_text(methods_path, *methods);  // restore; a failure here leaves only a preference
  if (err) throw Error(Errc::io, name_, "pci", fmt::format("{} reset failed ({}/reset: {})", method, dir_, std::strerror(err)));
}

void SysfsPciDevice::reset(ResetKind kind) {
  if (kind == ResetKind::bus) {
    reset_through_method("bus");
    return;
  }
  std::string path = dir_ + "/reset";
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw Error(Errc::unsupported, name_, "pci", fmt::format("the kernel offers no function reset ({} is absent); try ResetKind::bus", path));
  }
  if (int err = detail::write_text(path, "1")) {
    throw Error(Errc::io, name_, "pci", fmt::format("function reset failed ({}: {}); run as root", path, std::strerror(err)));
  }
}

}  // namespace

std::unique_ptr<PciDevice> open_sysfs(const PciAddress& address, const OpenOptions& options) {
  return std::make_unique<SysfsPciDevice>(address, options);
}

}  // namespace hcq::kmdfree
