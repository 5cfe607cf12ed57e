// Finding and reading firmware files: a search path like the Linux firmware loader's, and
// transparent .zst / .xz files (decoded with Debian's libzstd and liblzma).
//
// Lookup of a name ("amdgpu/gc_11_0_0_mec.bin") tries, as the kernel does, the plain file in every
// directory of the search path first, then `name.zst` in every directory, then `name.xz`. The
// search path is $HCQ_FIRMWARE_PATH (a colon-separated list, searched first), /lib/firmware/updates,
// /lib/firmware and /usr/lib/firmware. Nothing here touches a device or the network.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hcq::fw {

// Files and decoded streams larger than this are refused (a hostile .zst/.xz cannot exhaust memory).
inline constexpr uint64_t max_file_bytes = uint64_t{512} << 20;

enum class Compression : uint8_t { none, zstd, xz };
std::string_view to_string(Compression c);  // "none", "zstd", "xz"

class SearchPath {
 public:
  // $HCQ_FIRMWARE_PATH's directories, then the three standard ones.
  static SearchPath standard();
  // Exactly these directories, in order.
  explicit SearchPath(std::vector<std::filesystem::path> dirs) : dirs_(std::move(dirs)) {}

  const std::vector<std::filesystem::path>& dirs() const { return dirs_; }

  // The file `name` resolves to (a plain, .zst or .xz file), or nullopt. `name` is relative and has
  // no ".." component; anything else throws hcq::Error(Errc::invalid_argument).
  std::optional<std::filesystem::path> find(std::string_view name) const;

 private:
  std::vector<std::filesystem::path> dirs_;
};

// A firmware file in memory, decompressed.
struct Blob {
  std::string name;             // as asked for ("amdgpu/gc_11_0_0_mec.bin"), or the path for load_file
  std::filesystem::path path;   // where it was read from
  Compression compression = Compression::none;
  std::vector<std::byte> bytes; // the decompressed contents

  std::span<const std::byte> span() const { return bytes; }
};

// Finds and reads `name`; a .zst/.xz file found for it is decompressed, the plain file is used as it
// is (as the kernel's loader does). Throws hcq::Error: Errc::not_found (naming every directory searched),
// Errc::io, or Errc::bad_code_object for a damaged .zst/.xz stream.
Blob load(std::string_view name, const SearchPath& path = SearchPath::standard());

// Reads one file; a zstd or xz file (recognised by its magic bytes) is decompressed.
Blob load_file(const std::filesystem::path& path);

// Decoders for whole .zst / .xz streams (concatenated frames/streams are accepted). `what` names the
// input in messages. Throws hcq::Error(Errc::bad_code_object) for a damaged or truncated stream, or
// one that decodes to more than `max_bytes`.
std::vector<std::byte> decompress_zstd(std::span<const std::byte> in, std::string_view what,
                                       uint64_t max_bytes = max_file_bytes);
std::vector<std::byte> decompress_xz(std::span<const std::byte> in, std::string_view what,
                                     uint64_t max_bytes = max_file_bytes);

// The compression `bytes` starts with the magic of.
Compression sniff_compression(std::span<const std::byte> bytes);

}  // namespace hcq::fw
