// Registers the CP and SDMA engines with the gfx1100 model (see engines.hpp).
#include "am/sim/engines.hpp"

#include "am/sim/cp.hpp"
#include "am/sim/model.hpp"
#include "am/sim/sdma.hpp"

namespace hcq::am::sim {

void register_queue_engines() {
  add_engine_factory("cp", cp_factory());
  add_engine_factory("sdma0", sdma_factory());
}

}  // namespace hcq::am::sim
