// See model_device.hpp.
#include "model_device.hpp"

#include "am/sim/model.hpp"
#include "am/sim/sdma.hpp"
#include "kmd-free/pci_open.hpp"

namespace amtest {

hcq::am::sim::Cp* last_cp = nullptr;

std::shared_ptr<hcq::am::AmDevice> open_model_impl() {
  hcq::am::sim::register_gfx1100();
  hcq::am::sim::add_engine_factory("cp", [](hcq::am::sim::Context& c) {
    auto e = std::make_unique<hcq::am::sim::Cp>(c);
    last_cp = e.get();
    return e;
  });
  hcq::am::sim::add_engine_factory("sdma0", hcq::am::sim::sdma_factory());
  auto uri = hcq::detail::parse_uri("sim:gfx1100");
  return std::make_shared<hcq::am::AmDevice>(uri, hcq::kmdfree::open_pci("sim:gfx1100"), true);
}

}  // namespace amtest
