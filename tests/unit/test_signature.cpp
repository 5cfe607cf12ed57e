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

TEST_CASE("by-value blocks: bytes[N] and bytes[N:A] lay out like C structs", "[unit][cpu]") {
  auto info = hcq::detail::parse_signature("k(a: u32, p: bytes[12], q: bytes[16], r: bytes[6:2], s: u32, t: bytes[8:4], u: ptr)", "t.so");
  REQUIRE(info.args.size() == 7);
  struct P { uint32_t v[3]; };
  struct Q { uint64_t v[2]; };
  struct R { uint16_t v[3]; };
  struct T { float v[2]; };
  struct K { uint32_t a; P p; Q q; R r; uint32_t s; T t; void* u; };
  CHECK(info.args[1].kind == hcq::ArgKind::bytes);
  CHECK(info.args[1].size == 12);
  CHECK(info.args[1].offset == offsetof(K, p));
  CHECK(info.args[2].offset == offsetof(K, q));
  CHECK(info.args[3].offset == offsetof(K, r));
  CHECK(info.args[3].size == 6);
  CHECK(info.args[4].offset == offsetof(K, s));
  CHECK(info.args[5].offset == offsetof(K, t));
  CHECK(info.args[6].offset == offsetof(K, u));
  CHECK(info.args_size == sizeof(K));
  CHECK(info.args[0].size == 4);
  CHECK(info.args[6].size == 8);

  for (const char* bad : {"k(p: bytes[0])", "k(p: bytes[])", "k(p: bytes[12:3])", "k(p: bytes[40000])", "k(p: bytes[-1])",
                          "k(p: bytes[12:])", "k(p: bytes12)", "k(p: bytes[1x])"}) {
    INFO(bad);
    CHECK_THROWS_WITH(hcq::detail::parse_signature(bad, "t.so"), Contains("bytes[N]"));
  }
  CHECK_THROWS_WITH(hcq::detail::parse_signature("k(a: bytes[30000], b: bytes[3000])", "t.so"), Contains("more than 32764 bytes"));
}
