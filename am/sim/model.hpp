// The gfx1100 device model behind "sim:gfx1100": a PCI function (1002:744c) with VRAM in BAR0,
// doorbells in BAR2 and a sparse register file in BAR5, written from public register and firmware
// facts (docs/am.md, "How the model works"). Its platform side -- discovery table, GMC walker, IH
// ring, PSP and SMU -- is here and in the files next to it; the engines that run commands (CP,
// SDMA) plug in through EngineFactory and see the model only through sim::Context.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "context.hpp"
#include "kmd-free/pci_sim.hpp"

namespace hcq::am::sim {

// An engine the model runs (cp.cpp, sdma.cpp). Built after the model's registers exist; reset() is
// called on a function-level or mode1 reset, after the register file went back to power-on values
// (re-install hooks there if needed: the model drops every hook on reset).
class Engine {
 public:
  virtual ~Engine() = default;
  virtual void reset() {}
  // Nanoseconds spent executing since creation: the SMU's activity numbers come from it.
  virtual uint64_t busy_ns() const { return 0; }
};
using EngineFactory = std::function<std::unique_ptr<Engine>(Context&)>;

// Engines every gfx1100 model built after this call gets (a later call with the same name replaces
// it). Explicit calls only (no global constructors): the queue side's registration calls this.
void add_engine_factory(std::string name, EngineFactory factory);

struct ModelOptions {
  uint64_t vram_mb = 512;
  bool psp_dead = false;  // psp=dead: the PSP never answers its bootloader mailbox
  std::vector<std::pair<std::string, EngineFactory>> engines;  // besides the registered ones
};
// Parses "vram_mb=<n>" and "psp=dead|ok". Throws hcq::Error(invalid_argument) for anything else.
ModelOptions parse_options(const std::vector<std::pair<std::string, std::string>>& options);

// What tests ask the model about (through the SimModel they create).
class Inspect {
 public:
  virtual ~Inspect() = default;
  virtual std::vector<VmFault> faults() const = 0;            // every translation fault so far
  virtual std::vector<uint32_t> loaded_firmware() const = 0;  // PSP fw types accepted, in order
  virtual std::string psp_last_error() const = 0;             // why the PSP refused the last thing it refused
  virtual uint64_t hdp_flushes() const = 0;
  virtual Context& context() = 0;  // the engines' view: GPU-VA reads and writes through the GMC
};

// A new model. The returned object also implements Inspect (dynamic_cast).
std::unique_ptr<kmdfree::SimModel> make_gfx1100(ModelOptions options);
// Registers "gfx1100" with kmdfree::register_sim_model (idempotent).
void register_gfx1100();

}  // namespace hcq::am::sim
