#include "device_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "hcq/error.hpp"

namespace hcq::kmdfree {

namespace {

std::optional<int64_t> to_int(std::string_view s, int base = 10) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

// mkdir -p for the lock directory (at most a few levels below /run/lock).
void make_dirs(const std::string& dir) {
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos != dir.size() && dir[pos] != '/') continue;
    std::string part = dir.substr(0, pos);
    if (::mkdir(part.c_str(), 0755) != 0 && errno != EEXIST) {
      throw Error(Errc::io, "", "lock", fmt::format("cannot create {}: {}; run as root or set another lock directory", part, std::strerror(errno)));
    }
  }
}

}  // namespace

std::string lock_path(std::string_view dir, std::string_view bdf) { return fmt::format("{}/{}.lock", dir, bdf); }

DeviceLock::DeviceLock(std::string bdf, std::string dir) : bdf_(std::move(bdf)), path_(lock_path(dir, bdf_)) {
  make_dirs(dir);
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw Error(Errc::io, bdf_, "lock", fmt::format("cannot open {}: {}", path_, std::strerror(errno)));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd_);
    fd_ = -1;
    if (err != EWOULDBLOCK) throw Error(Errc::io, bdf_, "lock", fmt::format("flock {}: {}", path_, std::strerror(err)));
    auto holder = lock_holder("/proc", path_);
    throw Error(Errc::busy, bdf_, "lock",
                fmt::format("the device is in use by {} (lock {}); stop that process first",
                            holder ? fmt::format("pid {}", *holder) : std::string("another process"), path_));
  }
  std::string pid = fmt::format("{}\n", ::getpid());
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    // The flock is what counts; the pid text is for people. Keep the lock.
  }
}

DeviceLock::~DeviceLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the last fd drops the flock
}

std::optional<int64_t> lock_holder(const std::string& proc_root, const std::string& lock_file) {
  struct stat st {};
  if (::stat(lock_file.c_str(), &st) != 0) return std::nullopt;
  std::ifstream in(proc_root + "/locks");
  std::string line;
  // "1: FLOCK  ADVISORY  WRITE 4242 08:01:1234567 0 EOF" (proc(5)); a blocked waiter's line has
  // " -> " after the id and is not a holder.
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string id, kind, mode, access, pid, where;
    if (!(ls >> id >> kind)) continue;
    if (kind == "->") continue;
    if (!(ls >> mode >> access >> pid >> where) || kind != "FLOCK") continue;
    auto c1 = where.find(':'), c2 = where.rfind(':');
    if (c1 == std::string::npos || c2 == c1) continue;
    auto maj = to_int(std::string_view(where).substr(0, c1), 16);
    auto min = to_int(std::string_view(where).substr(c1 + 1, c2 - c1 - 1), 16);
    auto ino = to_int(std::string_view(where).substr(c2 + 1));
    auto p = to_int(pid);
    if (!maj || !min || !ino || !p) continue;
    if (static_cast<uint64_t>(*ino) == st.st_ino && static_cast<unsigned>(*maj) == major(st.st_dev) &&
        static_cast<unsigned>(*min) == minor(st.st_dev)) {
      return *p;
    }
  }
  return std::nullopt;
}

}  // namespace hcq::kmdfree
