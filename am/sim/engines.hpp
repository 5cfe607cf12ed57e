// The queue side's engines of the gfx1100 model (cp.cpp, sdma.cpp), registered with the model
// by name ("cp", "sdma0") so that every model built afterwards runs them.
#pragma once

namespace hcq::am::sim {

// Idempotent; the "sim" scheme of the am backend calls it before it builds a model.
void register_queue_engines();

}  // namespace hcq::am::sim
