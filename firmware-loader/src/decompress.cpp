// .zst and .xz decoding with Debian's libzstd and liblzma (streaming, so a frame without a declared
// content size works too), with an output limit against decompression bombs.
#include <fmt/format.h>
#include <lzma.h>
#include <zstd.h>

#include <memory>

#include "hcq/error.hpp"
#include "hcq/firmware/loader.hpp"
#include "reader.hpp"

namespace hcq::fw {

namespace {

constexpr std::byte zstd_magic[4] = {std::byte{0x28}, std::byte{0xb5}, std::byte{0x2f}, std::byte{0xfd}};
constexpr std::byte xz_magic[6] = {std::byte{0xfd}, std::byte{'7'}, std::byte{'z'},
                                   std::byte{'X'},  std::byte{'Z'}, std::byte{0x00}};
constexpr size_t chunk = size_t{1} << 20;

[[noreturn]] void damaged(std::string_view what, std::string_view format, std::string_view detail) {
  throw Error(Errc::bad_code_object, "", detail::block, fmt::format("{}: damaged {} stream: {}", what, format, detail));
}

void check_limit(size_t produced, uint64_t max_bytes, std::string_view what) {
  if (produced > max_bytes)
    detail::malformed(what, "decompressed size", fmt::format("at most {} bytes", max_bytes),
                      fmt::format("at least {} bytes", produced));
}

template <size_t N>
bool starts_with(std::span<const std::byte> b, const std::byte (&magic)[N]) {
  if (b.size() < N) return false;
  for (size_t i = 0; i < N; ++i)
    if (b[i] != magic[i]) return false;
  return true;
}

}  // namespace

std::string_view to_string(Compression c) {
  switch (c) {
    case Compression::none: return "none";
    case Compression::zstd: return "zstd";
    case Compression::xz: return "xz";
  }
  return "?";
}

Compression sniff_compression(std::span<const std::byte> bytes) {
  if (starts_with(bytes, zstd_magic)) return Compression::zstd;
  if (starts_with(bytes, xz_magic)) return Compression::xz;
  return Compression::none;
}

std::vector<std::byte> decompress_zstd(std::span<const std::byte> in, std::string_view what, uint64_t max_bytes) {
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!ctx) throw Error(Errc::out_of_memory, "", detail::block, fmt::format("{}: cannot create a zstd context", what));
  // Refuse windows larger than the output limit allows (2^29 = 512 MiB).
  ZSTD_DCtx_setParameter(ctx.get(), ZSTD_d_windowLogMax, 29);
  std::vector<std::byte> out;
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  size_t last = 0;  // 0 when the last frame decoded is complete
  if (in.empty()) damaged(what, "zstd", "the input is empty");
  while (input.pos < input.size || last != 0) {
    const size_t before = out.size();
    out.resize(before + chunk);
    ZSTD_outBuffer output{out.data() + before, chunk, 0};
    const size_t input_before = input.pos;
    last = ZSTD_decompressStream(ctx.get(), &output, &input);
    out.resize(before + output.pos);
    check_limit(out.size(), max_bytes, what);
    if (ZSTD_isError(last)) damaged(what, "zstd", ZSTD_getErrorName(last));
    if (last != 0 && output.pos == 0 && input.pos == input_before && input.pos == input.size)
      damaged(what, "zstd", fmt::format("truncated: the last frame needs more input after {} bytes", in.size()));
  }
  return out;
}

std::vector<std::byte> decompress_xz(std::span<const std::byte> in, std::string_view what, uint64_t max_bytes) {
  lzma_stream s = LZMA_STREAM_INIT;
  // The decoder's own memory (dictionary, buffers), not the output: xz's default preset uses an 8 MiB
  // dictionary, so 64 MiB leaves room while a hostile header cannot make us allocate much.
  lzma_ret r = lzma_stream_decoder(&s, uint64_t{64} << 20, LZMA_CONCATENATED);
  if (r != LZMA_OK)
    throw Error(Errc::out_of_memory, "", detail::block,
                fmt::format("{}: cannot create an xz decoder (liblzma error {})", what, static_cast<int>(r)));
  std::unique_ptr<lzma_stream, void (*)(lzma_stream*)> guard(&s, lzma_end);
  std::vector<std::byte> out;
  s.next_in = reinterpret_cast<const uint8_t*>(in.data());
  s.avail_in = in.size();
  for (;;) {
    const size_t before = out.size();
    out.resize(before + chunk);
    s.next_out = reinterpret_cast<uint8_t*>(out.data() + before);
    s.avail_out = chunk;
    r = lzma_code(&s, LZMA_FINISH);
    out.resize(before + (chunk - s.avail_out));
    check_limit(out.size(), max_bytes, what);
    if (r == LZMA_STREAM_END) return out;
    if (r == LZMA_OK) continue;
    switch (r) {
      case LZMA_FORMAT_ERROR: damaged(what, "xz", "not an xz stream (bad magic)");
      case LZMA_OPTIONS_ERROR: damaged(what, "xz", "unsupported options");
      case LZMA_DATA_ERROR: damaged(what, "xz", "corrupt data");
      case LZMA_BUF_ERROR: damaged(what, "xz", fmt::format("truncated: the stream ends early after {} bytes", in.size()));
      case LZMA_MEMLIMIT_ERROR: damaged(what, "xz", "needs more than 64 MiB of decoder memory");
      case LZMA_MEM_ERROR: throw Error(Errc::out_of_memory, "", detail::block, fmt::format("{}: xz: out of memory", what));
      default: damaged(what, "xz", fmt::format("liblzma error {}", static_cast<int>(r)));
    }
  }
}

}  // namespace hcq::fw
