// NVIDIA GPU generations as data: which RM classes each one uses and how its launch descriptor
// (QMD) and constant bank look. The device picks its row from the class list the kernel reports
// (NV0080_CTRL_CMD_GPU_GET_CLASSLIST_V2): no generation checks elsewhere in the backend.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace hcq::nv {

struct Chip {
  const char* family;       // "Hopper"
  uint32_t compute_class;   // the row matches when the kernel lists this class
  uint32_t copy_class;
  uint32_t gpfifo_class;
  uint32_t usermode_class;
  uint8_t qmd_major;        // QMD layout version (nv/pkt/qmd.hpp)
  uint8_t async_copy;       // the copy engine (COPYn) copy queues run on: one outside the graphics runlist
  bool verified;            // run end to end on real hardware (docs/nv.md says where)
};

// The row for a GPU whose kernel lists `classes`, or nullptr when none matches; `missing`
// then says which classes were looked for.
const Chip* select_chip(std::span<const uint32_t> classes, std::string* missing);

}  // namespace hcq::nv
