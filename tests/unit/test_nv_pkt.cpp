// Golden-word tests for the nv backend's push-buffer builder, GPFIFO entries, register fields and
// QMD encoder. Every expected value is computed here by hand from the documented bit positions
// (NVIDIA's class headers as quoted in nv/registers/ and nv/pkt/qmd.hpp), never by calling the
// encoder under test.
#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <set>
#include <vector>

#include "backend.hpp"
#include "hcq/error.hpp"
#include "pkt/pushbuf.hpp"
#include "pkt/qmd.hpp"
#include "registers/classes.hpp"
#include "registers/compute.hpp"
#include "registers/copy.hpp"
#include "registers/host.hpp"

using namespace hcq::nv;
namespace host = hcq::nv::reg::host;
namespace compute = hcq::nv::reg::compute;
namespace copy = hcq::nv::reg::copy;

// Method header: 31:29 SEC_OP, 28:16 count/immediate, 15:13 subchannel, 11:0 method >> 2.
static_assert(inc_header(1, 0x2B4, 1) == (0x20000000u | 1u << 16 | 1u << 13 | 0x2B4u >> 2));

TEST_CASE("nv method headers", "[nv][pkt]") {
  // SEC_OP 1 (INC), count 1, subchannel 1, SEND_PCAS_A 0x2B4.
  CHECK(inc_header(1, 0x2B4, 1) == 0x200120ADu);
  // SEC_OP 3 (NON_INC), count 2, subchannel 4, LAUNCH_DMA 0x300 (0xC0 after >> 2).
  CHECK(non_inc_header(4, 0x300, 2) == 0x600280C0u);
  // SEC_OP 5 (ONE_INC), count 5, subchannel 0, SEM_ADDR_LO 0x5C.
  CHECK(one_inc_header(0, 0x5C, 5) == 0xA0050017u);
  // SEC_OP 4 (IMMD), data 0x1011 in 28:16, subchannel 1, INVALIDATE_SHADER_CACHES_NO_WFI 0x1698.
  CHECK(immd_header(1, 0x1698, 0x1011) == 0x901125A6u);
  // Every field at its maximum: method 0x3FFC, subchannel 7, count 0x1FFF.
  CHECK(inc_header(7, 0x3FFC, 0x1FFF) == 0x3FFFEFFFu);
  CHECK(fits_immediate(0x1FFF));
  CHECK_FALSE(fits_immediate(0x2000));
}

TEST_CASE("nv push buffer: immediates, incs and splits", "[nv][pkt]") {
  hcq::detail::CommandStream s;
  {
    PushBuf pb(s);
    auto budget = pb.reserve(1 + 2 + 1 + 3 + 4);
    pb.immediate(1, 0x1698, 0x1FFF);    // fits 13 bits: one word
    pb.immediate(1, 0x02B4, 0x2000);    // does not: a 1-word INC
    pb.immediate(0, 0x0078, 1);         // WFI ALL
    pb.inc(reg::subc_copy, 0x0240, {0x12u, 0x34u});
    const std::array<uint32_t, 3> words{7, 8, 9};
    pb.non_inc(1, 0x1B08, words);
    CHECK(pb.size() == 1 + 2 + 1 + 3 + 4);
  }
  const std::vector<uint32_t> expect{
      0x80000000u | 0x1FFFu << 16 | 1u << 13 | 0x1698u >> 2,
      0x20000000u | 1u << 16 | 1u << 13 | 0x2B4u >> 2, 0x2000u,
      0x80000000u | 1u << 16 | 0u << 13 | 0x78u >> 2,
      0x20000000u | 2u << 16 | 4u << 13 | 0x240u >> 2, 0x12u, 0x34u,
      0x60000000u | 3u << 16 | 1u << 13 | 0x1B08u >> 2, 7u, 8u, 9u,
  };
  CHECK(s.words == expect);
  CHECK(s.sites.empty());
}

TEST_CASE("nv push buffer: non-incrementing data longer than a header holds is split", "[nv][pkt]") {
  hcq::detail::CommandStream s;
  std::vector<uint32_t> data(0x1FFF + 5);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint32_t>(i);
  PushBuf pb(s);
  pb.non_inc(1, 0x1B08, std::span<const uint32_t>(data));
  REQUIRE(s.words.size() == data.size() + 2);
  CHECK(s.words[0] == (0x60000000u | 0x1FFFu << 16 | 1u << 13 | 0x1B08u >> 2));
  CHECK(s.words[0x1FFF] == 0x1FFEu);  // last word of the first header
  CHECK(s.words[0x2000] == (0x60000000u | 5u << 16 | 1u << 13 | 0x1B08u >> 2));
  CHECK(s.words[0x2001] == 0x1FFFu);
  CHECK(s.words.back() == static_cast<uint32_t>(data.size() - 1));
}

TEST_CASE("nv push buffer: graph variables become patch sites at their byte offsets", "[nv][pkt]") {
  hcq::detail::CommandStream s;
  s.put32(0xDEAD0001);  // words already in the stream shift every offset
  s.put32(0xDEAD0002);
  hcq::Value payload = hcq::Var{3};
  hcq::Value addr = hcq::Var{7};
  addr.constant = 0x40;  // addend: the variable + 0x40
  const hcq::Value fixed = uint64_t{0x1234567890};

  PushBuf pb(s);
  pb.inc(reg::subc_compute, compute::set_report_semaphore_payload_lower,
         {Word::lo(payload), Word::hi(payload), Word::lo(addr), Word::hi(addr), 0x1000u});
  pb.inc(reg::subc_copy, copy::offset_in_upper, {Word::hi(fixed), Word::lo(fixed)});

  const std::vector<uint32_t> expect{
      0xDEAD0001u, 0xDEAD0002u,
      0x20000000u | 5u << 16 | 1u << 13 | 0x158u >> 2, 0, 0, 0, 0, 0x1000u,
      0x20000000u | 2u << 16 | 4u << 13 | 0x400u >> 2, 0x12u, 0x34567890u,
  };
  CHECK(s.words == expect);
  REQUIRE(s.sites.size() == 4);
  // Data words 3..6 of the stream: bytes 12, 16, 20, 24.
  const uint32_t offsets[] = {12, 16, 20, 24};
  const uint32_t vars[] = {3, 3, 7, 7};
  const uint8_t shifts[] = {0, 32, 0, 32};
  const uint64_t addends[] = {0, 0, 0x40, 0x40};
  for (size_t i = 0; i < 4; ++i) {
    INFO("site " << i);
    CHECK(s.sites[i].offset == offsets[i]);
    CHECK(s.sites[i].var == vars[i]);
    CHECK(s.sites[i].shift == shifts[i]);
    CHECK(s.sites[i].addend == addends[i]);
    CHECK(s.sites[i].width == 4);
    CHECK(s.sites[i].space == 0);
  }
}

TEST_CASE("nv push buffer: host semaphore and Value pairs", "[nv][pkt]") {
  hcq::detail::CommandStream s;
  PushBuf pb(s);
  const hcq::Value addr = uint64_t{0x12'3456'7890};
  hcq::Value payload = hcq::Var{9};
  pb.host_semaphore(0, addr, payload, host::sem_execute_release64);
  pb.inc_values(reg::subc_copy, copy::offset_in_upper, {{addr, 32}, {addr, 0}});
  const std::vector<uint32_t> expect{
      // SEM_ADDR_LO 0x5C .. SEM_EXECUTE 0x6C: five words on subchannel 0.
      0x20000000u | 5u << 16 | 0u << 13 | 0x5Cu >> 2, 0x34567890u, 0x12u, 0, 0, 0x03100001u,
      0x20000000u | 2u << 16 | 4u << 13 | 0x400u >> 2, 0x12u, 0x34567890u,
  };
  CHECK(s.words == expect);
  REQUIRE(s.sites.size() == 2);
  CHECK(s.sites[0].offset == 3 * 4);  // payload low word
  CHECK(s.sites[0].shift == 0);
  CHECK(s.sites[1].offset == 4 * 4);  // payload high word
  CHECK(s.sites[1].shift == 32);
  CHECK(s.sites[1].var == 9);
}

TEST_CASE("nv GPFIFO entry", "[nv][pkt]") {
  // entry0 = VA 31:2 in place; entry1 = VA 39:32 in 7:0, LEVEL (bit 9) = SUBROUTINE, LENGTH 30:10.
  const uint64_t va = 0xAB'CDEF'0100;
  const uint32_t entry0 = 0xCDEF0100u;
  const uint32_t entry1 = 0xABu | 1u << 9 | 0x123u << 10;
  CHECK(gp_entry(va, 0x123) == (uint64_t{entry1} << 32 | entry0));
  CHECK(gp_entry(va, 0x123) == ((va & ~uint64_t{3}) | uint64_t{1} << 41 | uint64_t{0x123} << 42));
  static_assert(gp_entry(0x1000, 4) == (0x1000 | uint64_t{1} << 41 | uint64_t{4} << 42));
  CHECK(gp_entry((uint64_t{1} << 40) - 4, (1u << 21) - 1) ==
        (((uint64_t{1} << 40) - 4) | uint64_t{1} << 41 | uint64_t{(1u << 21) - 1} << 42));
  CHECK_THROWS_AS(gp_entry(uint64_t{1} << 40, 4), hcq::Error);  // above the 40-bit reach
  CHECK_THROWS_AS(gp_entry(0x1002, 4), hcq::Error);              // not 4-byte aligned
  CHECK_THROWS_AS(gp_entry(0x1000, 0), hcq::Error);
  CHECK_THROWS_AS(gp_entry(0x1000, 1u << 21), hcq::Error);       // LENGTH is 21 bits
}

TEST_CASE("nv register field encodings", "[nv][pkt]") {
  // Host release with 64-bit payload, WFI and timestamp: op 1, bit 20, bit 24, bit 25 (0x03100001).
  CHECK((host::sem_execute_operation(host::sem_execute_operation_release) | host::sem_execute_release_wfi(1) |
         host::sem_execute_payload_size(host::sem_execute_payload_size_64bit) |
         host::sem_execute_release_timestamp(1)) == 0x03100001u);
  CHECK(host::sem_execute_release64 == (1u | 1u << 20 | 1u << 24 | 1u << 25));
  CHECK(host::sem_execute_acq_circ_geq64 == (3u | 1u << 24));
  CHECK(host::sem_execute_acq_strict_geq64 == (2u | 1u << 24));
  // Compute release, four words, 64-bit payload: PAYLOAD_SIZE64 is bit 12.
  CHECK(compute::report_semaphore_execute_release64 == 1u << 12);
  CHECK(compute::report_semaphore_execute_structure_size(compute::report_semaphore_execute_structure_size_one_word) ==
        1u << 3);
  // Copy: 0x186 = NON_PIPELINED (2) | FLUSH (bit 2) | SRC and DST pitch (bits 7, 8).
  CHECK(copy::launch_dma_linear_non_pipelined == (2u | 1u << 2 | 1u << 7 | 1u << 8));
  CHECK(copy::launch_dma_linear_pipelined == (1u | 1u << 2 | 1u << 7 | 1u << 8));
  // Four-word semaphore release with a two-word payload: bit 27, SEMAPHORE_TYPE 4:3 = 2, FLUSH bit 2.
  CHECK(copy::launch_dma_release64 == (1u << 27 | 2u << 3 | 1u << 2));
  // PCAS: action 3:0, select 13:8, offset-minus-one 23:14.
  CHECK(compute::send_signaling_pcas2_b_pcas_action(compute::pcas_action_prefetch_schedule) == 9u);
  CHECK((compute::send_signaling_pcas2_b_select(0x3F) | compute::send_signaling_pcas2_b_offset_minus_one(0x3FF)) ==
        (0x3Fu << 8 | 0x3FFu << 14));
  CHECK(compute::set_object_class_id(reg::hopper_compute_a) == 0xCBC0u);
  CHECK(host::gp_entry1_length(1) == 1u << 10);
  CHECK(host::userd_gp_put == 0x8C);
  CHECK(host::userd_gp_get == 0x88);
  CHECK(host::usermode_notify_channel_pending == 0x90);
}

TEST_CASE("nv class table", "[nv][pkt]") {
  std::set<uint32_t> ids;
  for (const auto& c : reg::classes) ids.insert(c.id);
  CHECK(ids.size() == reg::classes.size());
  REQUIRE(reg::find_class(0xCBC0) != nullptr);
  CHECK(reg::find_class(0xCBC0)->name == "HOPPER_COMPUTE_A");
  CHECK(reg::find_class(0xC8B5)->kind == reg::ClassKind::copy);
  CHECK(reg::find_class(0xC661)->name == "HOPPER_USERMODE_A");
  CHECK(reg::find_class(0xCEC0)->qmd_major == 5);
  CHECK(reg::find_class(0xC9C0)->qmd_major == 3);
  CHECK(reg::find_class(0x1234) == nullptr);
  for (const auto& c : reg::classes)
    if (c.kind == reg::ClassKind::compute) CHECK_NOTHROW(qmd_layout(c.qmd_major));
}

TEST_CASE("nv QMD bit helpers", "[nv][pkt]") {
  SECTION("a field across a dword boundary keeps its neighbours") {
    std::array<uint32_t, 3> w{0x00000001u, 0x80000000u, 0};
    REQUIRE(set_bits(w, 40, 25, 0xABCD));
    // Low 7 bits (0x4D) land in dword 0 bits 31:25; the other 9 (0x157) in dword 1 bits 8:0.
    CHECK(w[0] == (0x4Du << 25 | 1u));
    CHECK(w[1] == (0x80000000u | 0x157u));
    CHECK(w[2] == 0);
    CHECK(get_bits(w, 40, 25) == 0xABCD);
  }
  SECTION("a 64-bit field over three dwords") {
    std::array<uint32_t, 3> w{};
    REQUIRE(set_bits(w, 79, 16, 0x0123456789ABCDEFull));
    CHECK(w[0] == 0xCDEF0000u);
    CHECK(w[1] == 0x456789ABu);
    CHECK(w[2] == 0x00000123u);
    CHECK(get_bits(w, 79, 16) == 0x0123456789ABCDEFull);
  }
  SECTION("a value wider than its field is refused and nothing is written") {
    std::array<uint32_t, 2> w{0x11111111u, 0x22222222u};
    CHECK_FALSE(set_bits(w, 40, 25, 0x10000));
    CHECK(w == std::array<uint32_t, 2>{0x11111111u, 0x22222222u});
    CHECK(set_bits(w, 40, 25, 0xFFFF));
    CHECK_FALSE(set_bits(w, 0, 0, 2));
  }
  SECTION("shifted fields require alignment") {
    std::array<uint32_t, 4> w{};
    const QmdField f{47, 32, 4};  // holds value >> 4
    CHECK(set_field(w, f, 0x120));
    CHECK(w[1] == 0x12u);
    CHECK(get_field(w, f) == 0x120);
    CHECK_FALSE(set_field(w, f, 0x121));
    CHECK_FALSE(set_field(w, QmdField{}, 1));  // absent field
  }
}

namespace {

// The concrete launch of the golden tests.
LaunchDesc golden_launch() {
  LaunchDesc d = hopper_launch_defaults();
  d.grid = {4, 1, 1};
  d.block = {64, 1, 1};
  d.register_count = 8;
  d.shared_memory_bytes = 0x400;
  d.program_va = 0x2'0000'0000;
  d.constant_buffer[0].va = 0x3'0000'0040;
  d.constant_buffer[0].size = 0x220;
  d.release[0].va = 0x4'0000'0000;
  d.release[0].payload = 5;
  return d;
}

void check_words(const std::vector<uint32_t>& got, const std::vector<uint32_t>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    INFO("dword " << i);
    CHECK(got[i] == want[i]);
  }
}

}  // namespace

TEST_CASE("nv QMD V04 (Hopper) golden dwords", "[nv][pkt]") {
  std::vector<uint32_t> q(96, 0xFFFFFFFFu);  // encode_qmd must clear what it does not set
  encode_qmd(qmd_v04, golden_launch(), q);

  std::vector<uint32_t> e(96, 0);
  e[0] = 2u << 23;                          // QMD_TYPE 25:23 = GRID_CTA
  e[10] = 1u << 0 | 1u << 3 | 1u << 12;     // RELEASE_ENABLE(0) 320, MEMBAR_TYPE(0) 323, PAYLOAD64B(0) 332
  e[13] = 1u << 0 | 1u << 3;                // CONSTANT_BUFFER_VALID(0) 416, INVALIDATE(0) 419
  e[17] = 1u << 24;                         // API_VISIBLE_CALL_LIMIT 568 = NO_CHECK
  e[18] = 0u << 0 | 4u << 4                 // QMD_MINOR_VERSION 579:576, QMD_MAJOR_VERSION 583:580
          | 0x400u << 8                     // SHARED_MEMORY_SIZE 601:584
          | 0x3Fu << 26;                    // the six INVALIDATE_*_CACHE bits 602..607
  e[19] = 3u << 0 | 0x1Au << 6 | 3u << 12;  // MIN 613:608, MAX 619:614, TARGET 625:620 SM config
  e[20] = 0x00000000u;                      // RELEASE_SEMAPHORE0_ADDR_LOWER 671:640
  e[21] = 0x4u;                             // RELEASE_SEMAPHORE0_ADDR_UPPER 696:672
  e[22] = 5u;                               // RELEASE_SEMAPHORE0_PAYLOAD_LOWER 735:704
  e[23] = 0u;                               // RELEASE_SEMAPHORE0_PAYLOAD_UPPER 767:736
  e[32] = 4u;                               // GRID_WIDTH 1055:1024
  e[33] = 1u;                               // GRID_HEIGHT 1071:1056
  e[34] = 1u;                               // GRID_DEPTH 1103:1088
  e[35] = 1u << 16;                         // CWD_MEMBAR_TYPE 1137:1136 = L1_SYSMEMBAR
  e[36] = 64u | 1u << 16;                   // CTA_THREAD_DIMENSION0 1167:1152, DIMENSION1 1183:1168
  e[37] = 1u | 8u << 16;                    // CTA_THREAD_DIMENSION2 1199:1184, REGISTER_COUNT 1208:1200
  e[38] = 0x00000000u;                      // PROGRAM_ADDRESS_LOWER 1247:1216
  e[39] = 0x2u;                             // PROGRAM_ADDRESS_UPPER 1272:1248
  e[48] = 0x300000040u >> 6;                // CONSTANT_BUFFER_ADDR_LOWER_SHIFTED6(0) 1567:1536
  e[49] = 0u | (0x220u >> 4) << 19;         // ..._UPPER_SHIFTED6(0) 1586:1568, SIZE_SHIFTED4(0) 1599:1587
  check_words(q, e);

  CHECK(e[48] == 0x0C000001u);
  CHECK(get_split(q, constant_buffer_address(qmd_v04, 0)) == 0x300000040u);
  CHECK(get_field(q, qmd_v04.register_count) == 8);
}

TEST_CASE("nv QMD V04 dependent launch fields", "[nv][pkt]") {
  // A launch chained to the next one: DEPENDENT_QMD_ENABLE(0) 368, ACTION(0) 371:369 = QMD_SCHEDULE,
  // PREFETCH(0) 372, DEPENDENT_QMD0_POINTER 479:448 holding the next QMD's address >> 8.
  std::vector<uint32_t> q(96, 0);
  REQUIRE(set_field(q, qmd_v04.dependent_qmd0_enable, 1));
  REQUIRE(set_field(q, qmd_v04.dependent_qmd0_action, dependent_action_qmd_schedule));
  REQUIRE(set_field(q, qmd_v04.dependent_qmd0_prefetch, 1));
  REQUIRE(set_field(q, qmd_v04.dependent_qmd0_pointer, 0x1234567800ull));
  std::vector<uint32_t> e(96, 0);
  e[11] = 1u << 16 | 1u << 17 | 1u << 20;
  e[14] = 0x12345678u;
  check_words(q, e);
  CHECK_FALSE(set_field(q, qmd_v04.dependent_qmd0_pointer, 0x1234567801ull));  // not 256-byte aligned
  // A launch with a successor in its chain: CWD_MEMBAR_TYPE 1137:1136 = L1_MEMBAR (3) and
  // CWD_MEMBAR_TASK_CHASING_ENABLE 382 (dword 11 bit 30).
  std::vector<uint32_t> m(96, 0);
  REQUIRE(set_field(m, qmd_v04.cwd_membar_type, cwd_membar_l1_membar));
  REQUIRE(set_field(m, qmd_v04.cwd_membar_task_chasing, 1));
  std::vector<uint32_t> em(96, 0);
  em[11] = 1u << 30;
  em[35] = 3u << 16;
  check_words(m, em);
  // Where the layout has no such fields the queue orders launches itself.
  CHECK_FALSE(qmd_v03.dependent_qmd0_pointer.present());
  CHECK_FALSE(qmd_v03.cwd_membar_task_chasing.present());
  CHECK_FALSE(qmd_v05.dependent_qmd0_pointer.present());
}

TEST_CASE("nv QMD V03 (Ampere/Ada) golden dwords", "[nv][pkt]") {
  std::vector<uint32_t> q(64, 0xFFFFFFFFu);
  encode_qmd(qmd_v03, golden_launch(), q);  // QMD_TYPE does not exist in V03: not written

  std::vector<uint32_t> e(64, 0);
  e[5] = 0x3Fu << 26;                        // INVALIDATE_*_CACHE 186..191
  e[11] = 1u << 16 | 1u << 26;               // CWD_MEMBAR_TYPE 369:368, API_VISIBLE_CALL_LIMIT 378
  e[12] = 4u;                                // CTA_RASTER_WIDTH 415:384
  e[13] = 1u;                                // CTA_RASTER_HEIGHT 431:416
  e[14] = 1u;                                // CTA_RASTER_DEPTH 463:448
  e[17] = 0x400u | 3u << 18 | 0x1Au << 25;   // SHARED_MEMORY_SIZE 561:544, MIN 567:562, MAX 574:569
  e[18] = 3u << 4 | 64u << 16;               // QMD_MAJOR_VERSION 583:580, CTA_THREAD_DIMENSION0 607:592
  e[19] = 1u | 1u << 16;                     // CTA_THREAD_DIMENSION1 623:608, DIMENSION2 639:624
  e[20] = 1u | 8u << 8 | 3u << 17;           // CONSTANT_BUFFER_VALID(0) 640, REGISTER_COUNT_V 656:648, TARGET 662:657
  e[24] = 0u;                                // RELEASE0_ADDRESS_LOWER 799:768
  e[25] = 4u | 1u << 19 | 1u << 23 | 1u << 29;  // ADDRESS_UPPER 807:800, MEMBAR 819, ENABLE 823, PAYLOAD64B 829
  e[26] = 5u;                                // RELEASE0_PAYLOAD_LOWER 863:832
  e[32] = 0x40u;                             // CONSTANT_BUFFER_ADDR_LOWER(0) 1055:1024, unshifted
  e[33] = 3u | 1u << 18 | (0x220u >> 4) << 19;  // ADDR_UPPER(0) 1072:1056, INVALIDATE(0) 1074, SIZE_SHIFTED4(0) 1087:1075
  e[48] = 0u;                                // PROGRAM_ADDRESS_LOWER 1567:1536
  e[49] = 2u;                                // PROGRAM_ADDRESS_UPPER 1584:1568
  check_words(q, e);
}

TEST_CASE("nv QMD V05 (Blackwell) golden dwords", "[nv][pkt]") {
  std::vector<uint32_t> q(96, 0xFFFFFFFFu);
  encode_qmd(qmd_v05, golden_launch(), q);

  std::vector<uint32_t> e(96, 0);
  e[4] = 2u << 23;                           // QMD_TYPE 153:151
  e[9] = 1u | 1u << 3 | 1u << 12;            // RELEASE_ENABLE(0) 288, MEMBAR_TYPE(0) 291, PAYLOAD64B(0) 300
  e[14] = 1u << 8                            // API_VISIBLE_CALL_LIMIT 456
          | 5u << 20                         // QMD_MAJOR_VERSION 471:468 (minor 467:464 = 0)
          | 0x3Fu << 24;                     // INVALIDATE_*_CACHE 472..477
  e[15] = 0u;                                // RELEASE_SEMAPHORE0_ADDR_LOWER 511:480
  e[16] = 4u;                                // RELEASE_SEMAPHORE0_ADDR_UPPER 536:512
  e[17] = 5u;                                // RELEASE_SEMAPHORE0_PAYLOAD_LOWER 575:544
  e[19] = 1u << 16;                          // CWD_MEMBAR_TYPE 625:624
  e[32] = 0x200000000u >> 4;                 // PROGRAM_ADDRESS_LOWER_SHIFTED4 1055:1024
  e[34] = 64u | 1u << 16;                    // CTA_THREAD_DIMENSION0 1103:1088, DIMENSION1 1119:1104
  e[35] = 1u | 8u << 8;                      // CTA_THREAD_DIMENSION2 1127:1120, REGISTER_COUNT 1136:1128
  e[36] = (0x400u >> 7) | 3u << 11 | 0x1Au << 17 | 3u << 23;  // SHARED_MEMORY_SIZE_SHIFTED7 1162:1152, MIN/MAX/TARGET
  e[39] = 4u;                                // GRID_WIDTH 1279:1248
  e[40] = 1u;                                // GRID_HEIGHT 1295:1280
  e[41] = 1u;                                // GRID_DEPTH 1327:1312
  e[42] = 0x300000040u >> 6;                 // CONSTANT_BUFFER_ADDR_LOWER_SHIFTED6(0) 1375:1344
  e[43] = (0x220u >> 4) << 19;               // SIZE_SHIFTED4(0) 1407:1395
  e[58] = 1u | 1u << 3;                      // CONSTANT_BUFFER_VALID(0) 1856, INVALIDATE(0) 1859
  check_words(q, e);
}

TEST_CASE("nv QMD values that do not fit are errors", "[nv][pkt]") {
  std::vector<uint32_t> q(96);
  auto invalid = [&](const QmdLayout& l, const LaunchDesc& d) {
    try {
      encode_qmd(l, d, q);
    } catch (const hcq::Error& e) {
      return e.code() == hcq::Errc::invalid_argument && e.block() == "QMD";
    }
    return false;
  };
  LaunchDesc d = golden_launch();
  d.grid[1] = 70000;  // GRID_HEIGHT is 16 bits
  CHECK(invalid(qmd_v04, d));
  CHECK_THROWS_WITH(encode_qmd(qmd_v04, d, q), Catch::Contains("grid height") && Catch::Contains("16-bit"));

  d = golden_launch();
  d.block[2] = 300;  // 16 bits on V04, 8 bits on V05
  CHECK_NOTHROW(encode_qmd(qmd_v04, d, q));
  CHECK(invalid(qmd_v05, d));

  d = golden_launch();
  d.release[0].va = uint64_t{1} << 40;  // V03 RELEASE0_ADDRESS_UPPER is 8 bits; V04 has 25
  CHECK_NOTHROW(encode_qmd(qmd_v04, d, q));
  std::vector<uint32_t> q3(64);
  CHECK_THROWS_AS(encode_qmd(qmd_v03, d, q3), hcq::Error);

  d = golden_launch();
  d.constant_buffer[0].va = 0x3'0000'0020;  // stored >> 6: must be 64-byte aligned
  CHECK(invalid(qmd_v04, d));
  CHECK_NOTHROW(encode_qmd(qmd_v03, d, q3));  // unshifted in V03

  d = golden_launch();
  d.program_va = 0x2'0000'0008;  // V05 stores it >> 4
  CHECK(invalid(qmd_v05, d));
  CHECK_NOTHROW(encode_qmd(qmd_v04, d, q));

  d = golden_launch();
  d.release[0].payload64 = false;
  d.release[0].payload = uint64_t{1} << 32;
  CHECK(invalid(qmd_v04, d));

  d = golden_launch();
  d.register_count = 512;  // 9 bits
  CHECK(invalid(qmd_v04, d));

  std::vector<uint32_t> small(95);
  CHECK_THROWS_AS(encode_qmd(qmd_v04, golden_launch(), small), hcq::Error);
}

TEST_CASE("nv QMD sizes round up to the field granule", "[nv][pkt]") {
  std::vector<uint32_t> q(96);
  LaunchDesc d = golden_launch();
  d.shared_memory_bytes = 0x401;        // V05: >> 7, so 0x480 -> 9
  d.local_memory_low_bytes = 0x21;      // V05: >> 4, so 0x30 -> 3
  d.constant_buffer[0].size = 0x21C;    // >> 4 everywhere: 0x220 -> 0x22
  encode_qmd(qmd_v05, d, q);
  CHECK((q[36] & 0x7FFu) == 9u);        // SHARED_MEMORY_SIZE_SHIFTED7 1162:1152
  CHECK((q[37] & 0xFFFFu) == 3u);       // SHADER_LOCAL_MEMORY_LOW_SIZE_SHIFTED4 1199:1184
  CHECK(q[43] >> 19 == 0x22u);          // CONSTANT_BUFFER_SIZE_SHIFTED4(0) 1407:1395
  encode_qmd(qmd_v04, d, q);
  CHECK(((q[18] >> 8) & 0x3FFFFu) == 0x401u);  // V04 takes bytes as they are
  CHECK((q[16] & 0xFFFFFFu) == 0x21u);         // SHADER_LOCAL_MEMORY_LOW_SIZE 535:512
}

TEST_CASE("nv QMD constant buffer address can be re-pointed", "[nv][pkt]") {
  std::vector<uint32_t> q(96);
  encode_qmd(qmd_v04, golden_launch(), q);
  const QmdSplit cb0 = constant_buffer_address(qmd_v04, 0);
  CHECK(cb0.lower.lo == 1536);
  CHECK(cb0.shift == 6);
  REQUIRE(set_split(q, cb0, 0x1'2345'6780'0040));
  CHECK(q[48] == static_cast<uint32_t>(0x1'2345'6780'0040 >> 6));
  CHECK((q[49] & 0x7FFFFu) == (0x1'2345'6780'0040 >> 6) >> 32);  // UPPER_SHIFTED6 1586:1568
  CHECK(q[49] >> 19 == 0x22u);                                   // size untouched
  CHECK(set_split(q, cb0, 0x40));                                // aligned: fine
  CHECK_FALSE(set_split(q, cb0, 0x41));                          // not 64-byte aligned
  const QmdSplit cb3 = constant_buffer_address(qmd_v04, 3);
  CHECK(cb3.lower.lo == 1536 + 3 * 64);
}

TEST_CASE("nv SM config encoding and Hopper defaults", "[nv][pkt]") {
  CHECK(sm_config_encoding(8) == 3);
  CHECK(sm_config_encoding(100) == 0x1A);
  CHECK(sm_config_encoding(228) == 58);  // the formula only; not verified on hardware
  const LaunchDesc d = hopper_launch_defaults();
  CHECK(d.qmd_type == 2);
  CHECK(d.api_visible_call_limit == 1);
  CHECK(d.cwd_membar_type == 1);
  CHECK(d.constant_buffer[0].valid);
  CHECK(d.release[0].enable);
  CHECK(d.release[0].payload64);
  CHECK(&qmd_layout(4) == &qmd_v04);
  CHECK(qmd_bytes(5) == 384);
  CHECK_THROWS_AS(qmd_layout(2), hcq::Error);
}
