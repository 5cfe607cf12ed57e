// NVIDIA class ids used by the nv backend: compute, copy (DMA), GPFIFO host channels and usermode.
//
// A class id is the `hClass` given to RM when the object is allocated and, for engine classes,
// the CLASS_ID written with SET_OBJECT on a subchannel. Each id below was checked against the
// `#define <NAME> (0x....)` line of open-gpu-kernel-modules (tag 595.45.04)
// src/common/sdk/nvidia/inc/class/cl<id>.h; AMPERE_CHANNEL_GPFIFO_B (C76F) is only in
// open-gpu-doc classes/host/clc76f.h. No class CDB5 exists in either repository (the newest copy
// classes are C9B5 BLACKWELL_DMA_COPY_A and CAB5 BLACKWELL_DMA_COPY_B).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace hcq::nv::reg {

enum class ClassKind : uint8_t { compute, copy, gpfifo, usermode };
enum class Arch : uint8_t { volta, turing, ampere, ada, hopper, blackwell };

struct ClassInfo {
  uint32_t id;
  std::string_view name;
  ClassKind kind;
  Arch arch;          // the first architecture that has it
  uint8_t qmd_major;  // compute classes: the QMD version the encoder uses for it (0: none)
};

// Compute classes. QMD versions: C6C0/C7C0/C9C0 document V03_00 (clc6c0qmd.h, clc9c0qmd.h),
// CBC0 documents V03_00 and V04_00 (clcbc0qmd.h) and only V04 launches on an H100 (notes §5 [V]),
// CDC0/CEC0 document V05_00 (clcdc0qmd.h, clcec0qmd.h; CEC0 also V04_01 and V05_01).
inline constexpr uint32_t ampere_compute_a = 0xC6C0;
inline constexpr uint32_t ampere_compute_b = 0xC7C0;
inline constexpr uint32_t ada_compute_a = 0xC9C0;
inline constexpr uint32_t hopper_compute_a = 0xCBC0;
inline constexpr uint32_t blackwell_compute_a = 0xCDC0;
inline constexpr uint32_t blackwell_compute_b = 0xCEC0;

inline constexpr uint32_t ampere_dma_copy_a = 0xC6B5;
inline constexpr uint32_t ampere_dma_copy_b = 0xC7B5;
inline constexpr uint32_t hopper_dma_copy_a = 0xC8B5;
inline constexpr uint32_t blackwell_dma_copy_a = 0xC9B5;
inline constexpr uint32_t blackwell_dma_copy_b = 0xCAB5;

inline constexpr uint32_t ampere_channel_gpfifo_a = 0xC56F;
inline constexpr uint32_t ampere_channel_gpfifo_b = 0xC76F;
inline constexpr uint32_t hopper_channel_gpfifo_a = 0xC86F;
inline constexpr uint32_t blackwell_channel_gpfifo_a = 0xC96F;
inline constexpr uint32_t blackwell_channel_gpfifo_b = 0xCA6F;

inline constexpr uint32_t volta_usermode_a = 0xC361;
inline constexpr uint32_t turing_usermode_a = 0xC461;
inline constexpr uint32_t ampere_usermode_a = 0xC561;
inline constexpr uint32_t hopper_usermode_a = 0xC661;
inline constexpr uint32_t blackwell_usermode_a = 0xC761;

// Newest first within each kind, so a backend can take the first one the GPU lists.
inline constexpr std::array classes = {
    ClassInfo{blackwell_compute_b, "BLACKWELL_COMPUTE_B", ClassKind::compute, Arch::blackwell, 5},
    ClassInfo{blackwell_compute_a, "BLACKWELL_COMPUTE_A", ClassKind::compute, Arch::blackwell, 5},
    ClassInfo{hopper_compute_a, "HOPPER_COMPUTE_A", ClassKind::compute, Arch::hopper, 4},
    ClassInfo{ada_compute_a, "ADA_COMPUTE_A", ClassKind::compute, Arch::ada, 3},
    ClassInfo{ampere_compute_b, "AMPERE_COMPUTE_B", ClassKind::compute, Arch::ampere, 3},
    ClassInfo{ampere_compute_a, "AMPERE_COMPUTE_A", ClassKind::compute, Arch::ampere, 3},
    ClassInfo{blackwell_dma_copy_b, "BLACKWELL_DMA_COPY_B", ClassKind::copy, Arch::blackwell, 0},
    ClassInfo{blackwell_dma_copy_a, "BLACKWELL_DMA_COPY_A", ClassKind::copy, Arch::blackwell, 0},
    ClassInfo{hopper_dma_copy_a, "HOPPER_DMA_COPY_A", ClassKind::copy, Arch::hopper, 0},
    ClassInfo{ampere_dma_copy_b, "AMPERE_DMA_COPY_B", ClassKind::copy, Arch::ampere, 0},
    ClassInfo{ampere_dma_copy_a, "AMPERE_DMA_COPY_A", ClassKind::copy, Arch::ampere, 0},
    ClassInfo{blackwell_channel_gpfifo_b, "BLACKWELL_CHANNEL_GPFIFO_B", ClassKind::gpfifo, Arch::blackwell, 0},
    ClassInfo{blackwell_channel_gpfifo_a, "BLACKWELL_CHANNEL_GPFIFO_A", ClassKind::gpfifo, Arch::blackwell, 0},
    ClassInfo{hopper_channel_gpfifo_a, "HOPPER_CHANNEL_GPFIFO_A", ClassKind::gpfifo, Arch::hopper, 0},
    ClassInfo{ampere_channel_gpfifo_b, "AMPERE_CHANNEL_GPFIFO_B", ClassKind::gpfifo, Arch::ampere, 0},
    ClassInfo{ampere_channel_gpfifo_a, "AMPERE_CHANNEL_GPFIFO_A", ClassKind::gpfifo, Arch::ampere, 0},
    ClassInfo{blackwell_usermode_a, "BLACKWELL_USERMODE_A", ClassKind::usermode, Arch::blackwell, 0},
    ClassInfo{hopper_usermode_a, "HOPPER_USERMODE_A", ClassKind::usermode, Arch::hopper, 0},
    ClassInfo{ampere_usermode_a, "AMPERE_USERMODE_A", ClassKind::usermode, Arch::ampere, 0},
    ClassInfo{turing_usermode_a, "TURING_USERMODE_A", ClassKind::usermode, Arch::turing, 0},
    ClassInfo{volta_usermode_a, "VOLTA_USERMODE_A", ClassKind::usermode, Arch::volta, 0},
};

// The table entry for `id`, or nullptr.
constexpr const ClassInfo* find_class(uint32_t id) {
  for (const ClassInfo& c : classes)
    if (c.id == id) return &c;
  return nullptr;
}

static_assert(find_class(hopper_compute_a)->qmd_major == 4);
static_assert(find_class(0xCDB5) == nullptr);

// Subchannels the backend binds its engine objects to with SET_OBJECT. This is a convention, not
// hardware: any of 0..7 works; 1 = compute and 4 = copy are what NVK, tinygrad and the H100 probes
// used (notes §4 [V][T][M]). Host methods (below 0x100) are accepted on every subchannel.
inline constexpr uint32_t subc_compute = 1;
inline constexpr uint32_t subc_copy = 4;

}  // namespace hcq::nv::reg
