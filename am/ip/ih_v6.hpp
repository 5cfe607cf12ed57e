// IH v6.0 (osssys 6.0): interrupt ring 0 in VRAM with a write-pointer writeback slot (ih_v6_0.c,
// tinygrad AM_IH), and decoding of what lands in it: a VM fault becomes an hcq::Error naming the
// address, VMID, client and the hubs' protection-fault status.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "../gpu.hpp"
#include "../ip_block.hpp"

namespace hcq::am {

struct IhEntry {
  uint32_t client_id = 0, src_id = 0, ring_id = 0, vmid = 0, pasid = 0, node_id = 0;
  uint64_t timestamp = 0;
  uint32_t src_data[4] = {};
};

class IhV6 final : public IpBlock {
 public:
  using IpBlock::IpBlock;
  std::string_view name() const noexcept override { return "IH"; }
  void init_sw() override;
  void init_hw() override;
  void fini_hw() noexcept override;
  // Idle when the ring holds nothing unread: IH_RB_RPTR == IH_RB_WPTR (ih_v6_0.c's is_idle is a
  // "todo" returning true; an unread entry is a fault or hang report nobody has seen yet).
  IdleState idle_state() override;

  // Everything the ring holds since the last call, oldest first; the read pointer moves past them.
  std::vector<IhEntry> drain();
  // Drains the ring; the first VM fault among the entries (with the hubs' latched fault status)
  // as an hcq::Error (device_lost) naming address, VMID, client and what to do; nullopt if none.
  std::optional<Error> check_faults();
  uint64_t overflows() const noexcept { return overflows_; }

  static std::string client_name(uint32_t client_id);

 private:
  VramBlock ring_, wptr_;
  uint32_t rptr_ = 0;
  uint64_t overflows_ = 0;
  bool up_ = false;
};

}  // namespace hcq::am
