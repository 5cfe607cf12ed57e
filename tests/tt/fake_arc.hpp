// A memory-backed ARC that answers like firmware: the Wormhole scratch-register protocol and the
// Blackhole message queues, at the addresses of the chip tables, plus a telemetry table. Tests
// pick how it misbehaves.
#pragma once

#include <cstdint>
#include <map>

#include "arc.hpp"
#include "chips.hpp"

namespace hcq::tt::test {

enum class FakeMode { answer, hang, unknown, not_booted, hung };

class FakeArc final : public ArcBus {
 public:
  static constexpr uint32_t queue_entries = 4, queue_count = 4;
  static constexpr uint32_t qcb_offset = 0x300, queues_offset = 0x400;  // within CSM
  static constexpr uint32_t table_offset = 0x100, data_offset = 0x200;

  FakeArc(const ChipTable& chip, FakeMode mode) : l_(chip.arc_layout), mode_(mode) {
    const bool booted = mode != FakeMode::not_booted;
    mem_[l_.status_reg] = booted ? (l_.status_ready | (~l_.status_mask & 0x1)) : 0x0BAD0000;
    if (l_.hung_reg) mem_[l_.hung_reg] = mode == FakeMode::hung ? 0xFFFFFFFF : 0;
    if (l_.queue_ptr_reg) {
      mem_[l_.queue_ptr_reg] = l_.csm_base + qcb_offset;
      mem_[l_.csm_base + qcb_offset] = l_.csm_base + queues_offset;
      mem_[l_.csm_base + qcb_offset + 4] = queue_entries | (queue_count << 8);
    }
    mem_[l_.telemetry_table_reg] = l_.csm_base + table_offset;
    mem_[l_.telemetry_data_reg] = l_.csm_base + data_offset;
  }

  // Telemetry: entry i is {tag, offset i}.
  void set_telemetry(uint32_t version, std::initializer_list<std::pair<uint16_t, uint32_t>> values) {
    uint32_t table = l_.csm_base + table_offset, data = l_.csm_base + data_offset, i = 0;
    mem_[table] = version;
    mem_[table + 4] = static_cast<uint32_t>(values.size());
    for (auto [tag, value] : values) {
      mem_[table + 8 + 4 * i] = tag | (i << 16);
      mem_[data + 4 * i] = value;
      ++i;
    }
  }
  void poke(uint32_t addr, uint32_t value) { mem_[addr] = value; }

  uint32_t read32(uint32_t a) override { return mem_.count(a) ? mem_[a] : 0; }
  void write32(uint32_t a, uint32_t v) override {
    mem_[a] = v;
    if (l_.protocol == ArcProtocol::scratch_registers && a == l_.misc_cntl_reg && (v & (1u << 16))) scratch_irq();
    if (l_.protocol == ArcProtocol::message_queue && a == l_.msi_fifo) drain_queues();
  }
  void idle() noexcept override { ++idles; }

  uint32_t idles = 0;
  uint32_t messages = 0;
  uint32_t last_args[2] = {};

 private:
  // The firmware's side of a message: TEST answers arg0 + 1 and arg1 * 2 with exit code 7.
  void answer(uint8_t id, uint32_t a0, uint32_t a1, uint32_t& r0, uint32_t& r1, uint16_t& exit) {
    ++messages;
    last_args[0] = a0, last_args[1] = a1;
    r0 = a0 + 1, r1 = a1 * 2, exit = id == arc_msg::test ? 7 : 0;
  }

  void scratch_irq() {
    if (mode_ == FakeMode::hang) return;  // never takes the IRQ
    mem_[l_.misc_cntl_reg] &= ~(1u << 16);
    uint32_t msg = mem_[l_.msg_reg];
    if ((msg & 0xFF00) != 0xAA00) return;
    if (mode_ == FakeMode::unknown) {
      mem_[l_.msg_reg] = 0xFFFFFFFF;
      return;
    }
    uint32_t args = mem_[l_.arg_reg], r0 = 0, r1 = 0;
    uint16_t exit = 0;
    answer(static_cast<uint8_t>(msg & 0xFF), args & 0xFFFF, args >> 16, r0, r1, exit);
    mem_[l_.arg_reg] = r0;
    mem_[l_.ret_reg] = r1;
    mem_[l_.msg_reg] = (uint32_t{exit} << 16) | (msg & 0xFF);
  }

  void drain_queues() {
    if (mode_ == FakeMode::hang) return;
    const uint32_t n = queue_entries, stride = 32 + 2 * n * 32;
    for (uint32_t q = 0; q < queue_count; ++q) {
      uint32_t base = l_.csm_base + queues_offset + q * stride;
      uint32_t wptr = mem_[base + 0x00], rptr = mem_[base + 0x10], res_w = mem_[base + 0x14];
      while (rptr != wptr) {
        uint32_t req = base + 32 + (rptr % n) * 32, res = base + 32 + n * 32 + (res_w % n) * 32;
        uint32_t r0 = 0, r1 = 0;
        uint16_t exit = 0;
        uint8_t id = static_cast<uint8_t>(mem_[req] & 0xFF);
        answer(id, mem_[req + 4], mem_[req + 8], r0, r1, exit);
        mem_[res] = mode_ == FakeMode::unknown ? 0xFF : (uint32_t{exit} << 16);
        mem_[res + 4] = r0;
        mem_[res + 8] = r1;
        rptr = (rptr + 1) % (2 * n);
        res_w = (res_w + 1) % (2 * n);
      }
      mem_[base + 0x10] = rptr;
      mem_[base + 0x14] = res_w;
    }
  }

  const ArcLayout& l_;
  FakeMode mode_;
  std::map<uint32_t, uint32_t> mem_;
};

}  // namespace hcq::tt::test
