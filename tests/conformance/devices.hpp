// Which devices the conformance suite runs on, and the conformance kernels for each.
#pragma once

#include <string>
#include <vector>

#include "hcq/hcq.hpp"

namespace hcq::test {

// $HCQ_CONFORMANCE_DEVICES (comma list) if set; else every device hcq::devices() lists that is not
// real hardware, plus the cpu device in its 32-bit signal mode. Real hardware joins only with
// HCQ_TEST_HW=1 (the [hw] runs on the device machine).
std::vector<std::string> conformance_devices();

// The conformance kernels (vadd, fill_u32, axpb, reduce_sum, bump, trap) in the device's format.
Program conformance_program(Device& device);
std::string conformance_program_path(const Device& device);

}  // namespace hcq::test
