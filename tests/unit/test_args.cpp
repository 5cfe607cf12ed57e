// Loading a real cpu code object, and the KernelArgs builder against its metadata.
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <iterator>

#include "hcq/hcq.hpp"

using Catch::Matchers::Contains;

namespace {
std::vector<std::byte> read_kernels() {
  std::ifstream f(HCQ_TEST_KERNELS_DIR "/conformance-cpu.so", std::ios::binary);
  std::vector<char> c((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(c.size());
  std::memcpy(out.data(), c.data(), c.size());
  return out;
}
}  // namespace

TEST_CASE("KernelArgs builds the argument block from the code object's metadata", "[unit][args]") {
  auto dev = hcq::open("cpu");
  auto bytes = read_kernels();
  REQUIRE(bytes.size() > 1000);
  auto prog = dev.load_program(bytes, "conformance-cpu.so");
  auto names = prog.kernel_names();
  CHECK(names.size() == 7);
  auto k = prog.kernel("axpb");
  CHECK(k.info().args_size == 40);
  auto buf = dev.alloc(64);
  hcq::KernelArgs a(k);
  a.set("in", buf).set(1, buf).set_f32("scale", 1.5f).set_i64("bias", -2).set_u32("n", 7);
  CHECK(a.problem().empty());
  float scale = 0;
  int64_t bias = 0;
  uint64_t in = 0;
  std::memcpy(&in, a.bytes().data(), 8);
  std::memcpy(&scale, a.bytes().data() + 16, 4);
  std::memcpy(&bias, a.bytes().data() + 24, 8);
  CHECK(in == buf.gpu_address());
  CHECK(scale == 1.5f);
  CHECK(bias == -2);

  CHECK_THAT(hcq::KernelArgs(k).set_u32("scale", 1).problem(), Contains("'scale' is f32, not u32"));
  CHECK_THAT(hcq::KernelArgs(k).set_u32(9, 1).problem(), Contains("no argument #9"));
  CHECK_THAT(hcq::KernelArgs(k).set("nope", buf).problem(), Contains("no argument 'nope'"));
  CHECK_THAT(hcq::KernelArgs(k).set("in", buf).problem(), Contains("#1 'out'"));
}

TEST_CASE("every truncation of a real code object is refused cleanly", "[unit][args]") {
  auto dev = hcq::open("cpu");
  auto bytes = read_kernels();
  // Cutting anywhere must give bad_code_object (from the ELF reader or the dynamic loader),
  // never a crash. Step through the file, denser near the headers.
  for (size_t n = 0; n < bytes.size(); n += n < 256 ? 1 : 97) {
    std::span<const std::byte> cut(bytes.data(), n);
    try {
      dev.load_program(cut, "cut.so");
      FAIL("a truncated code object of " << n << " bytes loaded");
    } catch (const hcq::Error& e) {
      REQUIRE(e.code() == hcq::Errc::bad_code_object);
    }
  }
}
