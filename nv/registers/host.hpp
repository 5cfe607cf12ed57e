// The host (PBDMA) side of an NVIDIA channel: push-buffer method headers, host methods of the
// GPFIFO class (HOPPER_CHANNEL_GPFIFO_A, C86F), GPFIFO entries, the USERD control area and the
// usermode page (doorbell, GPU timer).
//
// Sources, each checked for the values below:
//  [C56F] open-gpu-doc classes/host/clc56f.h (method header `NVC56F_DMA_*`, NOP, SEM_EXECUTE codes);
//  [C86F] open-gpu-kernel-modules src/common/sdk/nvidia/inc/class/clc86f.h (tag 595.45.04), a
//         trimmed header: control struct, SEM_*, MEM_OP_*, WFI, GP_ENTRY*;
//  [C361] same repository, class/clc361.h (usermode offsets);
//  [VM]   same repository, src/common/inc/swref/published/ampere/ga100/dev_vm.h (TIME_0/1 fields);
//  [RAM]  same repository, swref/published/maxwell/gm107/dev_ram.h (NV_RAMUSERD_CHAN_SIZE).
#pragma once

#include <cstdint>

#include "registers/field.hpp"

namespace hcq::nv::reg::host {

// ---------------------------------------------------------------------------------------------
// Push-buffer method header [C56F NVC56F_DMA_*]: 31:29 SEC_OP, 28:16 count (or the immediate
// data), 15:13 subchannel, 11:0 method address >> 2.
inline constexpr Field dma_method_address{11, 0};
inline constexpr Field dma_method_subchannel{15, 13};
inline constexpr Field dma_method_count{28, 16};
inline constexpr Field dma_immd_data{28, 16};
inline constexpr Field dma_sec_op{31, 29};

enum class SecOp : uint32_t {
  grp0_use_tert = 0,
  inc_method = 1,      // data words go to method, method + 4, ...
  grp2_use_tert = 2,
  non_inc_method = 3,  // every data word goes to the same method
  immd_data = 4,       // no data words: the 13-bit value sits in the header
  one_inc = 5,         // the first word to method, the rest to method + 4
  end_pb_segment = 7,
};

inline constexpr uint32_t max_method_count = 0x1FFF;   // 13 bits
inline constexpr uint32_t max_immediate = 0x1FFF;     // 13 bits
inline constexpr uint32_t max_method = 0xFFF << 2;    // byte offset of the last method
inline constexpr uint32_t subchannels = 8;

// ---------------------------------------------------------------------------------------------
// Host methods (offsets below 0x100, valid on any subchannel).
inline constexpr uint32_t set_object = 0x0000;             // [C86F]
inline constexpr uint32_t nop = 0x0008;                    // [C56F] (not in the trimmed C86F)
inline constexpr uint32_t non_stall_interrupt = 0x0020;    // [C56F]
inline constexpr uint32_t mem_op_a = 0x0028;               // [C86F]
inline constexpr uint32_t mem_op_b = 0x002C;
inline constexpr uint32_t mem_op_c = 0x0030;
inline constexpr uint32_t mem_op_d = 0x0034;
inline constexpr uint32_t set_reference = 0x0050;          // [C56F]
inline constexpr uint32_t sem_addr_lo = 0x005C;            // [C86F]
inline constexpr uint32_t sem_addr_hi = 0x0060;
inline constexpr uint32_t sem_payload_lo = 0x0064;
inline constexpr uint32_t sem_payload_hi = 0x0068;
inline constexpr uint32_t sem_execute = 0x006C;
inline constexpr uint32_t wfi = 0x0078;
inline constexpr uint32_t yield = 0x0080;                  // [C56F]

// SEM_ADDR_LO holds VA 31:2 in place (the low two bits must be zero); SEM_ADDR_HI holds VA 56:32
// in 24:0 on C86F (only 7:0 on C56F/C76F).
inline constexpr Field sem_addr_lo_offset{31, 2};
inline constexpr Field sem_addr_hi_offset{24, 0};

inline constexpr Field sem_execute_operation{2, 0};
inline constexpr uint32_t sem_execute_operation_acquire = 0;
inline constexpr uint32_t sem_execute_operation_release = 1;
inline constexpr uint32_t sem_execute_operation_acq_strict_geq = 2;
inline constexpr uint32_t sem_execute_operation_acq_circ_geq = 3;
inline constexpr uint32_t sem_execute_operation_acq_and = 4;
inline constexpr uint32_t sem_execute_operation_acq_nor = 5;
inline constexpr uint32_t sem_execute_operation_reduction = 6;
inline constexpr Field sem_execute_acquire_switch_tsg{12, 12};
inline constexpr Field sem_execute_release_wfi{20, 20};
inline constexpr Field sem_execute_payload_size{24, 24};
inline constexpr uint32_t sem_execute_payload_size_32bit = 0;
inline constexpr uint32_t sem_execute_payload_size_64bit = 1;
inline constexpr Field sem_execute_release_timestamp{25, 25};  // also write the ns timer at +8 (four-word release)
inline constexpr Field sem_execute_reduction{30, 27};
inline constexpr Field sem_execute_reduction_format{31, 31};

// Whole SEM_EXECUTE words.
// Release: wait for idle, write the 64-bit payload at +0 and the ns timestamp at +8. Placed after
// a launch it fired only once the kernel finished (notes §4 [V], the value 0x03100001).
inline constexpr uint32_t sem_execute_release64 =
    sem_execute_operation(sem_execute_operation_release) | sem_execute_release_wfi(1) |
    sem_execute_payload_size(sem_execute_payload_size_64bit) | sem_execute_release_timestamp(1);
static_assert(sem_execute_release64 == 0x03100001u);
// Acquire: stall until the 64-bit value at the address >= payload. CIRC_GEQ compares the
// difference (what tinygrad waits with), STRICT_GEQ the plain values; neither verified on the H100.
inline constexpr uint32_t sem_execute_acq_circ_geq64 =
    sem_execute_operation(sem_execute_operation_acq_circ_geq) | sem_execute_payload_size(sem_execute_payload_size_64bit);
inline constexpr uint32_t sem_execute_acq_strict_geq64 =
    sem_execute_operation(sem_execute_operation_acq_strict_geq) | sem_execute_payload_size(sem_execute_payload_size_64bit);

inline constexpr Field wfi_scope{0, 0};  // 1 = ALL
inline constexpr uint32_t wfi_scope_all = 1;

inline constexpr Field mem_op_c_membar_type{2, 0};
inline constexpr uint32_t mem_op_c_membar_type_sys_membar = 0;
inline constexpr uint32_t mem_op_c_membar_type_membar = 1;
inline constexpr Field mem_op_d_operation{31, 27};
inline constexpr uint32_t mem_op_d_operation_membar = 0x05;
inline constexpr uint32_t mem_op_d_operation_mmu_tlb_invalidate = 0x09;
inline constexpr uint32_t mem_op_d_operation_l2_peermem_invalidate = 0x0D;
inline constexpr uint32_t mem_op_d_operation_l2_sysmem_invalidate = 0x0E;
inline constexpr uint32_t mem_op_d_operation_l2_clean_comptags = 0x0F;
inline constexpr uint32_t mem_op_d_operation_l2_flush_dirty = 0x10;

// ---------------------------------------------------------------------------------------------
// GPFIFO entry [C86F NVC86F_GP_ENTRY*], 8 bytes: entry0 0 FETCH (0 unconditional), 31:2 GET
// (push-buffer VA 31:2); entry1 7:0 GET_HI (VA 39:32), 9 LEVEL (1 SUBROUTINE), 30:10 LENGTH in
// dwords, 31 SYNC (1 WAIT). The entry addresses 40 bits: push buffers must sit below 2^40 (the
// SET_PB_SEGMENT_EXTENDED_BASE opcode, entry1 OPCODE 4 with operand 24:8, lifts that; unused).
inline constexpr uint32_t gp_entry_size = 8;
inline constexpr Field gp_entry0_fetch{0, 0};
inline constexpr Field gp_entry0_get{31, 2};
inline constexpr Field gp_entry1_get_hi{7, 0};
inline constexpr Field gp_entry1_level{9, 9};
inline constexpr uint32_t gp_entry1_level_main = 0;
inline constexpr uint32_t gp_entry1_level_subroutine = 1;
inline constexpr Field gp_entry1_length{30, 10};
inline constexpr Field gp_entry1_sync{31, 31};
inline constexpr uint32_t gp_entry1_sync_wait = 1;
inline constexpr uint32_t gp_entry_va_bits = 40;
inline constexpr uint32_t gp_entry_max_length = (1u << 21) - 1;  // LENGTH is 21 bits

// ---------------------------------------------------------------------------------------------
// USERD: the channel's control area (HopperAControlGPFifo in [C86F]); byte offsets.
inline constexpr uint32_t userd_put = 0x40;
inline constexpr uint32_t userd_get = 0x44;               // read only
inline constexpr uint32_t userd_reference = 0x48;         // read only
inline constexpr uint32_t userd_put_hi = 0x4C;
inline constexpr uint32_t userd_top_level_get = 0x58;     // read only
inline constexpr uint32_t userd_top_level_get_hi = 0x5C;  // read only
inline constexpr uint32_t userd_get_hi = 0x60;
inline constexpr uint32_t userd_gp_get = 0x88;            // read only
inline constexpr uint32_t userd_gp_put = 0x8C;            // the write pointer the host publishes
inline constexpr uint32_t userd_size = 512;               // NV_RAMUSERD_CHAN_SIZE [RAM]
inline constexpr uint32_t userd_align = 1u << 9;          // NV_RAMUSERD_BASE_SHIFT 9 [RAM]

// ---------------------------------------------------------------------------------------------
// Usermode page (VOLTA_USERMODE_A and later, mapped from the usermode object) [C361]: 64 KiB.
inline constexpr uint32_t usermode_size = 65536;
inline constexpr uint32_t usermode_time_0 = 0x80;  // NSEC 31:5 [VM]: GPU timer ns, low word
inline constexpr uint32_t usermode_time_1 = 0x84;  // NSEC 28:0 [VM]: high word
inline constexpr uint32_t usermode_notify_channel_pending = 0x90;  // doorbell: write the work-submit token
inline constexpr Field usermode_time_0_nsec{31, 5};
inline constexpr Field usermode_time_1_nsec{28, 0};

}  // namespace hcq::nv::reg::host
