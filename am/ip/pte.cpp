#include "pte.hpp"

#include <fmt/format.h>

namespace hcq::am::pte {

const char* level_name(unsigned level) {
  static constexpr const char* names[] = {"PDB2", "PDB1", "PDB0", "PTB"};
  return level < levels ? names[level] : "?";
}

uint64_t encode_pde(const Layout&, uint64_t table) { return (table & address_mask) | valid; }

uint64_t encode_leaf(const Layout& l, uint64_t phys, const MapFlags& f, unsigned level, unsigned frag) {
  uint64_t e = (phys & address_mask) | valid | readable;
  if (f.writable) e |= writeable;
  if (f.executable) e |= executable;
  if (f.system) e |= system;
  if (f.snooped) e |= snooped;
  e |= (uint64_t(frag) << frag_shift) & frag_mask;
  e |= ((f.uncached ? l.mtype_uc : l.mtype_default) & l.mtype_mask) << l.mtype_shift;
  if (level + 1 < levels) e |= l.leaf_in_pde;
  return e;
}

Decoded decode(const Layout& l, uint64_t e, unsigned level) {
  Decoded d;
  d.valid = e & valid;
  d.leaf = level + 1 == levels || (e & l.leaf_in_pde);
  d.system = e & system;
  d.snooped = e & snooped;
  d.readable = e & readable;
  d.writeable = e & writeable;
  d.executable = e & executable;
  d.frag = unsigned((e & frag_mask) >> frag_shift);
  d.mtype = unsigned((e >> l.mtype_shift) & l.mtype_mask);
  d.address = e & address_mask;
  return d;
}

std::string describe(const Layout& l, uint64_t e, unsigned level) {
  Decoded d = decode(l, e, level);
  if (!d.valid) return fmt::format("{} invalid ({:#x})", level_name(level), e);
  if (!d.leaf) return fmt::format("{} table {:#x}", level_name(level), d.address);
  return fmt::format("{} leaf {:#x} {}{}{} {} frag {} mtype {}", level_name(level), d.address, d.readable ? 'R' : '-',
                     d.writeable ? 'W' : '-', d.executable ? 'X' : '-', d.system ? (d.snooped ? "system snooped" : "system")
                                                                                 : "vram",
                     d.frag, d.mtype);
}

}  // namespace hcq::am::pte
