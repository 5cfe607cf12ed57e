// The am backend on a fresh gfx1100 model for the queue-side sim tests: AmDevice over am::Gpu over the
// simulated PCI function, with the model's CP (kept in last_cp for inspection) and SDMA engines.
#pragma once

#include <memory>

#include "am/device.hpp"
#include "am/sim/cp.hpp"
#include "hcq/hcq.hpp"

namespace amtest {

// The CP engine of the model opened last (owned by that model).
extern hcq::am::sim::Cp* last_cp;
std::shared_ptr<hcq::am::AmDevice> open_model_impl();
inline hcq::Device open_model() { return hcq::Device(open_model_impl()); }

}  // namespace amtest
