// open_pci: one spec string to a transport.
#include "pci_open.hpp"

#include <fmt/format.h>

#include "hcq/error.hpp"
#include "pci_sim.hpp"

namespace hcq::kmdfree {

namespace {

constexpr std::string_view vfio_prefix = "vfio:";
constexpr std::string_view sim_prefix = "sim:";

PciAddress parse_or_throw(std::string_view spec, std::string_view text) {
  auto address = PciAddress::parse(text);
  if (!address) {
    throw Error(Errc::invalid_argument, std::string(spec), "pci",
                fmt::format("'{}' is not a PCI address (expected dddd:bb:dd.f or bb:dd.f, as lspci -D prints)", text));
  }
  return *address;
}

// "sim:<model>[,key=value...]"
std::unique_ptr<PciDevice> open_sim_spec(std::string_view spec) {
  std::string_view rest = spec.substr(sim_prefix.size());
  std::string_view name = rest.substr(0, rest.find(','));
  std::vector<std::pair<std::string, std::string>> options;
  for (size_t pos = name.size(); pos < rest.size();) {
    size_t next = rest.find(',', pos + 1);
    std::string_view item = rest.substr(pos + 1, next == std::string_view::npos ? std::string_view::npos : next - pos - 1);
    size_t eq = item.find('=');
    if (item.empty() || eq == 0) throw Error(Errc::invalid_argument, std::string(spec), "sim", fmt::format("bad model option '{}' (key=value)", item));
    options.emplace_back(std::string(item.substr(0, eq)), eq == std::string_view::npos ? "" : std::string(item.substr(eq + 1)));
    pos = next == std::string_view::npos ? rest.size() : next;
  }
  std::string known;
  for (const auto& m : sim_models()) {
    if (m.name == name) return open_sim(m.create(options));
    known += (known.empty() ? "" : ", ") + m.name;
  }
  throw Error(Errc::not_found, std::string(spec), "sim",
              fmt::format("no device model '{}' (registered: {})", name, known.empty() ? "none" : known));
}

}  // namespace

std::unique_ptr<PciDevice> open_pci(std::string_view spec, const OpenOptions& options) {
  if (spec.starts_with(vfio_prefix)) return open_vfio(parse_or_throw(spec, spec.substr(vfio_prefix.size())), options);
  if (spec.starts_with(sim_prefix)) return open_sim_spec(spec);
  return open_sysfs(parse_or_throw(spec, spec), options);
}

}  // namespace hcq::kmdfree
