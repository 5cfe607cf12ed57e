// The device lock: one process at a time may drive a PCI device without its kernel driver.
//
// A lock is an flock(2) on <dir>/<bdf>.lock (default /run/lock/hcq), held for as long as the
// owner runs; the kernel drops it when the process dies, so a crash never leaves a stale lock.
// The file also holds the owner's pid as text, for people; tools find the holder through
// /proc/locks instead (lock_holder), which only reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hcq::kmdfree {

inline constexpr const char* default_lock_dir = "/run/lock/hcq";

// "<dir>/<bdf>.lock"
std::string lock_path(std::string_view dir, std::string_view bdf);

class DeviceLock {
 public:
  // Takes the lock for `bdf`, creating `dir` if needed. Throws hcq::Error (busy) naming the pid
  // that holds it, or (io) when the lock file cannot be created.
  explicit DeviceLock(std::string bdf, std::string dir = default_lock_dir);
  ~DeviceLock();
  DeviceLock(const DeviceLock&) = delete;
  DeviceLock& operator=(const DeviceLock&) = delete;

  const std::string& path() const noexcept { return path_; }

 private:
  std::string bdf_;
  std::string path_;
  int fd_ = -1;
};

// The pid holding an flock on `lock_file`, found by its inode in <proc_root>/locks; nullopt when
// the file does not exist or nobody holds it.
std::optional<int64_t> lock_holder(const std::string& proc_root, const std::string& lock_file);

}  // namespace hcq::kmdfree
