#include "log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <unordered_map>

namespace hcq::log {
namespace {

struct Config {
  std::mutex mutex;
  spdlog::level::level_enum fallback = spdlog::level::warn;
  std::unordered_map<std::string, spdlog::level::level_enum> levels;
  spdlog::sink_ptr sink;
  std::unordered_map<std::string, Logger> loggers;
};

Config& config() {
  static Config c;
  return c;
}

// spdlog maps an unknown name to "off"; a typo in HCQ_LOG should not silence everything.
spdlog::level::level_enum parse_level(std::string_view name) {
  auto level = spdlog::level::from_str(std::string(name));
  if (level == spdlog::level::off && name != "off") {
    std::fprintf(stderr, "hcq: HCQ_LOG: unknown level '%.*s' (trace, debug, info, warn, err, critical, off); using warn\n",
                 static_cast<int>(name.size()), name.data());
    return spdlog::level::warn;
  }
  return level;
}

void parse_env(Config& c) {
  c.levels.clear();
  c.fallback = spdlog::level::warn;
  const char* env = std::getenv("HCQ_LOG");
  if (!env) return;
  std::string_view spec = env;
  while (!spec.empty()) {
    size_t comma = spec.find(',');
    std::string_view item = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view{} : spec.substr(comma + 1);
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      c.fallback = parse_level(item);
    } else {
      c.levels[std::string(item.substr(0, eq))] = parse_level(item.substr(eq + 1));
    }
  }
}

Config& ready() {
  Config& c = config();
  if (!c.sink) {
    c.sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    c.sink->set_pattern("[%H:%M:%S.%e] [%n] [%^%l%$] %v");
    parse_env(c);
  }
  return c;
}

spdlog::level::level_enum lookup(Config& c, std::string_view name, std::string_view subsystem) {
  if (auto it = c.levels.find(std::string(name)); it != c.levels.end()) return it->second;
  if (auto it = c.levels.find(std::string(subsystem)); it != c.levels.end()) return it->second;
  return c.fallback;
}

Logger make(Config& c, std::string_view name, std::string_view subsystem) {
  auto key = std::string(name);
  if (auto it = c.loggers.find(key); it != c.loggers.end()) return it->second;
  auto logger = std::make_shared<spdlog::logger>(key, c.sink);
  logger->set_level(lookup(c, name, subsystem));
  c.loggers.emplace(key, logger);
  return logger;
}

}  // namespace

Logger get(std::string_view subsystem) {
  Config& c = ready();
  std::lock_guard lock(c.mutex);
  return make(c, subsystem, subsystem);
}

Logger device(std::string_view subsystem, std::string_view device_name) {
  Config& c = ready();
  std::lock_guard lock(c.mutex);
  return make(c, device_name, subsystem);
}

spdlog::level::level_enum level_for(std::string_view name, std::string_view subsystem) {
  Config& c = ready();
  std::lock_guard lock(c.mutex);
  return lookup(c, name, subsystem);
}

void reload_env() {
  Config& c = ready();
  std::lock_guard lock(c.mutex);
  parse_env(c);
  c.loggers.clear();
}

}  // namespace hcq::log
