// hcq-run's output; see run_report.hpp.
#include "run_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace hcq_run {

namespace {

constexpr size_t shown_elements = 16;
constexpr int schema_version = 1;

size_t shown(const HostBuffer& b, bool full) { return full ? b.count() : std::min(b.count(), shown_elements); }

std::string dims(hcq::Dim3 d) { return fmt::format("{}x{}x{}", d.x, d.y, d.z); }
nlohmann::ordered_json dims_json(hcq::Dim3 d) { return {d.x, d.y, d.z}; }

template <class T>
T load(const std::byte* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

nlohmann::ordered_json element_json(const std::byte* bytes, Elem e, size_t index) {
  const std::byte* p = bytes + index * size_of(e);
  switch (e) {
    case Elem::u8: return load<uint8_t>(p);
    case Elem::u32: return load<uint32_t>(p);
    case Elem::i32: return load<int32_t>(p);
    case Elem::u64: return load<uint64_t>(p);
    case Elem::i64: return load<int64_t>(p);
    case Elem::f32: return load<float>(p);
    case Elem::f64: return load<double>(p);
  }
  return nullptr;
}

std::string buffer_text(const HostBuffer& b, bool full) {
  std::string out = fmt::format("{}[{}] =", to_string(b.type), b.count());
  size_t n = shown(b, full);
  for (size_t i = 0; i < n; ++i) out += " " + format_element(b.bytes.data(), b.type, i);
  if (n < b.count()) out += " ...";
  return out;
}

std::string time_text(const char* what, const std::vector<double>& us) {
  if (us.empty()) return fmt::format("{} n/a (the device has no timestamp clock)", what);
  Stats s = summarize(us);
  return fmt::format("{} min {:.1f} us, median {:.1f} us", what, s.min, s.median);
}

nlohmann::ordered_json time_json(const std::vector<double>& us) {
  if (us.empty()) return nullptr;
  Stats s = summarize(us);
  return {{"min", s.min}, {"median", s.median}, {"samples", us}};
}

nlohmann::ordered_json arg_json(const BoundArg& a, bool full) {
  nlohmann::ordered_json j = {{"name", a.info.name}, {"kind", hcq::to_string(a.info.kind)}, {"spec", a.spec}};
  if (!a.host) {
    auto bits = a.bits;
    j["value"] = element_json(reinterpret_cast<const std::byte*>(&bits), elem_of(a.info.kind), 0);
    return j;
  }
  const HostBuffer& b = *a.host;
  j["type"] = to_string(b.type);
  j["count"] = b.count();
  nlohmann::ordered_json values = nlohmann::ordered_json::array();
  for (size_t i = 0; i < shown(b, full); ++i) values.push_back(element_json(b.bytes.data(), b.type, i));
  j["values"] = std::move(values);
  j["truncated"] = shown(b, full) < b.count();
  return j;
}

nlohmann::ordered_json device_json(const hcq::Device& dev) {
  return {{"uri", dev.uri()}, {"name", dev.props().name}};
}

std::string kernel_extras(const hcq::KernelInfo& k) {
  std::string out = fmt::format("args {} B", k.args_size);
  if (k.shared_bytes) out += fmt::format(", shared {} B", k.shared_bytes);
  if (k.private_bytes) out += fmt::format(", private {} B", k.private_bytes);
  if (k.registers) out += fmt::format(", {} registers", k.registers);
  if (k.max_threads) out += fmt::format(", at most {} threads", k.max_threads);
  return out;
}

}  // namespace

Stats summarize(std::vector<double> samples) {
  if (samples.empty()) return {};
  std::sort(samples.begin(), samples.end());
  size_t n = samples.size();
  double median = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
  return {samples.front(), median};
}

void print_run(const RunReport& r) {
  fmt::print("{} on {} ({}): grid {}, block {}\n", signature(r.kernel), r.device.uri(), r.device.props().name,
             dims(r.launch.grid), dims(r.launch.block));
  size_t width = 0;
  for (const auto& a : r.args) width = std::max(width, a.info.name.size());
  for (const auto& a : r.args) {
    std::string value = a.host ? buffer_text(*a.host, r.full)
                               : fmt::format("{} = {}", hcq::to_string(a.info.kind),
                                             format_element(reinterpret_cast<const std::byte*>(&a.bits),
                                                            elem_of(a.info.kind)));
    fmt::print("  {:<{}} {}\n", a.info.name + ":", width + 1, value);
  }
  fmt::print("time over {} run(s): {}; {}\n", r.timing.wall_us.size(), time_text("device", r.timing.device_us),
             time_text("wall (submit+wait)", r.timing.wall_us));
}

nlohmann::ordered_json run_json(const RunReport& r) {
  nlohmann::ordered_json args = nlohmann::ordered_json::array();
  for (const auto& a : r.args) args.push_back(arg_json(a, r.full));
  return {
      {"schema_version", schema_version},
      {"device", device_json(r.device)},
      {"file", r.file},
      {"kernel", r.kernel.name},
      {"grid", dims_json(r.launch.grid)},
      {"block", dims_json(r.launch.block)},
      {"args", std::move(args)},
      {"timing",
       {{"runs", r.timing.wall_us.size()}, {"device_us", time_json(r.timing.device_us)}, {"wall_us", time_json(r.timing.wall_us)}}},
  };
}

void print_list(const hcq::Device& dev, const std::string& file, const std::vector<hcq::KernelInfo>& kernels) {
  fmt::print("{} on {}: {} kernel(s)\n", file, dev.uri(), kernels.size());
  size_t width = 0;
  for (const auto& k : kernels) width = std::max(width, signature(k).size());
  for (const auto& k : kernels) fmt::print("  {:<{}}  {}\n", signature(k), width, kernel_extras(k));
}

nlohmann::ordered_json list_json(const hcq::Device& dev, const std::string& file, const std::vector<hcq::KernelInfo>& kernels) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& k : kernels) {
    nlohmann::ordered_json args = nlohmann::ordered_json::array();
    for (const auto& a : k.args) args.push_back({{"name", a.name}, {"kind", hcq::to_string(a.kind)}, {"offset", a.offset}});
    list.push_back({{"name", k.name},
                    {"args", std::move(args)},
                    {"args_size", k.args_size},
                    {"shared_bytes", k.shared_bytes},
                    {"private_bytes", k.private_bytes},
                    {"registers", k.registers},
                    {"max_threads", k.max_threads}});
  }
  return {{"schema_version", schema_version}, {"device", device_json(dev)}, {"file", file}, {"kernels", std::move(list)}};
}

}  // namespace hcq_run
