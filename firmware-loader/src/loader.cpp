// The firmware search path and file reading; see hcq/firmware/loader.hpp.
#include "hcq/firmware/loader.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "hcq/error.hpp"
#include "log.hpp"
#include "reader.hpp"

namespace hcq::fw {

namespace {

namespace fs = std::filesystem;

// The Linux firmware loader's default directories (drivers/base/firmware_loader/main.c fw_path[]),
// without the per-kernel-release one.
const char* const standard_dirs[] = {"/lib/firmware/updates", "/lib/firmware", "/usr/lib/firmware"};

[[noreturn]] void io_error(const fs::path& path, std::string_view op, int err) {
  throw Error(Errc::io, "", detail::block, fmt::format("{}: {}: {}", path.string(), op, std::strerror(err)));
}

bool is_regular(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

void check_name(std::string_view name) {
  auto bad = [&](std::string_view why) {
    throw Error(Errc::invalid_argument, "", detail::block,
                fmt::format("firmware name '{}': {}; expected a relative name such as amdgpu/gc_11_0_0_mec.bin", name, why));
  };
  if (name.empty()) bad("it is empty");
  if (name.front() == '/') bad("it is an absolute path");
  if (name.find('\0') != std::string_view::npos) bad("it contains a NUL byte");
  for (const auto& part : fs::path(name)) {
    if (part == "..") bad("it has a '..' component");
  }
}

std::vector<std::byte> read_all(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) io_error(path, "open", errno);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) io_error(path, "fstat", errno);
  if (!S_ISREG(st.st_mode))
    throw Error(Errc::io, "", detail::block, fmt::format("{}: not a regular file", path.string()));
  if (static_cast<uint64_t>(st.st_size) > max_file_bytes)
    detail::malformed(path.string(), "file size", fmt::format("at most {} bytes", max_file_bytes),
                      fmt::format("{} bytes", st.st_size));
  std::vector<std::byte> out(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = ::read(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) io_error(path, "read", errno);
    if (n == 0) break;  // the file shrank while being read
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  return out;
}

Blob decode(Blob blob, Compression expected) {
  const Compression found = sniff_compression(blob.bytes);
  if (expected != Compression::none && found != expected)
    detail::malformed(blob.path.string(), "magic", fmt::format("the {} magic (the file name ends in .{})", to_string(expected),
                                                               expected == Compression::zstd ? "zst" : "xz"),
                      found == Compression::none ? std::string("no compression magic") : std::string(to_string(found)));
  blob.compression = found;
  if (found == Compression::zstd) blob.bytes = decompress_zstd(blob.bytes, blob.path.string());
  if (found == Compression::xz) blob.bytes = decompress_xz(blob.bytes, blob.path.string());
  return blob;
}

}  // namespace

SearchPath SearchPath::standard() {
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("HCQ_FIRMWARE_PATH")) {
    std::string_view list = env;
    while (!list.empty()) {
      const size_t colon = list.find(':');
      const std::string_view dir = list.substr(0, colon);
      if (!dir.empty()) dirs.emplace_back(std::string(dir));
      list = colon == std::string_view::npos ? std::string_view{} : list.substr(colon + 1);
    }
  }
  for (const char* d : standard_dirs) dirs.emplace_back(d);
  return SearchPath(std::move(dirs));
}

std::optional<fs::path> SearchPath::find(std::string_view name) const {
  check_name(name);
  auto log = hcq::log::get("fw");
  for (const char* suffix : {"", ".zst", ".xz"}) {
    for (const fs::path& dir : dirs_) {
      fs::path candidate = dir / (std::string(name) + suffix);
      if (is_regular(candidate)) {
        log->debug("{}: found {}", name, candidate.string());
        return candidate;
      }
    }
  }
  log->debug("{}: not found in {} directories", name, dirs_.size());
  return std::nullopt;
}

Blob load(std::string_view name, const SearchPath& path) {
  const auto found = path.find(name);
  if (!found) {
    std::string dirs;
    for (const fs::path& d : path.dirs()) dirs += (dirs.empty() ? "" : ", ") + d.string();
    throw Error(Errc::not_found, "", detail::block,
                fmt::format("{}: not found (also tried .zst and .xz) in {}; install the firmware package that ships it "
                            "(tools/install-deps.sh installs Debian's) or add its directory to HCQ_FIRMWARE_PATH",
                            name, dirs));
  }
  Blob blob;
  blob.name = std::string(name);
  blob.path = *found;
  blob.bytes = read_all(*found);
  const std::string ext = found->extension().string();
  // The plain name is used as it is, as the kernel does: only a .zst/.xz file is decoded.
  if (ext != ".zst" && ext != ".xz") return blob;
  return decode(std::move(blob), ext == ".zst" ? Compression::zstd : Compression::xz);
}

Blob load_file(const fs::path& path) {
  Blob blob;
  blob.name = path.string();
  blob.path = path;
  blob.bytes = read_all(path);
  return decode(std::move(blob), Compression::none);
}

}  // namespace hcq::fw
