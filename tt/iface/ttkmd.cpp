// tt-kmd transport (ttkmd.hpp). Facts: tt-kmd ioctl.h (structs, flags), memory.c (FREE_DMA_BUF is
// refused by the driver: buffers live until close, so host buffers here are pinned pages that can
// be unpinned), chardev.c (O_APPEND opens request no power until SET_POWER_STATE).
#include "ttkmd.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "hcq/error.hpp"
#include "log.hpp"
#include "window_chip.hpp"

namespace hcq::tt {

namespace {

constexpr uint64_t page_bytes = 4096;
constexpr uint16_t wanted_power = kmd::power_max_ai_clk | kmd::power_mrisc_phy_wakeup | kmd::power_tensix_enable;

// An open /dev/tenstorrent/N.
class Fd {
 public:
  Fd(int fd, std::string who) : fd_(fd), who_(std::move(who)) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const noexcept { return fd_; }
  const std::string& who() const noexcept { return who_; }
  void set_who(std::string who) { who_ = std::move(who); }
  // ioctl that throws with the request's name and errno.
  void call(unsigned long request, void* arg, const char* name) const {
    if (::ioctl(fd_, request, arg) != 0) {
      int e = errno;
      throw Error(e == ENOTTY ? Errc::unsupported : Errc::io, who_, "tt-kmd",
                  fmt::format("{} failed: {}{}", name, std::strerror(e),
                              e == ENOTTY ? " (driver too old: install tt-kmd >= 2.0)" : ""));
    }
  }

 private:
  int fd_;
  std::string who_;
};

class KmdWindow final : public WindowPort {
 public:
  KmdWindow(const Fd& fd, const ChipTable& chip, const TlbKind& kind) : fd_(fd), chip_(chip), kind_(kind) {
    kmd::AllocateTlb a{};
    a.in.size = kind.size;
    fd.call(kmd::allocate_tlb, &a, "ALLOCATE_TLB");
    id_ = a.out.id;
    void* p = ::mmap(nullptr, kind.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), static_cast<off_t>(a.out.mmap_offset_uc));
    if (p == MAP_FAILED) {
      int e = errno;
      free();
      throw Error(Errc::io, fd.who(), "tt-kmd", fmt::format("mmap of TLB window {} failed: {}", id_, std::strerror(e)));
    }
    base_ = static_cast<volatile std::byte*>(p);
  }
  ~KmdWindow() override {
    ::munmap(const_cast<std::byte*>(base_), kind_.size);
    free();
  }
  const TlbKind& kind() const noexcept override { return kind_; }
  uint32_t index() const noexcept override { return id_; }
  void configure(const TlbConfig& config) override {
    kmd::ConfigureTlb c{};
    c.in.id = id_;
    c.in.config = ttkmd_detail::noc_tlb_config(chip_, kind_, config);
    fd_.call(kmd::configure_tlb, &c, "CONFIGURE_TLB");
  }
  // Uncached MMIO: 32-bit accesses where aligned, bytes at the ragged ends.
  void write(uint64_t offset, const void* src, size_t bytes) override {
    const auto* s = static_cast<const std::byte*>(src);
    for (size_t i = 0; i < bytes;) {
      if ((offset + i) % 4 == 0 && bytes - i >= 4) {
        uint32_t v;
        std::memcpy(&v, s + i, 4);
        *reinterpret_cast<volatile uint32_t*>(base_ + offset + i) = v;
        i += 4;
      } else {
        base_[offset + i] = s[i];
        ++i;
      }
    }
  }
  void read(uint64_t offset, void* dst, size_t bytes) override {
    auto* d = static_cast<std::byte*>(dst);
    for (size_t i = 0; i < bytes;) {
      if ((offset + i) % 4 == 0 && bytes - i >= 4) {
        uint32_t v = *reinterpret_cast<volatile const uint32_t*>(base_ + offset + i);
        std::memcpy(d + i, &v, 4);
        i += 4;
      } else {
        d[i] = base_[offset + i];
        ++i;
      }
    }
  }

 private:
  void free() noexcept {
    kmd::FreeTlb f{};
    f.in.id = id_;
    ::ioctl(fd_.get(), kmd::free_tlb, &f);
  }
  const Fd& fd_;
  const ChipTable& chip_;
  const TlbKind& kind_;
  uint32_t id_ = 0;
  volatile std::byte* base_ = nullptr;
};

struct Pinned {
  std::byte* cpu;
  uint64_t size;  // page-rounded
};

class KmdChip final : public WindowChip {
 public:
  KmdChip(const ChipTable& table, std::unique_ptr<Fd> fd)
      : WindowChip(table, fd->who(), Harvesting{},
                   std::make_unique<KmdWindow>(*fd, table, table.tlb.kinds[0]),
                   std::make_unique<KmdWindow>(*fd, table, table.tlb.kinds[0])),
        fd_(std::move(fd)) {}
  ~KmdChip() override {
    for (const Pinned& p : pinned_) unpin(p);
  }

  void idle() noexcept override { std::this_thread::yield(); }

  HostBuffer alloc_host(uint64_t size) override {
    if (size == 0) throw Error(Errc::invalid_argument, name(), "host memory", "zero-byte host buffer");
    uint64_t rounded = (size + page_bytes - 1) & ~(page_bytes - 1);
    void* p = ::mmap(nullptr, rounded, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (p == MAP_FAILED) throw Error(Errc::out_of_memory, name(), "host memory", fmt::format("mmap of {} bytes failed", rounded));
    kmd::PinPages pin{};
    pin.in.output_size_bytes = sizeof pin.out;
    pin.in.flags = kmd::pin_noc_dma;
    pin.in.virtual_address = reinterpret_cast<uint64_t>(p);
    pin.in.size = rounded;
    try {
      fd_->call(kmd::pin_pages, &pin, "PIN_PAGES (NOC_DMA)");
    } catch (...) {
      ::munmap(p, rounded);
      throw;
    }
    pinned_.push_back({static_cast<std::byte*>(p), rounded});
    return HostBuffer{static_cast<std::byte*>(p), size, table().pcie[0], pin.out.noc_address};
  }

  void free_host(const HostBuffer& buffer) noexcept override {
    std::erase_if(pinned_, [&](const Pinned& p) {
      if (p.cpu != buffer.cpu) return false;
      unpin(p);
      return true;
    });
  }

 private:
  void unpin(const Pinned& p) noexcept {
    kmd::UnpinPages u{};
    u.in.virtual_address = reinterpret_cast<uint64_t>(p.cpu);
    u.in.size = p.size;
    if (::ioctl(fd_->get(), kmd::unpin_pages, &u) != 0) log_->warn("UNPIN_PAGES failed: {}", std::strerror(errno));
    ::munmap(p.cpu, p.size);
  }

  std::unique_ptr<Fd> fd_;
  std::vector<Pinned> pinned_;
};

}  // namespace

namespace ttkmd_detail {

std::string device_node(uint32_t index) { return fmt::format("/dev/tenstorrent/{}", index); }

kmd::NocTlbConfig noc_tlb_config(const ChipTable& chip, const TlbKind& kind, const TlbConfig& c) {
  encode_tlb(chip.tlb, kind, c);  // the same checks as our own register packing; throws on a bad config
  kmd::NocTlbConfig k{};
  k.addr = c.address;
  k.x_end = c.end.x, k.y_end = c.end.y, k.x_start = c.start.x, k.y_start = c.start.y;
  k.noc = c.noc;
  k.mcast = c.mcast ? 1 : 0;
  k.ordering = static_cast<uint8_t>(ordering_field(c.ordering));
  k.linked = c.linked ? 1 : 0;
  k.static_vc = c.static_vc;
  return k;
}

kmd::PowerState power_request(uint16_t flags) {
  kmd::PowerState p{};
  p.argsz = sizeof p;
  p.validity = static_cast<uint8_t>(kmd::power_flag_count & 0xF);  // flags valid, no settings
  p.power_flags = flags;
  return p;
}

std::string pci_name(const kmd::GetDeviceInfo::Out& i) {
  return fmt::format("{:04x}:{:02x}:{:02x}.{:x}", i.pci_domain, i.bus_dev_fn >> 8, (i.bus_dev_fn >> 3) & 0x1F, i.bus_dev_fn & 0x7);
}

}  // namespace ttkmd_detail

uint32_t ttkmd_reset(int fd, kmd::ResetFlags flags) {
  kmd::ResetDevice r{};
  r.in.output_size_bytes = sizeof r.out;
  r.in.flags = flags;
  if (::ioctl(fd, kmd::reset_device, &r) != 0) {
    throw Error(Errc::io, fmt::format("tt fd {}", fd), "tt-kmd", fmt::format("RESET_DEVICE (flags {}) failed: {}", uint32_t{flags}, std::strerror(errno)));
  }
  return r.out.result;
}

std::unique_ptr<Chip> open_ttkmd(uint32_t index) {
  const std::string node = ttkmd_detail::device_node(index);
  int raw = ::open(node.c_str(), O_RDWR | O_CLOEXEC | O_APPEND);
  if (raw < 0) {
    int e = errno;
    throw Error(e == ENOENT ? Errc::not_found : Errc::io, "tt " + std::to_string(index), "tt-kmd",
                fmt::format("cannot open {}: {}{}", node, std::strerror(e),
                            e == ENOENT ? " (is tt-kmd loaded? modprobe tenstorrent)" : e == EACCES ? " (check the udev rule / permissions)" : ""));
  }
  auto fd = std::make_unique<Fd>(raw, "tt " + node);
  kmd::GetDriverInfo drv{};
  drv.in.output_size_bytes = sizeof drv.out;
  fd->call(kmd::get_driver_info, &drv, "GET_DRIVER_INFO");
  if (drv.out.driver_version < kmd::driver_api_version) {
    throw Error(Errc::unsupported, fd->who(), "tt-kmd",
                fmt::format("driver ioctl API {} ({}.{}.{}) lacks TLB allocation; install tt-kmd >= 2.0",
                            drv.out.driver_version, drv.out.major, drv.out.minor, drv.out.patch));
  }
  kmd::GetDeviceInfo info{};
  info.in.output_size_bytes = sizeof info.out;
  fd->call(kmd::get_device_info, &info, "GET_DEVICE_INFO");
  const ChipTable* table = chip_for_pci(info.out.vendor_id, info.out.device_id);
  if (!table) {
    throw Error(Errc::unsupported, fd->who(), "tt-kmd",
                fmt::format("PCI id {:04x}:{:04x} is not a Wormhole B0 or Blackhole (Grayskull is not supported)",
                            info.out.vendor_id, info.out.device_id));
  }
  fd->set_who("tt " + ttkmd_detail::pci_name(info.out));
  kmd::PowerState power = ttkmd_detail::power_request(wanted_power);
  try {
    fd->call(kmd::set_power_state, &power, "SET_POWER_STATE");
  } catch (const Error& e) {
    if (e.code() != Errc::unsupported) throw;
    // Drivers before SET_POWER_STATE power the chip at open.
    log::device("tt", fd->who())->warn("{}; relying on the driver's power-on at open", e.detail());
  }
  return std::make_unique<KmdChip>(*table, std::move(fd));
}

}  // namespace hcq::tt
