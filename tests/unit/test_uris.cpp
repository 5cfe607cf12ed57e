// Device URIs that are refused before any hardware is touched: their options are checked by the
// backend's canonical form, which open() computes first (so these run on machines without GPUs).
#include <catch2/catch.hpp>

#include "hcq/hcq.hpp"

using Catch::Matchers::Contains;

namespace {

hcq::Errc open_error(const char* uri, std::string* message) {
  try {
    hcq::open(uri);
  } catch (const hcq::Error& e) {
    *message = e.what();
    return e.code();
  }
  *message = "opened";
  return hcq::Errc::internal;
}

}  // namespace

TEST_CASE("nv URIs: context=K is the only option", "[unit][nv]") {
  std::string m;
  CHECK(open_error("nv:0?context=x", &m) == hcq::Errc::invalid_argument);
  CHECK_THAT(m, Contains("context=K"));
  CHECK(open_error("nv:0?context=64", &m) == hcq::Errc::invalid_argument);
  CHECK(open_error("nv:0?queues=2", &m) == hcq::Errc::invalid_argument);
  CHECK_THAT(m, Contains("'queues=2'"));
  CHECK(open_error("nv:x", &m) == hcq::Errc::not_found);
}

TEST_CASE("cpu URIs: options and their values", "[unit][cpu]") {
  std::string m;
  CHECK(open_error("cpu:0?signal_bits=7", &m) == hcq::Errc::invalid_argument);
  CHECK_THAT(m, Contains("32 or 64"));
  CHECK(open_error("cpu:0?colour=blue", &m) == hcq::Errc::invalid_argument);
  CHECK_THAT(m, Contains("unknown option 'colour'"));
}
