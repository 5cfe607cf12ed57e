// ARC, the chip's management core: messages (Wormhole scratch-register protocol, Blackhole message
// queues; which one is chips.hpp ArcLayout::protocol) and the telemetry table.
//
// Every wait is bounded: a message that is not answered in time throws hcq::Error (timeout) naming
// the message id, the register values seen, and what to do.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "chip.hpp"
#include "chips.hpp"
#include "hcq/error.hpp"

namespace hcq::tt {

// ARC-local 32-bit accesses (reset-unit registers, CSM). arc_bus() gives the one over a Chip's NOC;
// tests give a memory-backed fake that answers like firmware.
class ArcBus {
 public:
  virtual ~ArcBus() = default;
  virtual uint32_t read32(uint32_t arc_addr) = 0;
  virtual void write32(uint32_t arc_addr, uint32_t value) = 0;
  // Between polls (a simulator advances its clock).
  virtual void idle() noexcept = 0;
};

std::unique_ptr<ArcBus> arc_bus(Chip& chip);

// Message ids both firmwares answer (tt-kmd wormhole.c/blackhole.c, tt-umd *_arc message enums).
namespace arc_msg {
constexpr uint8_t nop = 0x11;
constexpr uint8_t get_aiclk = 0x34;        // Wormhole
constexpr uint8_t go_busy = 0x52;
constexpr uint8_t go_long_idle = 0x54;
constexpr uint8_t get_harvesting = 0x57;
constexpr uint8_t test = 0x90;
constexpr uint8_t asic_state0 = 0xA0;
constexpr uint8_t asic_state3 = 0xA3;
}  // namespace arc_msg

// "GET_HARVESTING (0x57)", or "0x42" for an id we have no name for.
std::string arc_msg_name(uint8_t id);

struct ArcReply {
  uint16_t exit_code = 0;             // WH: SCRATCH[5] bits 31:16; BH: response header bits 31:16
  std::array<uint32_t, 7> value{};    // WH: SCRATCH[3], SCRATCH[4]; BH: response payload words
};

struct Telemetry {
  std::map<uint16_t, uint32_t> raw;  // tag -> value; tags absent from the chip's table are absent

  std::optional<uint32_t> get(uint16_t tag) const;
  // Decoders (tt-kmd telemetry.c hwmon, luwen): the tag table encodes these the same way on both
  // chips; luwen's Wormhole "(v & 0xFFFF) >> 4" temperature is the legacy SMBUS struct's.
  std::optional<double> asic_temperature_c() const;  // 16.16 fixed point
  std::optional<uint32_t> aiclk_mhz() const;         // low 16 bits
  std::optional<uint32_t> power_w() const;           // low 16 bits
  std::optional<uint32_t> current_a() const;         // low 16 bits
  std::optional<uint32_t> vcore_mv() const;
  std::optional<uint32_t> heartbeat() const;
  std::optional<uint64_t> board_id() const;          // tags 1 (high) and 2 (low)
  // "n150", "p150a", ... from board_id bits 36..55; nullopt when unknown or absent.
  std::optional<std::string_view> board_type() const;
};

// Telemetry tags (tt-kmd telemetry.h, tt-zephyr-platforms telemetry docs).
namespace telemetry_tag {
constexpr uint16_t board_id_high = 1;
constexpr uint16_t board_id_low = 2;
constexpr uint16_t vcore = 6;
constexpr uint16_t power = 7;
constexpr uint16_t current = 8;
constexpr uint16_t asic_temperature = 11;
constexpr uint16_t aiclk = 14;
constexpr uint16_t heartbeat = 32;
}  // namespace telemetry_tag

class Arc {
 public:
  static constexpr std::chrono::milliseconds default_timeout{1000};

  Arc(ArcBus& bus, const ChipTable& chip, std::string device_name);

  // Sends message `id` with two 16-bit arguments (Wormhole) or payload words (Blackhole) and waits
  // for the reply. Throws hcq::Error: timeout (no reply; names what was seen), device_lost (chip
  // hung, firmware not running), unsupported (the firmware does not know the message).
  ArcReply send(uint8_t id, uint32_t arg0 = 0, uint32_t arg1 = 0, std::chrono::milliseconds timeout = default_timeout);

  // Reads the telemetry table. Throws hcq::Error (unsupported) when the firmware publishes none
  // or its version is newer than we read, (device_lost) on pointers outside CSM.
  Telemetry telemetry();

 private:
  void require_running();
  ArcReply send_scratch(uint8_t id, uint32_t arg0, uint32_t arg1, std::chrono::milliseconds timeout);
  ArcReply send_queue(uint8_t id, uint32_t arg0, uint32_t arg1, std::chrono::milliseconds timeout);
  uint32_t csm_pointer(uint32_t reg, const char* what);
  [[noreturn]] void fail(Errc code, uint8_t id, const std::string& what) const;

  ArcBus& bus_;
  const ArcLayout& layout_;
  std::string device_;
};

}  // namespace hcq::tt
