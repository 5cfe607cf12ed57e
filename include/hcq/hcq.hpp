// libhcq: one hardware-command-queue interface for every accelerator. Include this header.
#pragma once

#include "hcq/device.hpp"   // IWYU pragma: export
#include "hcq/error.hpp"    // IWYU pragma: export
#include "hcq/graph.hpp"    // IWYU pragma: export
#include "hcq/memory.hpp"   // IWYU pragma: export
#include "hcq/program.hpp"  // IWYU pragma: export
#include "hcq/queue.hpp"    // IWYU pragma: export
#include "hcq/signal.hpp"   // IWYU pragma: export
#include "hcq/version.hpp"  // IWYU pragma: export
