// The gfx1100 model's command processor (MEC): compute queues started the way the driver starts
// them without KIQ/MES (an HQD register image, then CP_HQD_ACTIVE = 1; am/ip/gfx_v11.cpp), PM4
// fetched from each ring on its doorbell and executed.
//
// Packets (am/pkt/pm4.hpp): NOP, WRITE_DATA, RELEASE_MEM (32/64-bit data or the GPU clock, an
// EOP interrupt on request; cache flush bits accepted), WAIT_REG_MEM on memory or a register (a
// queue that waits does not hold up other queues; after CpOptions::wait_timeout it hangs),
// ACQUIRE_MEM, EVENT_WRITE, DMA_DATA (memory to memory), SET_SH_REG, INDIRECT_BUFFER (chained and nested up to
// max_ib_depth), DISPATCH_DIRECT (the registers and descriptor fields it was given are checked and
// the dispatch recorded; no shader code runs: RDNA3 execution is a later issue).
//
// Everything the CP reads or writes goes through Context::read/write as VMID 0, so a bad address
// is a VM fault raised by the model's GMC, as on hardware. A queue that meets an unknown opcode, a
// malformed packet, a fault, a bad dispatch or a wait timeout stops: its reason is in
// CP_HQD_ERROR (CpError) and an IH entry is raised (client GRBM_CP).
//
// The HQD registers (CP_MQD_BASE_ADDR..CP_HQD_PQ_WPTR_HI, 0x1fa9..0x1fe0) exist once per hardware
// queue: like the hardware, the model keeps one register image per (ME, pipe, queue) and a driver
// read or write of any of them goes to the image GRBM_GFX_CNTL selects (gfx_v11_0.c
// soc21_grbm_select before every HQD access).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "am/sim/context.hpp"
#include "am/sim/model.hpp"
#include "am/sim/worker.hpp"

namespace hcq::am::sim {

// What CP_HQD_ERROR holds for a stopped queue (our model's own encoding).
enum class CpError : uint32_t { none = 0, bad_opcode = 1, bad_packet = 2, vm_fault = 3, wait_timeout = 4, bad_dispatch = 5 };
std::string_view to_string(CpError e) noexcept;

// One DISPATCH_DIRECT as the CP saw it.
struct Dispatch {
  unsigned pipe = 0, queue = 0;
  uint64_t pgm = 0;                 // code address (COMPUTE_PGM_LO/HI << 8)
  uint32_t rsrc1 = 0, rsrc2 = 0, rsrc3 = 0;
  uint32_t user_sgprs = 0;
  std::array<uint32_t, 16> user_data{};
  uint64_t kernarg = 0;             // the first nonzero 64-bit user SGPR pair (cp.cpp says why), or 0
  std::array<uint32_t, 3> groups{}, threads{};
  uint32_t initiator = 0;
  uint64_t scratch_base = 0;
  uint32_t tmpring_size = 0;
};

struct CpOptions {
  std::chrono::milliseconds wait_timeout{30000};  // a WAIT_REG_MEM longer than this hangs the queue
};

class Cp final : public Engine {
 public:
  static constexpr unsigned max_ib_depth = 4;
  static constexpr unsigned pipes = 4, queues_per_pipe = 8;
  static constexpr uint32_t hqd_dwords = 0x1fe0 - 0x1fa9 + 1;  // gc_11_0_0::hqd_last - hqd_first + 1

  explicit Cp(Context& ctx, CpOptions options = {});
  ~Cp() override;
  void reset() override;
  uint64_t busy_ns() const override { return worker_.busy_ns(); }

  std::vector<Dispatch> dispatches();
  struct QueueState {
    bool active = false;
    CpError error = CpError::none;
    std::string why;
    uint64_t rptr = 0;  // dwords consumed, not wrapped
  };
  std::optional<QueueState> queue_state(unsigned pipe, unsigned queue);

 private:
  struct Frame {  // an indirect buffer being executed
    uint64_t base;
    uint32_t dwords;
    uint32_t pos;
  };
  struct Hqd {
    unsigned pipe = 0, queue = 0;
    uint64_t ring = 0;         // PQ base (bytes)
    uint32_t ring_dwords = 0;
    uint64_t rptr_report = 0;  // where the rptr goes after each packet
    uint32_t doorbell = 0;     // 64-bit slot
    uint64_t rptr = 0, wptr = 0;  // dwords, not wrapped
    std::vector<Frame> ibs;
    bool active = false;
    CpError error = CpError::none;
    std::string why;
    std::optional<std::chrono::steady_clock::time_point> waiting_since;
  };
  enum class Step { done, blocked, stopped };
  using HqdImage = std::array<uint32_t, hqd_dwords>;

  void install();
  uint32_t selected() const;  // the image key GRBM_GFX_CNTL selects
  uint32_t& hqd(uint32_t image, const Reg& r);  // with worker_.mutex() held
  void activate();
  void dequeue();
  uint32_t grbm_status();
  Worker::Next run();
  Step run_one(Hqd& q);
  bool fetch(Hqd& q, std::vector<uint32_t>& packet, uint32_t& consumed);
  Step execute(Hqd& q, const std::vector<uint32_t>& p);
  Step wait_reg_mem(Hqd& q, const std::vector<uint32_t>& p);
  Step release_mem(Hqd& q, const std::vector<uint32_t>& p);
  Step dispatch(Hqd& q, const std::vector<uint32_t>& p);
  Step copy(Hqd& q, uint64_t dst, uint64_t src, uint32_t bytes);
  bool read32(Hqd& q, uint64_t va, uint32_t& out);
  bool write(Hqd& q, uint64_t va, const void* src, size_t bytes);
  Step stop(Hqd& q, CpError e, std::string why, uint32_t src_id);

  Context& ctx_;
  CpOptions options_;
  std::map<uint32_t, Hqd> queues_;  // key pipe * queues_per_pipe + queue (MEC1)
  std::map<uint32_t, HqdImage> images_;  // key (me * pipes + pipe) * queues_per_pipe + queue
  std::vector<Dispatch> dispatches_;
  Worker worker_;
};

// The factory the model runs (am/sim/engines.cpp registers it as "cp").
EngineFactory cp_factory(CpOptions options = {});

}  // namespace hcq::am::sim
