// The amdgcn code-object loader on the committed conformance code objects (tests/kernels/amd,
// built by regenerate.sh with clang-16), on truncated and corrupted copies of them, and the
// bounded msgpack reader on hand-made input.
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "am/msgpack.hpp"
#include "am/program.hpp"
#include "hcq/error.hpp"

using namespace hcq::am;
using Catch::Contains;

namespace {

std::vector<std::byte> read(const std::string& name) {
  std::ifstream f(std::string(HCQ_AM_KERNELS_DIR) + "/" + name, std::ios::binary);
  REQUIRE(f);
  std::vector<char> c((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(c.size());
  std::memcpy(out.data(), c.data(), c.size());
  return out;
}

const AmdKernel& kernel(const CodeObject& co, const std::string& name) {
  for (const auto& k : co.kernels)
    if (k.info.name == name) return k;
  FAIL("no kernel " << name);
  return co.kernels.front();
}

std::vector<std::byte> bytes(std::initializer_list<int> v) {
  std::vector<std::byte> out;
  for (int x : v) out.push_back(static_cast<std::byte>(x));
  return out;
}

}  // namespace

TEST_CASE("program: kernels, arguments and descriptors of the conformance code object", "[am][program]") {
  const auto file = read("conformance-amd-gfx1100.bin");
  const CodeObject co = parse_code_object(file, "conformance-amd-gfx1100.bin", "gfx1100");
  CHECK(co.kernels.size() == 7);
  const auto& vadd = kernel(co, "vadd");
  REQUIRE(vadd.info.args.size() == 4);
  CHECK(vadd.info.args[0].name == "a");
  CHECK(vadd.info.args[0].kind == hcq::ArgKind::pointer);
  CHECK(vadd.info.args[2].offset == 16);
  CHECK(vadd.info.args[3].name == "n");
  CHECK(vadd.info.args[3].kind == hcq::ArgKind::u32);
  CHECK(vadd.info.args_size == 28);
  CHECK(vadd.kernarg_size >= 28 + 56);  // code object v5: the hidden block follows
  CHECK(vadd.info.max_threads == 1024);
  CHECK(vadd.wavefront_size == 32);
  bool group_size_x = false;
  for (const auto& h : vadd.hidden) group_size_x |= h.kind == Hidden::group_size_x && h.size == 2 && h.offset >= 28;
  CHECK(group_size_x);
  CHECK(vadd.kd_offset % 64 == 0);
  CHECK(vadd.code_offset % 256 == 0);
  CHECK((vadd.kd.kernel_code_properties & kcp::kernarg_segment_ptr) != 0);
  CHECK((vadd.kd.kernel_code_properties & kcp::wavefront_size32) != 0);
  CHECK(vadd.kd.kernarg_size == vadd.kernarg_size);

  const auto& axpb = kernel(co, "axpb");
  CHECK(axpb.info.args[2].kind == hcq::ArgKind::f32);
  CHECK(axpb.info.args[3].kind == hcq::ArgKind::i64);
  CHECK(axpb.info.args[3].offset == 24);
  const auto& rev = kernel(co, "reverse_affine");
  CHECK(rev.info.args[0].kind == hcq::ArgKind::bytes);
  CHECK(rev.info.args[0].size == 12);
  CHECK(rev.info.args[1].offset == 16);
  CHECK(kernel(co, "reduce_sum").info.shared_bytes == 1024 * 8);
}

TEST_CASE("program: a code object for another target names both targets", "[am][program]") {
  const auto file = read("conformance-amd-gfx1030.bin");
  CHECK_THROWS_WITH(parse_code_object(file, "x.bin", "gfx1100"),
                    Contains("gfx1030") && Contains("gfx1100") && Contains("-mcpu=gfx1100"));
  CHECK(mach_of("gfx1100") == 0x41);
  CHECK(target_of(0x41) == "gfx1100");
}

TEST_CASE("program: truncated and corrupted code objects give errors, never crashes", "[am][program]") {
  const auto file = read("conformance-amd-gfx1100.bin");
  for (size_t n = 0; n < file.size(); n += n < 256 ? 1 : 61) {
    std::vector<std::byte> cut(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK_THROWS_AS(parse_code_object(cut, "cut.bin", "gfx1100"), hcq::Error);
  }
  // Flip one byte at a time through the headers, the note and the descriptors: each either loads
  // or throws hcq::Error.
  size_t threw = 0;
  for (size_t at = 0; at < file.size(); at += 7) {
    auto bad = file;
    bad[at] ^= std::byte{0x5a};
    try {
      parse_code_object(bad, "flipped.bin", "gfx1100");
    } catch (const hcq::Error&) {
      ++threw;
    }
  }
  CHECK(threw > 0);
}

TEST_CASE("msgpack: maps, arrays, strings and numbers", "[am][msgpack]") {
  // {"a": 1, "bb": [true, nil, -3, "xyz", 300 (uint16), -200 (int16)]}
  const auto b = bytes({0x82, 0xa1, 'a', 0x01, 0xa2, 'b', 'b', 0x96, 0xc3, 0xc0, 0xfd, 0xa3, 'x', 'y', 'z', 0xcd, 0x01, 0x2c,
                        0xd1, 0xff, 0x38});
  const auto n = msgpack::parse(b);
  REQUIRE(n.is_map());
  uint64_t v = 0;
  REQUIRE(n.find("a"));
  CHECK((n.find("a")->as_uint(v) && v == 1));
  const auto* arr = n.find("bb");
  REQUIRE(arr);
  REQUIRE(arr->items.size() == 6);
  CHECK(arr->items[0].b);
  CHECK(arr->items[1].type == msgpack::Node::Type::nil);
  CHECK(arr->items[2].i == -3);
  CHECK(arr->items[3].s == "xyz");
  CHECK(arr->items[4].u == 300);
  CHECK(arr->items[5].i == -200);
  CHECK(n.find("zz") == nullptr);
}

TEST_CASE("msgpack: malformed input is refused with the byte offset", "[am][msgpack]") {
  CHECK_THROWS_WITH(msgpack::parse(bytes({0xa3, 'x'})), Contains("string of 3 bytes with 1 left"));
  // An array32 claiming 4 billion elements in 5 bytes: refused before any allocation.
  CHECK_THROWS_WITH(msgpack::parse(bytes({0xdd, 0xff, 0xff, 0xff, 0xff})), Contains("elements with 0 bytes left"));
  CHECK_THROWS_WITH(msgpack::parse(bytes({0x01, 0x02})), Contains("1 trailing bytes"));
  CHECK_THROWS_WITH(msgpack::parse(bytes({0xc1})), Contains("unsupported type byte 0xc1"));
  CHECK_THROWS_WITH(msgpack::parse(bytes({0xcd, 0x01})), Contains("truncated"));
  std::vector<std::byte> deep(40, std::byte{0x91});
  deep.push_back(std::byte{0x00});
  CHECK_THROWS_WITH(msgpack::parse(deep), Contains("nesting deeper than 32"));
  CHECK_THROWS(msgpack::parse({}));
}
