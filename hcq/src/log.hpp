// Logging: one spdlog logger per subsystem ("hcq", "cpu", "am", "nv", "tt", "qcom", "fw"), and a
// child per device ("cpu:0", "am 0000:03:00.0") that shares the sinks and takes its level from
// HCQ_LOG. HCQ_LOG is a comma list of `level` (all loggers) or `name=level`; a device child is
// matched by its own name first, then by its subsystem: HCQ_LOG=warn,am=trace,cpu:1=debug.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <string_view>

namespace hcq::log {

using Logger = std::shared_ptr<spdlog::logger>;

Logger get(std::string_view subsystem);
Logger device(std::string_view subsystem, std::string_view device_name);
// Level HCQ_LOG gives `name` (falling back to `subsystem`, then the default "warn").
spdlog::level::level_enum level_for(std::string_view name, std::string_view subsystem);
// Re-reads HCQ_LOG (tests change it); existing loggers keep their level.
void reload_env();

}  // namespace hcq::log
