// ARC messages and telemetry. Protocols from tt-kmd (wormhole.c wormhole_send_arc_fw_message_with_args,
// msgqueue.c arc_msg_push/arc_msg_pop, telemetry.c) and tt-umd (blackhole_arc_message_queue.cpp:
// response status byte >= 240 is an error, 0xFF = unknown message); register addresses in chips.cpp.
#include "arc.hpp"

#include <thread>

#include <fmt/format.h>

#include "log.hpp"

namespace hcq::tt {

namespace {

using Clock = std::chrono::steady_clock;

// Wormhole scratch-register protocol.
constexpr uint32_t wh_message_present = 0xAA00;  // ORed into the id written to SCRATCH[5]
constexpr uint32_t wh_irq0 = 1u << 16;           // MISC_CNTL: raises IRQ0 on the ARC
constexpr uint32_t wh_reply_id_mask = 0xFFFF;
constexpr uint32_t wh_unknown_reply = 0xFFFFFFFF;
constexpr uint32_t all_ones = 0xFFFFFFFF;

// Blackhole message queues: a 32-byte header, then N request and N response slots of 32 bytes.
constexpr uint32_t queue_req_wptr = 0x00, queue_res_rptr = 0x04, queue_req_rptr = 0x10, queue_res_wptr = 0x14;
constexpr uint32_t queue_header_bytes = 32;
constexpr uint32_t queue_entry_bytes = 32;
constexpr uint32_t queue_entry_words = 8;
constexpr uint32_t qcb_info_entries_mask = 0xFF;   // QCB word 1, byte 0: entries per queue
constexpr uint32_t qcb_info_queues_shift = 8;      // QCB word 1, byte 1: number of queues
constexpr uint32_t application_queue = 3;          // by convention: kmd 0, monitoring 1, tools 2, application 3
constexpr uint32_t status_error_first = 240;       // tt-umd: response status >= 240 is an error
constexpr uint32_t status_unknown = 0xFF;

// Telemetry table: u32 version (major in bits 23:16), u32 count, count x {u16 tag, u16 offset}.
constexpr uint32_t telemetry_major_shift = 16;
constexpr uint32_t telemetry_max_major = 1;
constexpr uint32_t telemetry_max_entries = 1024;

struct MsgName {
  uint8_t id;
  const char* name;
};
constexpr MsgName msg_names[] = {
    {arc_msg::nop, "NOP"}, {arc_msg::get_aiclk, "GET_AICLK"}, {arc_msg::go_busy, "GO_BUSY"},
    {arc_msg::go_long_idle, "GO_LONG_IDLE"}, {arc_msg::get_harvesting, "GET_HARVESTING"}, {arc_msg::test, "TEST"},
    {arc_msg::asic_state0, "ASIC_STATE0"}, {arc_msg::asic_state3, "ASIC_STATE3"},
};

class ChipArcBus final : public ArcBus {
 public:
  explicit ChipArcBus(Chip& chip) : chip_(chip), base_(chip.table().arc_layout.noc_base) {}
  uint32_t read32(uint32_t a) override { return chip_.noc_read32(chip_.table().arc, base_ + a); }
  void write32(uint32_t a, uint32_t v) override { chip_.noc_write32(chip_.table().arc, base_ + a, v); }
  void idle() noexcept override { chip_.idle(); }

 private:
  Chip& chip_;
  uint64_t base_;
};

}  // namespace

std::unique_ptr<ArcBus> arc_bus(Chip& chip) { return std::make_unique<ChipArcBus>(chip); }

std::string arc_msg_name(uint8_t id) {
  for (const MsgName& m : msg_names) {
    if (m.id == id) return fmt::format("{} (0x{:02x})", m.name, id);
  }
  return fmt::format("0x{:02x}", id);
}

Arc::Arc(ArcBus& bus, const ChipTable& chip, std::string device_name)
    : bus_(bus), layout_(chip.arc_layout), device_(std::move(device_name)) {}

void Arc::fail(Errc code, uint8_t id, const std::string& what) const {
  throw Error(code, device_, "ARC", fmt::format("message {}: {}", arc_msg_name(id), what));
}

void Arc::require_running() {
  if (layout_.hung_reg && bus_.read32(layout_.hung_reg) == all_ones) {
    throw Error(Errc::device_lost, device_, "ARC",
                fmt::format("register 0x{:08x} reads 0xffffffff: the chip is hung; reset it (tt-kmd RESET_DEVICE, "
                            "or a power cycle)",
                            layout_.hung_reg));
  }
  uint32_t status = bus_.read32(layout_.status_reg);
  if ((status & layout_.status_mask) != layout_.status_ready) {
    throw Error(Errc::device_lost, device_, "ARC",
                fmt::format("firmware not ready: status register 0x{:08x} = 0x{:08x} (want 0x{:x} under mask 0x{:x}); "
                            "the ARC has not booted: wait for it, or reset the chip",
                            layout_.status_reg, status, layout_.status_ready, layout_.status_mask));
  }
}

ArcReply Arc::send(uint8_t id, uint32_t arg0, uint32_t arg1, std::chrono::milliseconds timeout) {
  require_running();
  log::device("tt", device_)->debug("ARC message {} args 0x{:x} 0x{:x}", arc_msg_name(id), arg0, arg1);
  return layout_.protocol == ArcProtocol::scratch_registers ? send_scratch(id, arg0, arg1, timeout)
                                                            : send_queue(id, arg0, arg1, timeout);
}

ArcReply Arc::send_scratch(uint8_t id, uint32_t arg0, uint32_t arg1, std::chrono::milliseconds timeout) {
  constexpr uint32_t arg_mask = 0xFFFF;
  if (arg0 > arg_mask || arg1 > arg_mask) fail(Errc::invalid_argument, id, "arguments are 16 bits each on this chip");
  const auto deadline = Clock::now() + timeout;
  // The previous message's IRQ must have been taken before we raise another.
  uint32_t cntl = bus_.read32(layout_.misc_cntl_reg);
  while (cntl & wh_irq0) {
    if (Clock::now() > deadline)
      fail(Errc::timeout, id, fmt::format("ARC did not take the previous IRQ0 (MISC_CNTL 0x{:08x}); reset the chip", cntl));
    bus_.idle();
    cntl = bus_.read32(layout_.misc_cntl_reg);
  }
  bus_.write32(layout_.arg_reg, arg0 | (arg1 << 16));
  bus_.write32(layout_.msg_reg, wh_message_present | id);
  bus_.write32(layout_.misc_cntl_reg, cntl | wh_irq0);
  for (;;) {
    uint32_t reply = bus_.read32(layout_.msg_reg);
    if (reply == wh_unknown_reply) fail(Errc::unsupported, id, "the firmware does not recognise it (reply 0xffffffff)");
    if ((reply & wh_reply_id_mask) == id) {
      ArcReply r;
      r.exit_code = static_cast<uint16_t>(reply >> 16);
      r.value[0] = bus_.read32(layout_.arg_reg);
      r.value[1] = bus_.read32(layout_.ret_reg);
      return r;
    }
    if (Clock::now() > deadline) {
      fail(Errc::timeout, id,
           fmt::format("no reply in {} ms: message register 0x{:08x} = 0x{:08x} (want low 16 bits 0x{:04x}), "
                       "MISC_CNTL = 0x{:08x}; the ARC firmware may be busy or hung: retry, then reset the chip",
                       timeout.count(), layout_.msg_reg, reply, id, bus_.read32(layout_.misc_cntl_reg)));
    }
    bus_.idle();
  }
}

uint32_t Arc::csm_pointer(uint32_t reg, const char* what) {
  uint32_t p = bus_.read32(reg);
  if (p < layout_.csm_base || p - layout_.csm_base >= layout_.csm_size) {
    throw Error(Errc::device_lost, device_, "ARC",
                fmt::format("{} pointer (register 0x{:08x}) = 0x{:08x} is outside CSM 0x{:08x}..0x{:08x}: the firmware "
                            "does not publish it or the chip is hung",
                            what, reg, p, layout_.csm_base, layout_.csm_base + layout_.csm_size - 1));
  }
  return p;
}

ArcReply Arc::send_queue(uint8_t id, uint32_t arg0, uint32_t arg1, std::chrono::milliseconds timeout) {
  const uint32_t qcb = csm_pointer(layout_.queue_ptr_reg, "message queue control block");
  const uint32_t base = bus_.read32(qcb);
  const uint32_t info = bus_.read32(qcb + 4);
  const uint32_t n = info & qcb_info_entries_mask;
  const uint32_t queues = (info >> qcb_info_queues_shift) & qcb_info_entries_mask;
  const uint32_t q = std::min(application_queue, queues ? queues - 1 : 0);
  const uint32_t queue = base + q * (queue_header_bytes + 2 * n * queue_entry_bytes);
  if (n == 0 || queue < layout_.csm_base || queue + queue_header_bytes + 2 * n * queue_entry_bytes > layout_.csm_base + layout_.csm_size)
    fail(Errc::device_lost, id, fmt::format("message queue {} at 0x{:08x} with {} entries is not inside CSM", q, queue, n));
  const auto deadline = Clock::now() + timeout;
  uint32_t wptr = bus_.read32(queue + queue_req_wptr);
  while ((wptr - bus_.read32(queue + queue_req_rptr)) % (2 * n) >= n) {
    if (Clock::now() > deadline) fail(Errc::timeout, id, fmt::format("request queue {} stayed full for {} ms", q, timeout.count()));
    bus_.idle();
  }
  const uint32_t req = queue + queue_header_bytes + (wptr % n) * queue_entry_bytes;
  const uint32_t words[queue_entry_words] = {id, arg0, arg1, 0, 0, 0, 0, 0};
  for (uint32_t i = 0; i < queue_entry_words; ++i) bus_.write32(req + 4 * i, words[i]);
  bus_.write32(queue + queue_req_wptr, (wptr + 1) % (2 * n));
  bus_.write32(layout_.msi_fifo, 0);

  const uint32_t rptr = bus_.read32(queue + queue_res_rptr);
  for (;;) {
    uint32_t res_w = bus_.read32(queue + queue_res_wptr);
    if ((res_w - rptr) % (2 * n) > 0) break;
    if (Clock::now() > deadline) {
      fail(Errc::timeout, id,
           fmt::format("no response in {} ms on queue {}: response wptr {} rptr {}, request wptr {} rptr {}; the ARC "
                       "firmware may be busy or hung: retry, then reset the chip",
                       timeout.count(), q, res_w, rptr, bus_.read32(queue + queue_req_wptr), bus_.read32(queue + queue_req_rptr)));
    }
    bus_.idle();
  }
  const uint32_t res = queue + queue_header_bytes + n * queue_entry_bytes + (rptr % n) * queue_entry_bytes;
  const uint32_t header = bus_.read32(res);
  ArcReply r;
  for (uint32_t i = 0; i < r.value.size(); ++i) r.value[i] = bus_.read32(res + 4 * (i + 1));
  bus_.write32(queue + queue_res_rptr, (rptr + 1) % (2 * n));
  const uint32_t status = header & 0xFF;
  if (status == status_unknown) fail(Errc::unsupported, id, "the firmware does not recognise it (status 0xff)");
  if (status >= status_error_first) fail(Errc::io, id, fmt::format("the firmware answered with error status {} (header 0x{:08x})", status, header));
  r.exit_code = static_cast<uint16_t>(header >> 16);
  return r;
}

Telemetry Arc::telemetry() {
  const uint32_t table = csm_pointer(layout_.telemetry_table_reg, "telemetry table");
  const uint32_t data = csm_pointer(layout_.telemetry_data_reg, "telemetry data");
  const uint32_t version = bus_.read32(table);
  if (((version >> telemetry_major_shift) & 0xFF) > telemetry_max_major) {
    throw Error(Errc::unsupported, device_, "telemetry",
                fmt::format("table version 0x{:08x} is newer than we read (major <= {}); update libhcq", version,
                            telemetry_max_major));
  }
  const uint32_t count = bus_.read32(table + 4);
  const uint64_t csm_end = uint64_t{layout_.csm_base} + layout_.csm_size;
  if (count > telemetry_max_entries || table + 8 + 4ull * count > csm_end) {
    throw Error(Errc::device_lost, device_, "telemetry",
                fmt::format("table at 0x{:08x} claims {} entries, more than fit in CSM: corrupt table or hung chip", table, count));
  }
  Telemetry t;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t entry = bus_.read32(table + 8 + 4 * i);
    uint16_t tag = static_cast<uint16_t>(entry & 0xFFFF);
    uint32_t offset = entry >> 16;
    if (data + 4ull * offset + 4 > csm_end) continue;  // a value outside CSM: leave the tag absent
    t.raw[tag] = bus_.read32(data + 4 * offset);
  }
  return t;
}

std::optional<uint32_t> Telemetry::get(uint16_t tag) const {
  auto it = raw.find(tag);
  if (it == raw.end()) return std::nullopt;
  return it->second;
}

namespace {
constexpr uint32_t low16 = 0xFFFF;
constexpr double fixed_16_16 = 65536.0;
std::optional<uint32_t> low_half(std::optional<uint32_t> v) {
  if (!v) return std::nullopt;
  return *v & low16;
}
}  // namespace

std::optional<double> Telemetry::asic_temperature_c() const {
  auto v = get(telemetry_tag::asic_temperature);
  if (!v) return std::nullopt;
  return static_cast<int32_t>(*v) / fixed_16_16;
}
std::optional<uint32_t> Telemetry::aiclk_mhz() const { return low_half(get(telemetry_tag::aiclk)); }
std::optional<uint32_t> Telemetry::power_w() const { return low_half(get(telemetry_tag::power)); }
std::optional<uint32_t> Telemetry::current_a() const { return low_half(get(telemetry_tag::current)); }
std::optional<uint32_t> Telemetry::vcore_mv() const { return get(telemetry_tag::vcore); }
std::optional<uint32_t> Telemetry::heartbeat() const { return get(telemetry_tag::heartbeat); }

std::optional<uint64_t> Telemetry::board_id() const {
  auto hi = get(telemetry_tag::board_id_high), lo = get(telemetry_tag::board_id_low);
  if (!hi || !lo) return std::nullopt;
  return (uint64_t{*hi} << 32) | *lo;
}

std::optional<std::string_view> Telemetry::board_type() const {
  // luwen: board type = (board_id >> 36) & 0xFFFFF.
  struct Board {
    uint32_t code;
    std::string_view name;
  };
  static constexpr Board boards[] = {{0x3, "e150"},   {0x7, "e75"},    {0x14, "n300"},  {0x18, "n150"},
                                     {0x36, "p100"},  {0x40, "p150a"}, {0x41, "p150b"}, {0x43, "p100a"},
                                     {0x45, "p300a"}, {0x47, "galaxy-blackhole"}};
  constexpr uint32_t board_type_shift = 36;
  constexpr uint64_t board_type_mask = 0xFFFFF;
  auto id = board_id();
  if (!id) return std::nullopt;
  uint32_t code = static_cast<uint32_t>((*id >> board_type_shift) & board_type_mask);
  for (const Board& b : boards) {
    if (b.code == code) return b.name;
  }
  return std::nullopt;
}

}  // namespace hcq::tt
