#include "iface/kmsg.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string_view>

namespace hcq::nv {

KernelLog::KernelLog() noexcept {
  fd_ = ::open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  // Start after the last record: only what is logged from now on is ours to report.
  if (fd_ >= 0 && ::lseek(fd_, 0, SEEK_END) < 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

KernelLog::~KernelLog() {
  if (fd_ >= 0) ::close(fd_);
}

std::vector<std::string> KernelLog::new_xid_lines(const std::string& pci_address, size_t max) {
  std::vector<std::string> found;
  if (fd_ < 0) return found;
  // The RM names the GPU by domain:bus:device, without the function.
  const std::string tag = "NVRM: Xid (PCI:" + pci_address.substr(0, pci_address.rfind('.')) + "):";
  char record[8192];
  for (int records = 0; records < 100000; ++records) {  // bounded: the log cannot keep us here
    ssize_t n = ::read(fd_, record, sizeof(record) - 1);
    if (n < 0 && errno == EPIPE) continue;  // records were overwritten before we read them
    if (n <= 0) break;                      // EAGAIN: nothing more for now
    // A record is "level,seq,usec,flags[,...];message\n" plus optional " KEY=value" lines.
    std::string_view r(record, static_cast<size_t>(n));
    size_t semi = r.find(';');
    if (semi == std::string_view::npos) continue;
    std::string_view msg = r.substr(semi + 1);
    msg = msg.substr(0, msg.find('\n'));
    if (size_t at = msg.find(tag); at != std::string_view::npos) found.emplace_back(msg.substr(at + 6, 240));
  }
  // The most telling lines first: the fault address, then the SM's own exception report.
  auto rank = [](const std::string& s) {
    return s.find("faulted @") != std::string::npos ? 0 : s.find("Warp Exception") != std::string::npos ? 1 : 2;
  };
  std::stable_sort(found.begin(), found.end(), [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
  found.erase(std::unique(found.begin(), found.end()), found.end());
  if (found.size() > max) found.resize(max);
  return found;
}

}  // namespace hcq::nv
