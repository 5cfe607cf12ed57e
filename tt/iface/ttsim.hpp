// ttsim transport: Tenstorrent's simulator (tenstorrent/ttsim, a user-supplied libttsim.so)
// loaded with dlopen and driven through its BAR-level C API (docs/libttsim_api.md there).
#pragma once

#include <memory>
#include <string>

#include "chip.hpp"

namespace hcq::kmdfree {
class SimModel;
}

namespace hcq::tt {

// Opens the simulated chip in `so_path`. The library is a process-wide singleton that can be
// initialised once per process: the first open initialises it, later opens (after the previous
// Chip is gone) reuse the same simulated chip with whatever state it was left in. Throws
// hcq::Error: not_found (cannot load), busy (already open in this process), unsupported.
std::unique_ptr<Chip> open_ttsim(const std::string& so_path);

// The same simulator as a kmd-free PCI function model (kmd-free/pci_sim.hpp): config space and
// BAR dword accesses forwarded to libttsim, device DMA into the function's DMA buffers. With
// kmdfree::open_sim() and open_kmdfree() this runs the kmd-free transport against ttsim. Holds
// the library like an open Chip does (one user at a time).
std::unique_ptr<kmdfree::SimModel> ttsim_pci_model(const std::string& so_path);

}  // namespace hcq::tt
