// Sim tests run against ttsim when HCQ_TTSIM names a libttsim.so. Catch2 v2 (Debian 12) has no
// SKIP, so a case without it says why in a warning and returns.
#pragma once

#include <cstdlib>
#include <string>

#include <catch2/catch.hpp>

#define TT_REQUIRE_TTSIM()                                                                                  \
  do {                                                                                                      \
    const char* sim_ = std::getenv("HCQ_TTSIM");                                                            \
    if (!sim_ || !*sim_) {                                                                                  \
      WARN("skipped: set HCQ_TTSIM to a libttsim.so built from tenstorrent/ttsim (./make.py :build)");      \
      return;                                                                                               \
    }                                                                                                       \
  } while (0)
