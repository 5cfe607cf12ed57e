// Copy engine methods (HOPPER_DMA_COPY_A, C8B5) for linear copies and semaphore releases.
//
// Source: open-gpu-doc classes/dma-copy/clc8b5.h (offsets and fields below; the same offsets
// are in open-gpu-kernel-modules class/clc8b5.h, which lacks SET_SEMAPHORE_PAYLOAD_UPPER).
#pragma once

#include <cstdint>

#include "registers/field.hpp"

namespace hcq::nv::reg::copy {

inline constexpr uint32_t set_semaphore_a = 0x0240;  // UPPER 24:0 (VA 56:32)
inline constexpr uint32_t set_semaphore_b = 0x0244;  // LOWER 31:0
inline constexpr uint32_t set_semaphore_payload = 0x0248;
inline constexpr uint32_t set_semaphore_payload_upper = 0x024C;  // used with SEMAPHORE_PAYLOAD_SIZE TWO_WORD
inline constexpr Field set_semaphore_a_upper{24, 0};

inline constexpr uint32_t launch_dma = 0x0300;

inline constexpr uint32_t offset_in_upper = 0x0400;  // UPPER 24:0
inline constexpr uint32_t offset_in_lower = 0x0404;
inline constexpr uint32_t offset_out_upper = 0x0408;  // UPPER 24:0
inline constexpr uint32_t offset_out_lower = 0x040C;
inline constexpr uint32_t pitch_in = 0x0410;
inline constexpr uint32_t pitch_out = 0x0414;
inline constexpr uint32_t line_length_in = 0x0418;  // bytes per line for a pitch copy (32 bits)
inline constexpr uint32_t line_count = 0x041C;
inline constexpr Field offset_upper{24, 0};

inline constexpr Field launch_dma_data_transfer_type{1, 0};
inline constexpr uint32_t launch_dma_data_transfer_type_none = 0;
inline constexpr uint32_t launch_dma_data_transfer_type_pipelined = 1;
inline constexpr uint32_t launch_dma_data_transfer_type_non_pipelined = 2;
inline constexpr Field launch_dma_flush_enable{2, 2};
inline constexpr Field launch_dma_semaphore_type{4, 3};
inline constexpr uint32_t launch_dma_semaphore_type_none = 0;
inline constexpr uint32_t launch_dma_semaphore_type_release_one_word = 1;
inline constexpr uint32_t launch_dma_semaphore_type_release_four_word = 2;  // payload at +0, timestamp at +8
inline constexpr uint32_t launch_dma_semaphore_type_release_conditional_intr = 3;
inline constexpr Field launch_dma_interrupt_type{6, 5};  // NONE 0, BLOCKING 1, NON_BLOCKING 2
inline constexpr Field launch_dma_src_memory_layout{7, 7};
inline constexpr Field launch_dma_dst_memory_layout{8, 8};
inline constexpr uint32_t launch_dma_memory_layout_blocklinear = 0;
inline constexpr uint32_t launch_dma_memory_layout_pitch = 1;
inline constexpr Field launch_dma_multi_line_enable{9, 9};
inline constexpr Field launch_dma_remap_enable{10, 10};
inline constexpr Field launch_dma_src_type{12, 12};  // VIRTUAL 0, PHYSICAL 1
inline constexpr Field launch_dma_dst_type{13, 13};
inline constexpr Field launch_dma_semaphore_reduction{17, 14};
inline constexpr Field launch_dma_semaphore_reduction_sign{18, 18};
inline constexpr Field launch_dma_semaphore_reduction_enable{19, 19};
inline constexpr Field launch_dma_flush_type{25, 25};  // SYS 0, GL 1
inline constexpr Field launch_dma_semaphore_payload_size{27, 27};
inline constexpr uint32_t launch_dma_semaphore_payload_size_one_word = 0;
inline constexpr uint32_t launch_dma_semaphore_payload_size_two_word = 1;

// Whole LAUNCH_DMA words.
// A linear copy (pitch layouts, one line of LINE_LENGTH_IN bytes, virtual addresses, flush).
// NON_PIPELINED waits for the previous transfer; 0x186 copied 4 KiB on the H100 (notes §4 [V]).
inline constexpr uint32_t launch_dma_linear_non_pipelined =
    launch_dma_data_transfer_type(launch_dma_data_transfer_type_non_pipelined) | launch_dma_flush_enable(1) |
    launch_dma_src_memory_layout(launch_dma_memory_layout_pitch) | launch_dma_dst_memory_layout(launch_dma_memory_layout_pitch);
inline constexpr uint32_t launch_dma_linear_pipelined =
    launch_dma_data_transfer_type(launch_dma_data_transfer_type_pipelined) | launch_dma_flush_enable(1) |
    launch_dma_src_memory_layout(launch_dma_memory_layout_pitch) | launch_dma_dst_memory_layout(launch_dma_memory_layout_pitch);
// No transfer, only a four-word release (64-bit payload at +0, timestamp at +8) after a flush:
// 0x08000014 on the H100 (notes §4 [V]).
inline constexpr uint32_t launch_dma_release64 =
    launch_dma_data_transfer_type(launch_dma_data_transfer_type_none) | launch_dma_flush_enable(1) |
    launch_dma_semaphore_type(launch_dma_semaphore_type_release_four_word) |
    launch_dma_semaphore_payload_size(launch_dma_semaphore_payload_size_two_word);
static_assert(launch_dma_linear_non_pipelined == 0x186u && launch_dma_release64 == 0x08000014u);

}  // namespace hcq::nv::reg::copy
