// The kernel log as the RM's second channel: what it prints about a GPU (Xid lines with the
// fault address, engine and fault type) but does not put in the channel's error notifier.
#pragma once

#include <string>
#include <vector>

namespace hcq::nv {

// Follows /dev/kmsg from the moment it is made. Reading the log needs CAP_SYSLOG or
// kernel.dmesg_restrict=0; without it, available() is false and new_xid_lines() is empty.
class KernelLog {
 public:
  KernelLog() noexcept;
  ~KernelLog();
  KernelLog(const KernelLog&) = delete;
  KernelLog& operator=(const KernelLog&) = delete;

  bool available() const noexcept { return fd_ >= 0; }
  // The "NVRM: Xid (PCI:dddd:bb:dd): N, ..." lines about `pci_address` ("0000:00:06.0") logged
  // since the last call, without the "NVRM: " prefix, at most `max` of them (the ones naming a
  // fault address or an SM exception first). Never blocks.
  std::vector<std::string> new_xid_lines(const std::string& pci_address, size_t max);

 private:
  int fd_ = -1;
};

}  // namespace hcq::nv
