// Tests for the nv cubin loader (nv/cubin.hpp) on the committed nvcc 13 cubins
// (tests/kernels/nv/*.bin, copied into HCQ_TEST_KERNELS_DIR by tests/meson.build), on targeted
// corruptions of them and on a deterministic random-mutation loop. No GPU is needed.
#include "cubin.hpp"
#include "kernels/builtin.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "elf.hpp"
#include "hcq/error.hpp"

using Catch::Matchers::Contains;
using hcq::ArgKind;
using hcq::nv::CubinImage;
using hcq::nv::CubinKernel;
using hcq::nv::parse_cubin;

namespace {

using Bytes = std::vector<std::byte>;

Bytes read_kernel_file(const std::string& name) {
  const std::string path = std::string(HCQ_TEST_KERNELS_DIR) + "/" + name;
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Bytes out(chars.size());
  std::memcpy(out.data(), chars.data(), chars.size());
  return out;
}

const Bytes& conformance() {
  static const Bytes b = read_kernel_file("conformance-nvidia-sm_90.bin");
  return b;
}
const Bytes& demo() {
  static const Bytes b = read_kernel_file("hcq-demo-nvidia-sm_90.bin");
  return b;
}
const Bytes& hw() {
  static const Bytes b = read_kernel_file("hw-nvidia-sm_90.bin");
  return b;
}

template <class T>
T get(const Bytes& b, uint64_t off) {
  T v;
  REQUIRE(off + sizeof(T) <= b.size());
  std::memcpy(&v, b.data() + off, sizeof(T));
  return v;
}
template <class T>
void put(Bytes& b, uint64_t off, T v) {
  REQUIRE(off + sizeof(T) <= b.size());
  std::memcpy(b.data() + off, &v, sizeof(T));
}

// The file offset and size of a section, read with the project's ELF reader.
struct Where {
  uint64_t offset, size;
};
Where section(const Bytes& b, const std::string& name) {
  const auto elf = hcq::detail::ElfFile::parse(b, "test");
  const auto* s = elf.section(name);
  REQUIRE(s != nullptr);
  return {s->offset, s->size};
}

// The file offset of the only occurrence of `text` (a name in a string table, a signature).
uint64_t find_text(const Bytes& b, const std::string& text) {
  const auto* first = reinterpret_cast<const char*>(b.data());
  const std::string_view all(first, b.size());
  const auto at = all.find(text);
  REQUIRE(at != std::string_view::npos);
  REQUIRE(all.find(text, at + 1) == std::string_view::npos);
  return at;
}
void replace_text(Bytes& b, const std::string& from, const std::string& to) {
  REQUIRE(from.size() == to.size());
  std::memcpy(b.data() + find_text(b, from), to.data(), to.size());
}
// Renames a section (its name in .shstrtab; .strtab keeps the section symbol's copy).
void rename_section(Bytes& b, const std::string& from, const std::string& to) {
  REQUIRE(from.size() == to.size());
  const Where names = section(b, ".shstrtab");
  const std::string_view table(reinterpret_cast<const char*>(b.data()) + names.offset, names.size);
  const auto at = table.find(from + '\0');
  REQUIRE(at != std::string_view::npos);
  std::memcpy(b.data() + names.offset + at, to.data(), to.size());
}

// Parsing must either succeed or throw hcq::Error; anything else (another exception, a crash under
// the sanitizers) fails the test.
bool parses_or_throws_error(const Bytes& b) {
  try {
    const CubinImage img = parse_cubin(b, "fuzz.cubin");
    Bytes copy = img.image;
    img.relocate(copy, 0x7f0000000000ull);
    return true;
  } catch (const hcq::Error&) {
    return false;
  }
}

const CubinKernel& kernel(const CubinImage& img, std::string_view name) {
  const CubinKernel* k = img.find(name);
  REQUIRE(k != nullptr);
  return *k;
}

void check_args(const CubinKernel& k, const std::vector<std::tuple<std::string, ArgKind, uint32_t>>& want) {
  INFO("kernel " << k.info.name);
  REQUIRE(k.info.args.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    CHECK(k.info.args[i].name == std::get<0>(want[i]));
    CHECK(k.info.args[i].kind == std::get<1>(want[i]));
    CHECK(k.info.args[i].offset == std::get<2>(want[i]));
  }
}

}  // namespace

TEST_CASE("the conformance cubin: kernels, arguments and launch facts", "[unit][nv][cubin]") {
  const CubinImage img = parse_cubin(conformance(), "conformance-nvidia-sm_90.bin");
  CHECK(img.sm == 90);
  std::vector<std::string> names;
  for (const auto& k : img.kernels) names.push_back(k.info.name);
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"axpb", "bump", "fill_u32", "reduce_sum", "reverse_affine", "trap", "vadd"});

  const CubinKernel& vadd = kernel(img, "vadd");
  CHECK(vadd.annotated);
  check_args(vadd, {{"a", ArgKind::pointer, 0}, {"b", ArgKind::pointer, 8}, {"c", ArgKind::pointer, 16}, {"n", ArgKind::u32, 24}});
  CHECK(vadd.info.args_size == 28);  // the cubin's own size, not rounded up to 8 (the cpu device says 32)
  CHECK(vadd.param_base == 0x210);
  CHECK(vadd.cbank0.size() == 0x210 + 28);
  CHECK(vadd.info.registers > 0);
  CHECK(vadd.info.shared_bytes == 0);
  CHECK(vadd.shared_reserve == 1024);
  CHECK(vadd.launch_shared_bytes(0) == 1024);
  CHECK(vadd.info.private_bytes == 0);
  CHECK(vadd.info.max_threads == 0);
  CHECK(vadd.barriers == 0);
  CHECK(vadd.params.size() == 4);
  CHECK(vadd.text_offset % 128 == 0);
  CHECK(vadd.text_size > 0);
  CHECK(vadd.text_offset + vadd.text_size + 4096 <= img.image.size());

  const CubinKernel& axpb = kernel(img, "axpb");
  check_args(axpb, {{"in", ArgKind::pointer, 0}, {"out", ArgKind::pointer, 8}, {"scale", ArgKind::f32, 16}, {"bias", ArgKind::i64, 24},
                    {"n", ArgKind::u32, 32}});
  CHECK(axpb.info.args_size == 36);

  const CubinKernel& reduce = kernel(img, "reduce_sum");
  CHECK(reduce.info.shared_bytes == 1024 * 8);  // the .nv.shared section is 9 KiB: 8 KiB + the reserve
  CHECK(reduce.launch_shared_bytes(0) == 1024 * 9);
  CHECK(reduce.barriers == 1);
  check_args(reduce, {{"in", ArgKind::pointer, 0}, {"out", ArgKind::pointer, 8}, {"n", ArgKind::u32, 16}});

  check_args(kernel(img, "fill_u32"), {{"out", ArgKind::pointer, 0}, {"value", ArgKind::u32, 8}, {"n", ArgKind::u32, 12}});
  check_args(kernel(img, "bump"), {{"counter", ArgKind::pointer, 0}, {"seen", ArgKind::pointer, 8}, {"slot", ArgKind::u32, 16}});
  const CubinKernel& trap = kernel(img, "trap");
  check_args(trap, {{"code", ArgKind::u32, 0}});
  CHECK(trap.info.args_size == 4);
  CHECK(trap.cbank0.size() == 0x214);

  for (const auto& k : img.kernels) {
    INFO(k.info.name);
    CHECK(k.param_base == 0x210);
    CHECK(k.cbank0.size() == k.param_base + k.info.args_size);
    CHECK(k.info.registers > 0);
    CHECK(k.banks.empty());
    CHECK(k.text_offset % 128 == 0);
  }
  CHECK(img.alignment % 256 == 0);
  // Bank 4 holds the addresses of the __device__ variables: here the seven signature strings (7 x 8
  // bytes, rounded up to a multiple of 16).
  REQUIRE(img.banks.size() == 1);
  CHECK(img.banks[0].index == 4);
  CHECK(img.banks[0].image_offset % 256 == 0);
  CHECK(img.banks[0].size == 0x40);
  CHECK(img.relocs.size() == 7);
  for (const auto& r : img.relocs) {
    CHECK(r.type == hcq::nv::reloc::r_cuda_64);
    CHECK(r.in_image);
    CHECK(r.offset >= img.banks[0].image_offset);
    CHECK(r.offset + 8 <= img.banks[0].image_offset + img.banks[0].size);
  }
}

TEST_CASE("relocation writes GPU addresses into bank 4", "[unit][nv][cubin]") {
  const CubinImage img = parse_cubin(demo(), "hcq-demo-nvidia-sm_90.bin");
  REQUIRE(img.kernels.size() == 1);
  CHECK(img.kernels[0].info.name == "vadd");
  REQUIRE(img.relocs.size() == 1);
  const auto& r = img.relocs[0];
  CHECK(r.symbol == "hcq_signature_vadd");
  Bytes copy = img.image;
  const uint64_t base = 0x7ffe00000000ull;
  img.relocate(copy, base);
  const uint64_t address = get<uint64_t>(copy, r.offset);
  REQUIRE(address >= base);
  const std::string text = "vadd(a: ptr, b: ptr, c: ptr, n: u32)";
  REQUIRE(address - base + text.size() < copy.size());
  CHECK(std::string(reinterpret_cast<const char*>(copy.data() + (address - base)), text.size()) == text);
  // Only the relocated bytes changed.
  std::size_t changed = 0;
  for (std::size_t i = 0; i < copy.size(); ++i) changed += copy[i] != img.image[i];
  CHECK(changed > 0);
  CHECK(changed <= 8);

  Bytes shorter(img.image.size() - 1);
  CHECK_THROWS_MATCHES(img.relocate(shorter, base), hcq::Error,
                       Catch::Matchers::Predicate<hcq::Error>([](const hcq::Error& e) { return e.code() == hcq::Errc::invalid_argument; }));
  CHECK_THROWS_WITH(img.relocate(copy, base + 8), Contains("not a multiple"));
}

TEST_CASE("the hardware-test cubin: shared memory, banks, globals, C++ and by-value structs", "[unit][nv][cubin]") {
  const CubinImage img = parse_cubin(hw(), "hw-nvidia-sm_90.bin");
  CHECK(img.sm == 90);
  CHECK(img.kernels.size() == 11);
  // The chained-launch test's kernel, annotated: its arguments by name.
  check_args(kernel(img, "reverse_add1"), {{"in", ArgKind::pointer, 0}, {"out", ArgKind::pointer, 8}, {"n", ArgKind::u32, 16}});
  // A kernel with a 2 KiB volatile array on its stack: per-thread local memory from its frame.
  CHECK(kernel(img, "local_scratch").info.private_bytes >= 2048);

  const CubinKernel& sgemm = kernel(img, "sgemm");
  check_args(sgemm, {{"A", ArgKind::pointer, 0}, {"B", ArgKind::pointer, 8}, {"C", ArgKind::pointer, 16}, {"M", ArgKind::u32, 24},
                     {"N", ArgKind::u32, 28}, {"K", ArgKind::u32, 32}});
  CHECK(sgemm.info.shared_bytes == 2 * 16 * 16 * 4);
  CHECK(sgemm.info.max_threads == 256);  // __launch_bounds__(256)
  CHECK(sgemm.barriers == 1);

  CHECK(kernel(img, "reduce_u64").info.shared_bytes == 32 * 8);
  const CubinKernel& dyn = kernel(img, "dyn_shared");
  CHECK(dyn.info.shared_bytes == 0);  // dynamic shared memory is a launch parameter
  CHECK(dyn.launch_shared_bytes(64 * 1024) == 65 * 1024);

  // A 4400-byte struct by value: described by KPARAM_INFO_V2, an argument of kind bytes.
  const CubinKernel& big = kernel(img, "big_param");
  CHECK_FALSE(big.annotated);
  REQUIRE(big.params.size() == 3);
  CHECK(big.params[0].size == 4400);
  CHECK(big.params[0].offset == 0);
  CHECK(big.params[1].size == 8);
  CHECK(big.params[1].offset == 4400);
  CHECK(big.params[2].size == 4);
  CHECK(big.info.args_size == 4412);
  CHECK(big.cbank0.size() == 0x210 + 4412);
  CHECK(big.info.args.size() == 3);
  CHECK(big.info.args[0].kind == ArgKind::bytes);
  CHECK(big.info.args[0].size == 4400);
  CHECK(big.info.args[1].name == "arg1");
  CHECK(big.info.args[1].kind == ArgKind::pointer);
  CHECK(big.info.args[2].kind == ArgKind::u32);
  CHECK(&img.kernel("big_param") == &big);

  // An unannotated C++ kernel: kinds from the mangled name, found by its plain name too.
  const CubinKernel& saxpy = kernel(img, "saxpy");
  CHECK(saxpy.info.name == "_ZN2hw5saxpyEfPKfPfj");
  CHECK(saxpy.alias == "saxpy");
  CHECK(&img.kernel("_ZN2hw5saxpyEfPKfPfj") == &saxpy);
  check_args(saxpy, {{"arg0", ArgKind::f32, 0}, {"arg1", ArgKind::pointer, 8}, {"arg2", ArgKind::pointer, 16}, {"arg3", ArgKind::u32, 24}});

  check_args(kernel(img, "empty"), {{"a", ArgKind::pointer, 0}, {"n", ArgKind::u32, 8}});
  check_args(kernel(img, "touch"), {{"a", ArgKind::pointer, 0}, {"n", ArgKind::u32, 8}});

  // Module banks: c[3] (__constant__ hw_coeffs) and c[4] (addresses of __device__ variables).
  REQUIRE(img.banks.size() == 2);
  CHECK(img.banks[0].index == 3);
  CHECK(img.banks[1].index == 4);
  float coeff = 0;
  std::memcpy(&coeff, img.image.data() + img.banks[0].image_offset + 8, 4);
  CHECK(coeff == 2.5f);

  // After relocation, bank 4 points at hw_init_value (initialised) and hw_launches (zeroed).
  Bytes copy = img.image;
  const uint64_t base = 0x10000000000ull;
  img.relocate(copy, base);
  bool saw_init = false, saw_launches = false;
  for (const auto& r : img.relocs) {
    CHECK(r.type == hcq::nv::reloc::r_cuda_64);
    const uint64_t address = get<uint64_t>(copy, r.offset);
    REQUIRE(address >= base);
    REQUIRE(address - base + 4 <= copy.size());
    if (r.symbol == "hw_init_value") {
      saw_init = true;
      CHECK(get<uint32_t>(copy, address - base) == 0x1234abcdu);
    }
    if (r.symbol == "hw_launches") {
      saw_launches = true;
      CHECK(get<uint32_t>(copy, address - base) == 0);
    }
  }
  CHECK(saw_init);
  CHECK(saw_launches);

  CHECK_THROWS_WITH(img.kernel("nope"), Contains("no kernel 'nope'") && Contains("sgemm") && Contains("_ZN2hw5saxpyEfPKfPfj (saxpy)"));
  CHECK(img.find("nope") == nullptr);
}

TEST_CASE("check_sm names both versions", "[unit][nv][cubin]") {
  const CubinImage img = parse_cubin(demo(), "demo.cubin");
  CHECK_NOTHROW(hcq::nv::check_sm(img, 90));
  CHECK_THROWS_WITH(hcq::nv::check_sm(img, 100), Contains("demo.cubin") && Contains("built for sm_90, this device is sm_100"));

  const CubinImage old = parse_cubin(read_kernel_file("demo-nvidia-sm_86.bin"), "old.cubin");
  CHECK(old.sm == 86);
  CHECK_THROWS_WITH(hcq::nv::check_sm(old, 90), Contains("old.cubin: built for sm_86, this device is sm_90"));
  try {
    hcq::nv::check_sm(old, 90);
  } catch (const hcq::Error& e) {
    CHECK(e.code() == hcq::Errc::bad_code_object);
    CHECK(e.block() == "program");
  }
}

TEST_CASE("an sm_86 cubin: parameters at 0x160, SHT_REL relocations, no shared reserve", "[unit][nv][cubin]") {
  const CubinImage img = parse_cubin(read_kernel_file("demo-nvidia-sm_86.bin"), "demo-nvidia-sm_86.bin");
  REQUIRE(img.kernels.size() == 1);
  const CubinKernel& vadd = img.kernels[0];
  check_args(vadd, {{"a", ArgKind::pointer, 0}, {"b", ArgKind::pointer, 8}, {"c", ArgKind::pointer, 16}, {"n", ArgKind::u32, 24}});
  CHECK(vadd.param_base == 0x160);
  CHECK(vadd.cbank0.size() == 0x160 + 28);
  CHECK(vadd.shared_reserve == 0);
  REQUIRE(img.relocs.size() == 1);  // from .rel.nv.constant4: the addend is the bank's stored 0
  CHECK(img.relocs[0].addend == 0);
  Bytes copy = img.image;
  img.relocate(copy, 0x100000);
  CHECK(get<uint64_t>(copy, img.relocs[0].offset) == 0x100000 + img.relocs[0].value);
}

TEST_CASE("cubin header errors", "[unit][nv][cubin]") {
  Bytes b = demo();
  put<uint16_t>(b, 0x12, 62);  // e_machine: x86-64
  CHECK_THROWS_WITH(parse_cubin(b, "x.cubin"), Contains("x.cubin") && Contains("e_machine is 62, expected 190"));

  b = demo();
  put<uint16_t>(b, 0x10, 1);  // e_type: ET_REL
  CHECK_THROWS_WITH(parse_cubin(b, "x.cubin"), Contains("relocatable cubin"));

  b = demo();
  put<uint32_t>(b, 0x30, get<uint32_t>(b, 0x30) & ~0xff00u);
  CHECK_THROWS_WITH(parse_cubin(b, "x.cubin"), Contains("no SM version"));

  CHECK_THROWS_AS(parse_cubin(Bytes{}, "empty.cubin"), hcq::Error);
}

TEST_CASE("corrupt .nv.info records, relocations and sections are refused clearly", "[unit][nv][cubin]") {
  SECTION("a record whose length runs past the section") {
    Bytes b = demo();
    const Where info = section(b, ".nv.info.vadd");
    // The first record is CUDA_API_VERSION: format 4, 4 bytes of payload. Claim 0xff00 bytes.
    REQUIRE(get<uint8_t>(b, info.offset) == 4);
    put<uint16_t>(b, info.offset + 2, 0xff00);
    CHECK_THROWS_WITH(parse_cubin(b, "x.cubin"), Contains(".nv.info.vadd") && Contains("65280-byte payload") && Contains("remain"));
  }
  SECTION("a record cut off inside its header") {
    Bytes b = demo();
    const Where info = section(b, ".nv.info.vadd");
    put<uint16_t>(b, info.offset + 2, static_cast<uint16_t>(info.size - 4 - 2));  // leaves 2 bytes after the payload
    CHECK_THROWS_WITH(parse_cubin(b, "x.cubin"), Contains("cut off"));
  }
  SECTION("an unknown record format") {
    Bytes b = demo();
    put<uint8_t>(b, section(b, ".nv.info").offset, 9);
    CHECK_THROWS_WITH(parse_cubin(b, "x.cubin"), Contains(".nv.info: record at offset 0x0 has format 9"));
  }
  SECTION("a parameter outside the parameter block") {
    Bytes b = demo();
    const Where info = section(b, ".nv.info.vadd");
    // Records: CUDA_API_VERSION (8 bytes), then KPARAM_INFO for n: u32 0, u16 ordinal, u16 offset.
    REQUIRE(get<uint8_t>(b, info.offset + 8 + 1) == hcq::nv::eiattr::kparam_info);
    put<uint16_t>(b, info.offset + 8 + 4 + 6, 0x100);
    CHECK_THROWS_WITH(parse_cubin(b, "x.cubin"), Contains("kernel 'vadd': parameter 3 (4 bytes at offset 0x100) lies outside"));
  }
  SECTION("a relocation outside its section") {
    Bytes b = demo();
    const Where rela = section(b, ".rela.nv.constant4");
    put<uint64_t>(b, rela.offset, 0x1000);  // r_offset of the first entry; .nv.constant4 has 8 bytes
    CHECK_THROWS_WITH(parse_cubin(b, "x.cubin"), Contains(".rela.nv.constant4: relocation at 0x1000") && Contains("writes outside .nv.constant4"));
  }
  SECTION("an unknown relocation type") {
    Bytes b = demo();
    const Where rela = section(b, ".rela.nv.constant4");
    put<uint32_t>(b, rela.offset + 8, 0x77);  // the low half of r_info
    CHECK_THROWS_WITH(parse_cubin(b, "x.cubin"), Contains("type 0x77") && Contains("does not know"));
  }
  SECTION("a kernel without its constant bank 0") {
    Bytes b = demo();
    rename_section(b, ".nv.constant0.vadd", ".nv.constant7.vadd");
    CHECK_THROWS_WITH(parse_cubin(b, "x.cubin"), Contains("kernel 'vadd': no .nv.constant0.vadd section"));
  }
  SECTION("a constant bank a launch cannot bind") {
    Bytes b = demo();
    rename_section(b, ".nv.constant4", ".nv.constant9");
    CHECK_THROWS_WITH(parse_cubin(b, "x.cubin"), Contains(".nv.constant9: constant bank 9, but a launch binds banks 0-7 only"));
  }
  SECTION("a kernel without .nv.info") {
    Bytes b = demo();
    rename_section(b, ".nv.info.vadd", ".nv.infx.vadd");
    CHECK_THROWS_WITH(parse_cubin(b, "x.cubin"), Contains("kernel 'vadd': no .nv.info.vadd section"));
  }
}

TEST_CASE("annotations are checked against the cubin's parameters", "[unit][nv][cubin]") {
  SECTION("a kind of another size") {
    Bytes b = demo();
    replace_text(b, "c: ptr, n: u32)", "c: ptr, n: u64)");
    CHECK_THROWS_WITH(parse_cubin(b, "x.cubin"), Contains("kernel 'vadd'") && Contains("argument 'n: u64' is 8 bytes at offset 24") &&
                                                     Contains("parameter 3 is 4 bytes at offset 24"));
  }
  SECTION("a kind of the same size is taken") {
    Bytes b = demo();
    replace_text(b, "c: ptr, n: u32)", "c: ptr, n: f32)");
    const CubinImage img = parse_cubin(b, "x.cubin");
    CHECK(img.kernels[0].info.args[3].kind == ArgKind::f32);
  }
  SECTION("a different count") {
    Bytes b = demo();
    replace_text(b, "vadd(a: ptr, b: ptr, c: ptr, n: u32)", std::string("vadd(a: ptr, b: ptr, c: ptr)") + std::string(8, '\0'));
    CHECK_THROWS_WITH(parse_cubin(b, "x.cubin"), Contains("has 3 arguments, the cubin 4 parameters"));
  }
  SECTION("an annotation for a kernel that is not there") {
    Bytes b = demo();
    replace_text(b, "vadd(a: ptr", "vaxx(a: ptr");
    CHECK_THROWS_WITH(parse_cubin(b, "x.cubin"), Contains("describes kernel 'vaxx', which this cubin does not have (kernels: vadd)"));
  }
  SECTION("a malformed annotation") {
    Bytes b = demo();
    replace_text(b, "c: ptr, n: u32)", "c: ptr, n: u32 ");
    CHECK_THROWS_WITH(parse_cubin(b, "x.cubin"), Contains("not of the form"));
  }
  SECTION("an annotation that is not NUL-terminated inside its symbol") {
    Bytes b = demo();
    const uint64_t at = find_text(b, "vadd(a: ptr, b: ptr, c: ptr, n: u32)");
    put<uint8_t>(b, at + std::string("vadd(a: ptr, b: ptr, c: ptr, n: u32)").size(), 'x');
    CHECK_THROWS_WITH(parse_cubin(b, "x.cubin"), Contains("not NUL-terminated"));
  }
}

TEST_CASE("mangled kernel names give argument kinds", "[unit][nv][cubin]") {
  using hcq::nv::cubin_detail::demangle_kernel;
  using K = std::optional<ArgKind>;
  auto kinds = [](std::string_view s) {
    auto d = demangle_kernel(s);
    REQUIRE(d.has_value());
    return d->kinds;
  };
  // Names nvcc 13 wrote for the kernels in the comments.
  // vadd(const float*, const float*, float*, unsigned): S0_ is "const float*".
  CHECK(kinds("_Z4vaddPKfS0_Pfj") == std::vector<K>{ArgKind::pointer, ArgKind::pointer, ArgKind::pointer, ArgKind::u32});
  // vadd2(float*, float*, const float*, long)
  CHECK(kinds("_Z5vadd2PfS_PKfl") == std::vector<K>{ArgKind::pointer, ArgKind::pointer, ArgKind::pointer, ArgKind::i64});
  // mangled(float*, int, long long, double, unsigned long)
  CHECK(kinds("_Z7mangledPfixdm") == std::vector<K>{ArgKind::pointer, ArgKind::i32, ArgKind::i64, ArgKind::f64, ArgKind::u64});
  // ns::inner(float*, unsigned)
  auto inner = demangle_kernel("_ZN2ns5innerEPfj");
  REQUIRE(inner);
  CHECK(inner->name == "inner");
  CHECK(inner->kinds == std::vector<K>{ArgKind::pointer, ArgKind::u32});
  // template tk<float>(T*, unsigned, int, unsigned long long, long long, float, double, const char*, unsigned char)
  auto tk = demangle_kernel("_Z2tkIfEvPT_jiyxfdPKch");
  REQUIRE(tk);
  CHECK(tk->name == "tk");
  CHECK(tk->kinds == std::vector<K>{ArgKind::pointer, ArgKind::u32, ArgKind::i32, ArgKind::u64, ArgKind::i64, ArgKind::f32, ArgKind::f64,
                                    ArgKind::pointer, std::nullopt});
  // A template parameter used by value takes the argument's kind: k<double>(T, T*)
  CHECK(kinds("_Z1kIdEvT_PS0_") == std::vector<K>{ArgKind::f64, ArgKind::pointer});
  // A struct by value is a type outside hcq's kinds; a pointer to it is a pointer.
  CHECK(kinds("_Z3big3BigPf") == std::vector<K>{std::nullopt, ArgKind::pointer});
  CHECK(kinds("_Z1kP3BigS0_") == std::vector<K>{ArgKind::pointer, ArgKind::pointer});
  CHECK(kinds("_Z1kv").empty());

  CHECK_FALSE(demangle_kernel("vadd"));
  CHECK_FALSE(demangle_kernel("_Z"));
  CHECK_FALSE(demangle_kernel("_Z4vad"));
  CHECK_FALSE(demangle_kernel("_Z1kS_"));             // a substitution with nothing to refer to
  CHECK_FALSE(demangle_kernel("_Z1kSt6vectorIiE"));  // std:: names are beyond this reader
  CHECK_FALSE(demangle_kernel("_Z1k" + std::string(100000, 'P') + "f"));  // bounded recursion
  CHECK_FALSE(demangle_kernel("_Z99999999999999999999999k"));
}

TEST_CASE("truncated cubins throw hcq::Error, never crash", "[unit][nv][cubin]") {
  for (const Bytes* file : {&demo(), &conformance(), &hw()}) {
    int parsed = 0;
    for (std::size_t n = 0; n < file->size(); n += 7) {
      Bytes prefix(file->begin(), file->begin() + static_cast<std::ptrdiff_t>(n));
      parsed += parses_or_throws_error(prefix);
    }
    CHECK(parsed == 0);  // the section headers are near the end: every proper prefix is refused
    CHECK(parses_or_throws_error(*file));
  }
}

TEST_CASE("flipped bytes in .nv.info sections throw hcq::Error or parse", "[unit][nv][cubin]") {
  const Bytes& file = conformance();
  const auto elf = hcq::detail::ElfFile::parse(file, "test");
  std::size_t parsed = 0, refused = 0;
  for (const auto& s : elf.sections()) {
    if (s.name.substr(0, 8) != ".nv.info") continue;
    for (uint64_t i = 0; i < s.size; ++i) {
      for (uint8_t x : {uint8_t{0x01}, uint8_t{0x80}, uint8_t{0xff}}) {
        Bytes b = file;
        b[s.offset + i] ^= std::byte{x};
        (parses_or_throws_error(b) ? parsed : refused) += 1;
      }
    }
  }
  CHECK(parsed + refused > 1000);
  CHECK(parsed > 0);   // flips in values the loader does not check (attributes it ignores)
  CHECK(refused > 0);  // flips in framing, formats, sizes, ordinals and offsets
}

TEST_CASE("random mutations of cubins throw hcq::Error or parse", "[unit][nv][cubin]") {
  std::mt19937_64 rng(20261122);
  for (const Bytes* file : {&demo(), &hw()}) {
    for (int iter = 0; iter < 1500; ++iter) {
      Bytes b = *file;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) b[rng() % b.size()] = static_cast<std::byte>(rng() & 0xff);
      parses_or_throws_error(b);
    }
  }
}

// The copy kernels libhcq embeds (nv/kernels/, tools/embed.py): one per SM of the chip table, each
// a cubin for that SM whose only kernel takes what nv/queue.cpp passes (dst, src, bytes,
// threads: four 8-byte parameters at offsets 0, 8, 16, 24).
TEST_CASE("cubin: the built-in copy kernels parse and take what the queue passes", "[unit][cubin]") {
  for (uint32_t sm : {80u, 86u, 89u, 90u, 100u, 103u, 120u}) {
    INFO("sm_" << sm);
    auto bytes = hcq::nv::builtin_kernel("copy-sm_" + std::to_string(sm));
    REQUIRE_FALSE(bytes.empty());
    CubinImage image = parse_cubin(bytes, "copy");
    CHECK(image.sm == sm);
    REQUIRE(image.kernels.size() == 1);
    const CubinKernel& k = image.kernels[0];
    CHECK(k.info.name == "hcq_copy");
    CHECK(k.info.args_size == 32);
    REQUIRE(k.info.args.size() == 4);
    for (uint32_t i = 0; i < 4; ++i) CHECK(k.info.args[i].offset == 8 * i);
    CHECK(k.info.private_bytes == 0);  // no stack: nothing to size per launch
  }
  CHECK(hcq::nv::builtin_kernel("copy-sm_1").empty());
}
