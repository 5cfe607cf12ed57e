// ARC protocols against a fake firmware (fake_arc.hpp) for both chips: replies, argument and
// return-value transport, queue wrap-around, and every failure path with its message.
#include <catch2/catch.hpp>

#include "arc.hpp"
#include "fake_arc.hpp"

using namespace hcq::tt;
using hcq::tt::test::FakeArc;
using hcq::tt::test::FakeMode;

namespace {

constexpr std::chrono::milliseconds short_timeout{20};

const ChipTable* chips[] = {&wormhole_b0(), &blackhole()};

hcq::Errc error_of(FakeMode mode, const ChipTable& chip, std::string* what) {
  FakeArc fake(chip, mode);
  Arc arc(fake, chip, "tt fake");
  try {
    arc.send(arc_msg::test, 1, 2, short_timeout);
  } catch (const hcq::Error& e) {
    *what = e.what();
    return e.code();
  }
  FAIL("no error");
  return hcq::Errc::internal;
}

}  // namespace

TEST_CASE("arc: a message carries its arguments and returns the firmware's values", "[tt][arc]") {
  for (const ChipTable* chip : chips) {
    INFO(chip->name);
    FakeArc fake(*chip, FakeMode::answer);
    Arc arc(fake, *chip, "tt fake");
    ArcReply r = arc.send(arc_msg::test, 0x1234, 0x0042);
    CHECK(fake.last_args[0] == 0x1234);
    CHECK(fake.last_args[1] == 0x0042);
    CHECK(r.value[0] == 0x1235);
    CHECK(r.value[1] == 0x0084);
    CHECK(r.exit_code == 7);
    CHECK(arc.send(arc_msg::nop).exit_code == 0);
  }
}

TEST_CASE("arc: Blackhole queue pointers wrap at twice the ring size", "[tt][arc]") {
  FakeArc fake(blackhole(), FakeMode::answer);
  Arc arc(fake, blackhole(), "tt fake");
  for (uint32_t i = 0; i < 3 * 2 * FakeArc::queue_entries + 1; ++i) CHECK(arc.send(arc_msg::test, i).value[0] == i + 1);
  CHECK(fake.messages == 3 * 2 * FakeArc::queue_entries + 1);
}

TEST_CASE("arc: Wormhole arguments are 16 bits", "[tt][arc]") {
  FakeArc fake(wormhole_b0(), FakeMode::answer);
  Arc arc(fake, wormhole_b0(), "tt fake");
  CHECK_THROWS_AS(arc.send(arc_msg::test, 0x10000), hcq::Error);
  CHECK(fake.messages == 0);
}

TEST_CASE("arc: a firmware that never answers times out with what was seen", "[tt][arc]") {
  for (const ChipTable* chip : chips) {
    std::string what;
    CHECK(error_of(FakeMode::hang, *chip, &what) == hcq::Errc::timeout);
    CHECK_THAT(what, Catch::Contains("TEST (0x90)"));
    CHECK_THAT(what, Catch::Contains("reset"));
  }
  FakeArc fake(wormhole_b0(), FakeMode::hang);
  Arc arc(fake, wormhole_b0(), "tt fake");
  CHECK_THROWS(arc.send(arc_msg::nop, 0, 0, short_timeout));
  CHECK(fake.idles > 0);  // polled, with the transport's idle between reads
}

TEST_CASE("arc: unknown messages, firmware not booted, hung chip", "[tt][arc]") {
  std::string what;
  for (const ChipTable* chip : chips) {
    CHECK(error_of(FakeMode::unknown, *chip, &what) == hcq::Errc::unsupported);
    CHECK_THAT(what, Catch::Contains("does not recognise"));
    CHECK(error_of(FakeMode::not_booted, *chip, &what) == hcq::Errc::device_lost);
    CHECK_THAT(what, Catch::Contains("not ready"));
  }
  CHECK(error_of(FakeMode::hung, wormhole_b0(), &what) == hcq::Errc::device_lost);
  CHECK_THAT(what, Catch::Contains("hung"));
}

TEST_CASE("arc: telemetry tags and decoders", "[tt][arc][telemetry]") {
  for (const ChipTable* chip : chips) {
    FakeArc fake(*chip, FakeMode::answer);
    fake.set_telemetry(0x00010000, {{telemetry_tag::asic_temperature, (40u << 16) | 0x8000},
                                    {telemetry_tag::aiclk, 0xABCD03E8},
                                    {telemetry_tag::power, 55},
                                    {telemetry_tag::board_id_high, 0x00000180},
                                    {telemetry_tag::board_id_low, 1},
                                    {telemetry_tag::heartbeat, 99}});
    Arc arc(fake, *chip, "tt fake");
    Telemetry t = arc.telemetry();
    CHECK(t.raw.size() == 6);
    CHECK(t.asic_temperature_c() == Approx(40.5));
    CHECK(t.aiclk_mhz() == 1000u);
    CHECK(t.power_w() == 55u);
    CHECK(t.heartbeat() == 99u);
    CHECK(t.board_id() == ((uint64_t{0x180} << 32) | 1));
    CHECK(t.board_type() == std::string_view("n150"));
    CHECK(!t.current_a());  // absent tag
    CHECK(!t.vcore_mv());
  }
}

TEST_CASE("arc: corrupt telemetry tables are refused", "[tt][arc][telemetry]") {
  const ChipTable& chip = blackhole();
  const ArcLayout& l = chip.arc_layout;
  {
    FakeArc fake(chip, FakeMode::answer);
    fake.set_telemetry(0x00020000, {{telemetry_tag::aiclk, 1}});
    Arc arc(fake, chip, "tt fake");
    CHECK_THROWS_MATCHES(arc.telemetry(), hcq::Error, Catch::Predicate<hcq::Error>([](const hcq::Error& e) {
                           return e.code() == hcq::Errc::unsupported;
                         }));
  }
  {
    FakeArc fake(chip, FakeMode::answer);
    fake.set_telemetry(1, {{telemetry_tag::aiclk, 1}});
    fake.poke(l.csm_base + FakeArc::table_offset + 4, 0x7FFFFFFF);  // entry count
    Arc arc(fake, chip, "tt fake");
    CHECK_THROWS_AS(arc.telemetry(), hcq::Error);
  }
  {
    FakeArc fake(chip, FakeMode::answer);
    fake.poke(l.telemetry_table_reg, 0xDEAD0000);  // not in CSM
    Arc arc(fake, chip, "tt fake");
    try {
      arc.telemetry();
      FAIL("accepted");
    } catch (const hcq::Error& e) {
      CHECK(e.code() == hcq::Errc::device_lost);
      CHECK_THAT(e.what(), Catch::Contains("0xdead0000"));
    }
  }
}
