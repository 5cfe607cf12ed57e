// Golden dwords for the am packet builders (PM4, SDMA) and the gfx11 compute MQD. Every expected
// word is computed here by hand from the field places the headers name (nvd.h,
// sdma_v6_0_0_pkt_open.h and v11_structs.h as quoted in am/pkt/), never by calling the builder.
#include <catch2/catch.hpp>

#include <cstring>
#include <stdexcept>
#include <vector>

#include "am/pkt/mqd_v11.hpp"
#include "am/pkt/pm4.hpp"
#include "am/pkt/sdma.hpp"
#include "backend.hpp"

using hcq::detail::CommandStream;
using Words = std::vector<uint32_t>;
namespace pm4 = hcq::am::pm4;
namespace sdma = hcq::am::sdma;

// PACKET3(op, n): 3 << 30 | n << 16 | op << 8.
static_assert(pm4::header(pm4::Op::nop, 1) == 0xC0001000u);
static_assert(pm4::nop1 == 0xFFFF1000u);  // gfx_v11_0.c's ring filler

TEST_CASE("pm4: RELEASE_MEM writes a 64-bit fence after the kernel's cache flush", "[am][pkt]") {
  CommandStream s;
  pm4::Pm4 p(s);
  p.release_mem(0x123456789ABCull, 0x1122334455667788ull, pm4::DataSel::value64);
  // dw1: GCR seq 22 | gl2_wb 21 | gl2_inv 20 | gl2_us 16 | gl1_inv 15 | glv_inv 14 | glm_inv 13 |
  // glm_wb 12 = 0x0071F000, event 20 (0x14), index 5 << 8. dw2: data_sel 2 << 29.
  CHECK(s.words == Words{0xC0064900u, 0x0071F514u, 0x40000000u, 0x56789ABCu, 0x1234u, 0x55667788u, 0x11223344u, 0});
  CHECK(s.words.size() == pm4::Pm4::release_mem_dwords);

  CommandStream t;
  pm4::Pm4 q(t);
  q.release_mem(0x1000, 0, pm4::DataSel::gpu_clock, pm4::release::int_sel_after_write_confirm, 0x55);
  CHECK(t.words[2] == (3u << 29 | 2u << 24));
  CHECK(t.words[7] == 0x55u);
}

TEST_CASE("pm4: WAIT_REG_MEM on memory and on a register", "[am][pkt]") {
  CommandStream s;
  pm4::Pm4 p(s);
  p.wait_mem(0xABCD0000F000ull, 7, 0xffffffffu, pm4::Compare::ge);
  // dw1: function 5 (>=) | mem_space 1 << 4.
  CHECK(s.words == Words{0xC0053C00u, 0x15u, 0x0000F000u, 0xABCDu, 7u, 0xffffffffu, 4u});
  s.clear();
  p.wait_reg(0x1fab, 1, 1, pm4::Compare::eq);
  CHECK(s.words == Words{0xC0053C00u, 0x03u, 0x1fabu, 0u, 1u, 1u, 4u});
}

TEST_CASE("pm4: ACQUIRE_MEM, EVENT_WRITE, SET_SH_REG, DISPATCH_DIRECT, INDIRECT_BUFFER, WRITE_DATA", "[am][pkt]") {
  CommandStream s;
  pm4::Pm4 p(s);
  p.acquire_mem();
  // GCR_CNTL: gli_inv 1 | glm_wb 0x10 | glm_inv 0x20 | glk_inv 0x80 | glv_inv 0x100 | gl1_inv 0x200 |
  // gl2_inv 0x4000 | gl2_wb 0x8000.
  CHECK(s.words == Words{0xC0065800u, 0, 0xffffffffu, 0xffffffu, 0, 0, 0xau, 0xC3B1u});
  s.clear();
  p.event_write(pm4::event_cs_partial_flush, pm4::event_index_cs_partial_flush);
  CHECK(s.words == Words{0xC0004600u, 0x407u});
  s.clear();
  p.set_sh_reg(0x2e0c, {0x11u, 0x22u});  // COMPUTE_PGM_LO on gfx11 (0x1260 + 0x1bac)
  CHECK(s.words == Words{0xC0027600u, 0x20cu, 0x11u, 0x22u});
  s.clear();
  p.dispatch_direct(4, 2, 1, pm4::dispatch::compute_shader_en | pm4::dispatch::force_start_at_000 | pm4::dispatch::cs_w32_en);
  CHECK(s.words == Words{0xC0031500u, 4, 2, 1, 0x8005u});
  s.clear();
  CHECK(p.indirect_buffer(0x7700001000ull, 40) == 1);
  CHECK(s.words == Words{0xC0023F00u, 0x00001000u, 0x77u, 0x00800000u | 40u});
  s.clear();
  p.write_data(0x2000, {5u, 6u});
  // dw1: dst_sel 5 << 8 | wr_confirm 1 << 20.
  CHECK(s.words == Words{0xC0043700u, 0x00100500u, 0x2000u, 0, 5, 6});
  s.clear();
  p.nop(2);
  CHECK(s.words == Words{0xC0011000u, 0, 0});
  s.clear();
  p.dma_data(0x5000, 0x4000, 256);
  // dw1: dst_sel 3 << 20 | src_sel 3 << 29 | cp_sync 1 << 31.
  CHECK(s.words == Words{0xC0055000u, 0xE0300000u, 0x4000u, 0, 0x5000u, 0, 256u});
}

TEST_CASE("pm4: graph variables become patch sites at their byte offsets", "[am][pkt]") {
  CommandStream s;
  pm4::Pm4 p(s);
  p.release_mem(hcq::Value(hcq::Var{3}), hcq::Value(hcq::Var{4}), pm4::DataSel::value64);
  REQUIRE(s.sites.size() == 4);
  CHECK(s.sites[0].var == 3);
  CHECK(s.sites[0].offset == 12);  // dword 3: address low
  CHECK(s.sites[0].shift == 0);
  CHECK(s.sites[1].offset == 16);
  CHECK(s.sites[1].shift == 32);
  CHECK(s.sites[2].var == 4);
  CHECK(s.sites[2].offset == 20);
  CHECK(s.sites[3].offset == 24);
}

TEST_CASE("pm4: the decoder names packets and stops at malformed input", "[am][pkt]") {
  CommandStream s;
  pm4::Pm4 p(s);
  p.release_mem(0x1000, 5, pm4::DataSel::value32);
  p.dispatch_direct(1, 1, 1, 1);
  const std::string text = pm4::decode(s.words);
  CHECK_THAT(text, Catch::Contains("RELEASE_MEM event=20 index=5 data_sel=1 int_sel=0 addr=0x1000 data=0x5"));
  CHECK_THAT(text, Catch::Contains("DISPATCH_DIRECT groups=1x1x1"));
  Words cut(s.words.begin(), s.words.begin() + 4);
  CHECK_THAT(pm4::decode(cut), Catch::Contains("truncated packet 0xc0064900 at dword 0"));
  CHECK_THAT(pm4::decode(Words{0x12345678u}), Catch::Contains("bad header"));
  CHECK_THAT(pm4::decode(Words{pm4::type3 | 0x99u << 8, 0}), Catch::Contains("OP_0x99"));
}

TEST_CASE("sdma: golden packets", "[am][pkt]") {
  CommandStream s;
  sdma::Sdma q(s);
  q.copy_linear(0x2000, 0x1000, 256);
  CHECK(s.words == Words{0x00000001u, 255u, 0, 0x1000u, 0, 0x2000u, 0});
  s.clear();
  q.fence(0x3000, 7);  // mtype 3 << 16
  CHECK(s.words == Words{0x00030005u, 0x3000u, 0, 7});
  s.clear();
  q.poll_mem(0x4000, 9, 0xffffffffu, sdma::Compare::ge);  // func 5 << 28 | mem_poll 1 << 31
  CHECK(s.words == Words{0xD0000008u, 0x4000u, 0, 9, 0xffffffffu, 0x0FFF0004u});
  s.clear();
  q.trap(0x12);
  CHECK(s.words == Words{6u, 0x12u});
  s.clear();
  q.timestamp(0x5000);  // sub_op 2 (GET_GLOBAL) << 8 | op 13
  CHECK(s.words == Words{0x0000020Du, 0x5000u, 0});
  s.clear();
  q.const_fill(0x6000, 0xdeadbeefu, 64);  // fillsize 2 << 30 | op 11
  CHECK(s.words == Words{0x8000000Bu, 0x6000u, 0, 0xdeadbeefu, 63u});
  s.clear();
  CHECK(q.indirect(0x7000, 16) == 1);
  CHECK(s.words == Words{4u, 0x7000u, 0, 16u, 0, 0});
  s.clear();
  const uint32_t data[] = {1, 2, 3};
  q.write(0x8000, data);
  CHECK(s.words == Words{2u, 0x8000u, 0, 2u, 1, 2, 3});
  s.clear();
  q.nop(2);
  CHECK(s.words == Words{0x00020000u, 0, 0});
}

TEST_CASE("sdma: lengths and the decoder", "[am][pkt]") {
  CommandStream s;
  sdma::Sdma q(s);
  q.copy_linear(0x2000, 0x1000, 16);
  q.fence(0x3000, 1);
  q.trap();
  CHECK(sdma::packet_dwords(s.words) == 7);
  const std::string text = sdma::decode(s.words);
  CHECK_THAT(text, Catch::Contains("COPY_LINEAR bytes=16 src=0x1000 dst=0x2000"));
  CHECK_THAT(text, Catch::Contains("FENCE addr=0x3000 data=0x1"));
  CHECK_THAT(text, Catch::Contains("TRAP"));
  CHECK_THAT(sdma::decode(Words{0x00000001u, 3}), Catch::Contains("truncated packet"));
  CHECK_THAT(sdma::decode(Words{0x000000ffu}), Catch::Contains("unknown packet"));
  CHECK(sdma::packet_dwords(Words{2u, 0, 0, 0xffffffffu}) == 0);  // a WRITE longer than its words
}

TEST_CASE("mqd v11: a compute queue's descriptor", "[am][pkt]") {
  hcq::am::mqd_v11::QueueLayout l;
  l.mqd = 0x10000;
  l.ring = 0x20000;
  l.ring_bytes = 0x1000;  // 1024 dwords: queue_size = log2(1024) - 1 = 9
  l.eop = 0x30000;
  l.eop_bytes = 0x1000;
  l.rptr_report = 0x40000;
  l.wptr_poll = 0x40008;
  l.doorbell_index = 3;
  const auto m = hcq::am::mqd_v11::make_compute_mqd(l);
  CHECK(m.header == 0xC0310800u);
  CHECK(m.cp_mqd_base_addr_lo == 0x10000u);
  CHECK(m.cp_hqd_active == 0);
  CHECK(m.cp_hqd_pq_base_lo == 0x200u);
  CHECK(m.cp_hqd_pq_control == (9u | 5u << 8));
  CHECK(m.cp_hqd_pq_doorbell_control == (6u << 2 | 1u << 30));  // slot 3 = dword 6
  CHECK(m.cp_hqd_persistent_state == (1u | 0x55u << 8));
  CHECK(m.cp_hqd_ib_control == 3u << 20);
  CHECK(m.cp_hqd_eop_base_addr_lo == 0x300u);
  CHECK(m.cp_hqd_eop_control == 9u);
  CHECK(m.cp_mqd_control == 1u << 8);
  CHECK(m.cp_hqd_pq_rptr_report_addr_lo == 0x40000u);
  CHECK(m.cp_hqd_pq_wptr_poll_addr_lo == 0x40008u);
  CHECK(m.compute_static_thread_mgmt_se7 == 0xffffffffu);
  // The register image: dword 0x80 + i goes to register 0x1fa9 + i.
  uint32_t dwords[512];
  std::memcpy(dwords, &m, sizeof dwords);
  CHECK(dwords[0x80 + (0x1fba - 0x1fa9)] == m.cp_hqd_pq_control);

  auto bad = l;
  bad.ring = 0x20010;
  CHECK_THROWS_AS(hcq::am::mqd_v11::make_compute_mqd(bad), std::invalid_argument);
  bad = l;
  bad.ring_bytes = 3000;
  CHECK_THROWS_AS(hcq::am::mqd_v11::make_compute_mqd(bad), std::invalid_argument);
}
