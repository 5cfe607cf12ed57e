// Compute class methods a launcher needs (HOPPER_COMPUTE_A, CBC0).
//
// Source: open-gpu-doc classes/compute/clcbc0.h, every offset and field below. The offsets are
// the same in clc6c0.h, clc7c0.h, clc9c0.h, clcdc0.h and clcec0.h (compared), except
// SET_REPORT_SEMAPHORE_PAYLOAD_* / ADDRESS_* / REPORT_SEMAPHORE_EXECUTE (0x158-0x168), which
// AMPERE_COMPUTE_A (C6C0) lacks; C7C0 and later have them.
#pragma once

#include <cstdint>

#include "registers/field.hpp"

namespace hcq::nv::reg::compute {

inline constexpr uint32_t set_object = 0x0000;
inline constexpr Field set_object_class_id{15, 0};
inline constexpr Field set_object_engine_id{20, 16};
inline constexpr uint32_t no_operation = 0x0100;

// ---------------------------------------------------------------------------------------------
// Semaphore release/acquire from the compute engine (in order with launches on the channel).
inline constexpr uint32_t set_report_semaphore_payload_lower = 0x0158;
inline constexpr uint32_t set_report_semaphore_payload_upper = 0x015C;
inline constexpr uint32_t set_report_semaphore_address_lower = 0x0160;
inline constexpr uint32_t set_report_semaphore_address_upper = 0x0164;  // VA 56:32 in 24:0
inline constexpr uint32_t report_semaphore_execute = 0x0168;

inline constexpr Field report_semaphore_execute_operation{1, 0};
inline constexpr uint32_t report_semaphore_execute_operation_release = 0;
inline constexpr uint32_t report_semaphore_execute_operation_acquire = 1;
inline constexpr uint32_t report_semaphore_execute_operation_report_only = 2;
inline constexpr uint32_t report_semaphore_execute_operation_trap = 3;
inline constexpr Field report_semaphore_execute_awaken_enable{2, 2};
inline constexpr Field report_semaphore_execute_structure_size{4, 3};
inline constexpr uint32_t report_semaphore_execute_structure_size_four_words = 0;  // payload at +0, timestamp at +8
inline constexpr uint32_t report_semaphore_execute_structure_size_one_word = 1;
inline constexpr uint32_t report_semaphore_execute_structure_size_two_words = 2;
inline constexpr Field report_semaphore_execute_flush_disable{5, 5};
inline constexpr Field report_semaphore_execute_reduction_enable{6, 6};
inline constexpr Field report_semaphore_execute_reduction_op{9, 7};  // RED_ADD 0, MIN 1, MAX 2, INC 3, DEC 4, AND 5, OR 6, XOR 7
inline constexpr Field report_semaphore_execute_reduction_format{11, 10};  // UNSIGNED 0, SIGNED 1
inline constexpr Field report_semaphore_execute_payload_size64{12, 12};
inline constexpr Field report_semaphore_execute_trap_type{14, 13};

// Whole word: release, four-word structure, 64-bit payload at +0 and timestamp at +8 (notes §4 [V], 0x1000).
inline constexpr uint32_t report_semaphore_execute_release64 =
    report_semaphore_execute_operation(report_semaphore_execute_operation_release) |
    report_semaphore_execute_structure_size(report_semaphore_execute_structure_size_four_words) |
    report_semaphore_execute_payload_size64(1);
static_assert(report_semaphore_execute_release64 == 0x1000u);

// The older 32-bit form (A = VA upper 24:0, B = VA lower, C = payload, D = what to do).
inline constexpr uint32_t set_report_semaphore_a = 0x1B00;
inline constexpr uint32_t set_report_semaphore_b = 0x1B04;
inline constexpr uint32_t set_report_semaphore_c = 0x1B08;
inline constexpr uint32_t set_report_semaphore_d = 0x1B0C;

inline constexpr Field set_report_semaphore_d_operation{1, 0};  // RELEASE 0, TRAP 3
inline constexpr Field set_report_semaphore_d_flush_disable{2, 2};
inline constexpr Field set_report_semaphore_d_reduction_enable{3, 3};
inline constexpr Field set_report_semaphore_d_reduction_op{11, 9};
inline constexpr Field set_report_semaphore_d_reduction_format{18, 17};
inline constexpr Field set_report_semaphore_d_conditional_trap{19, 19};
inline constexpr Field set_report_semaphore_d_awaken_enable{20, 20};
inline constexpr Field set_report_semaphore_d_structure_size{28, 28};  // FOUR_WORDS 0, ONE_WORD 1

// ---------------------------------------------------------------------------------------------
// Launch: SEND_PCAS_A takes the QMD address >> 8 (so a QMD is 256-byte aligned and below 2^40),
// then SEND_SIGNALING_PCAS2_B says what to do with it.
inline constexpr uint32_t send_pcas_a = 0x02B4;
inline constexpr Field send_pcas_a_qmd_address_shifted8{31, 0};
inline constexpr uint32_t qmd_address_shift = 8;
inline constexpr uint32_t send_signaling_pcas2_b = 0x02C0;

inline constexpr Field send_signaling_pcas2_b_pcas_action{3, 0};
inline constexpr Field send_signaling_pcas2_b_select{13, 8};
inline constexpr Field send_signaling_pcas2_b_offset_minus_one{23, 14};

// PCAS_ACTION values.
inline constexpr uint32_t pcas_action_nop = 0x0;
inline constexpr uint32_t pcas_action_invalidate = 0x1;
inline constexpr uint32_t pcas_action_schedule = 0x2;
inline constexpr uint32_t pcas_action_invalidate_copy_schedule = 0x3;  // launched on the H100 (NVK's choice), notes §5 [V]
inline constexpr uint32_t pcas_action_increment_put = 0x6;
inline constexpr uint32_t pcas_action_decrement_dependence = 0x7;
inline constexpr uint32_t pcas_action_prefetch = 0x8;
inline constexpr uint32_t pcas_action_prefetch_schedule = 0x9;                  // launched on the H100 (tinygrad's) [V]
inline constexpr uint32_t pcas_action_invalidate_prefetch_copy_schedule = 0xA;  // launched on the H100 (libcuda's) [V]
inline constexpr uint32_t pcas_action_invalidate_prefetch_copy_force_require_scheduling = 0xB;
inline constexpr uint32_t pcas_action_increment_dependence = 0xC;
inline constexpr uint32_t pcas_action_increment_cwd_ref_counter = 0xD;

// ---------------------------------------------------------------------------------------------
// Shared and local memory windows: where shared/local memory appear in the generic address space.
// On Hopper the shared window must be 4 GiB aligned (notes §5, after Mesa); the window then hides
// 4 GiB of global VA, so it must not overlap real allocations.
inline constexpr uint32_t set_shader_shared_memory_window_a = 0x02A0;  // BASE_ADDRESS_UPPER 16:0
inline constexpr uint32_t set_shader_shared_memory_window_b = 0x02A4;  // BASE_ADDRESS 31:0
inline constexpr uint32_t set_shader_local_memory_window_a = 0x07B0;   // BASE_ADDRESS_UPPER 16:0
inline constexpr uint32_t set_shader_local_memory_window_b = 0x07B4;   // BASE_ADDRESS 31:0
inline constexpr Field window_a_base_address_upper{16, 0};

// Local memory backing store (per-thread stack/spills).
inline constexpr uint32_t set_shader_local_memory_a = 0x0790;  // ADDRESS_UPPER 24:0
inline constexpr uint32_t set_shader_local_memory_b = 0x0794;  // ADDRESS_LOWER 31:0
inline constexpr Field set_shader_local_memory_a_address_upper{24, 0};
inline constexpr uint32_t set_shader_local_memory_non_throttled_a = 0x02E4;  // SIZE_UPPER 7:0
inline constexpr uint32_t set_shader_local_memory_non_throttled_b = 0x02E8;  // SIZE_LOWER 31:0 (bytes per TPC)
inline constexpr uint32_t set_shader_local_memory_non_throttled_c = 0x02EC;
inline constexpr Field non_throttled_a_size_upper{7, 0};
inline constexpr Field non_throttled_c_max_sm_count{8, 0};
inline constexpr Field non_throttled_c_max_plural_tpc_gpc_count{23, 16};     // CBC0 and later
inline constexpr Field non_throttled_c_max_singleton_tpc_gpc_count{31, 24};  // CBC0 and later

// ---------------------------------------------------------------------------------------------
// Cache invalidation.
inline constexpr uint32_t invalidate_shader_caches = 0x021C;  // waits for idle first
inline constexpr Field invalidate_shader_caches_instruction{0, 0};
inline constexpr Field invalidate_shader_caches_locks{1, 1};
inline constexpr Field invalidate_shader_caches_flush_data{2, 2};
inline constexpr Field invalidate_shader_caches_data{4, 4};
inline constexpr Field invalidate_shader_caches_constant{12, 12};
inline constexpr uint32_t invalidate_shader_caches_no_wfi = 0x1698;
inline constexpr Field invalidate_shader_caches_no_wfi_instruction{0, 0};
inline constexpr Field invalidate_shader_caches_no_wfi_global_data{4, 4};
inline constexpr Field invalidate_shader_caches_no_wfi_constant{12, 12};
inline constexpr uint32_t invalidate_texture_header_cache_no_wfi = 0x0244;
inline constexpr uint32_t invalidate_sked_caches = 0x0298;

}  // namespace hcq::nv::reg::compute
