// The cpu code-object metadata: signature grammar and argument layout.
#include <catch2/catch.hpp>

#include "signature.hpp"

using Catch::Matchers::Contains;

TEST_CASE("cpu signatures lay arguments out like a C struct", "[unit][cpu]") {
  auto info = hcq::detail::parse_signature("axpb(in: ptr, out: ptr, scale: f32, bias: i64, n: u32)", "t.so");
  CHECK(info.name == "axpb");
  REQUIRE(info.args.size() == 5);
  CHECK(info.args[0].offset == 0);
  CHECK(info.args[1].offset == 8);
  CHECK(info.args[2].offset == 16);
  CHECK(info.args[2].kind == hcq::ArgKind::f32);
  CHECK(info.args[3].offset == 24);  // i64 aligned up past the f32
  CHECK(info.args[4].offset == 32);
  CHECK(info.args_size == 40);
  struct Axpb { const float* in; float* out; float scale; int64_t bias; uint32_t n; };
  CHECK(offsetof(Axpb, bias) == info.args[3].offset);
  CHECK(sizeof(Axpb) == info.args_size);

  auto empty = hcq::detail::parse_signature("noargs()", "t.so");
  CHECK(empty.args.empty());
  CHECK(empty.args_size == 0);
}

TEST_CASE("bad cpu signatures are refused with the reason", "[unit][cpu]") {
  CHECK_THROWS_WITH(hcq::detail::parse_signature("k(a: ptr", "t.so"), Contains("t.so") && Contains("not of the form"));
  CHECK_THROWS_WITH(hcq::detail::parse_signature("k(a: f16)", "t.so"), Contains("'a: f16'"));
  CHECK_THROWS_WITH(hcq::detail::parse_signature("k(a: u32, a: u32)", "t.so"), Contains("'a' twice"));
  CHECK_THROWS_WITH(hcq::detail::parse_signature("9k(a: u32)", "t.so"), Contains("not a kernel name"));
  CHECK_THROWS_WITH(hcq::detail::parse_signature("k(: u32)", "t.so"), Contains("not 'name: kind'"));
  std::string many = "k(";
  for (int i = 0; i < 65; ++i) many += (i ? ", a" : "a") + std::to_string(i) + ": u32";
  CHECK_THROWS_WITH(hcq::detail::parse_signature(many + ")", "t.so"), Contains("more than 64"));
}
