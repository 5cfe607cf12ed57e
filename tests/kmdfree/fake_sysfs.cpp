#include "fake_sysfs.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace fs = std::filesystem;

namespace {
constexpr int bar_lines = 6;
constexpr int resource_lines = 13;  // BARs, ROM and bridge windows, as the kernel prints them
constexpr uint64_t fake_bar_base = 0xf000'0000;
constexpr uint64_t ioresource_mem = 0x200, ioresource_io = 0x100;
}  // namespace

FakeSysfs::FakeSysfs() {
  std::string tmpl = (fs::temp_directory_path() / "hcq-kmdfree-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  base_ = tmpl;
  fs::create_directories(base_ / "devices");
  fs::create_directories(base_ / "locks");
}

FakeSysfs::~FakeSysfs() {
  std::error_code ec;
  fs::remove_all(base_, ec);
}

void FakeSysfs::write(const std::string& path, const std::string& text) const { std::ofstream(path) << text; }

std::string FakeSysfs::read(const std::string& path) const {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void FakeSysfs::add(const FakeFunction& f) {
  std::string d = dir(f.bdf);
  fs::create_directories(d);
  write(d + "/vendor", fmt::format("0x{:04x}\n", f.vendor));
  write(d + "/device", fmt::format("0x{:04x}\n", f.device));
  write(d + "/class", fmt::format("0x{:06x}\n", f.class_code));
  write(d + "/revision", fmt::format("0x{:02x}\n", f.revision));
  write(d + "/subsystem_vendor", fmt::format("0x{:04x}\n", f.subsystem_vendor));
  write(d + "/subsystem_device", fmt::format("0x{:04x}\n", f.subsystem_device));
  write(d + "/enable", "0\n");
  if (f.reset_file) write(d + "/reset", "");
  if (!f.reset_method.empty()) write(d + "/reset_method", f.reset_method + "\n");

  std::string config(256, '\0');
  auto put = [&](size_t off, uint32_t v, int width) {
    for (int i = 0; i < width; ++i) config[off + i] = static_cast<char>(v >> (8 * i));
  };
  put(0x00, f.vendor, 2);
  put(0x02, f.device, 2);
  put(0x08, f.revision, 1);
  put(0x09, f.class_code, 3);
  put(0x2c, f.subsystem_vendor, 2);
  put(0x2e, f.subsystem_device, 2);
  write(d + "/config", config);

  std::string resource;
  for (int i = 0; i < resource_lines; ++i) {
    const FakeBar* bar = nullptr;
    for (const auto& b : f.bars) bar = (b.index == i && i < bar_lines) ? &b : bar;
    if (!bar) {
      resource += "0x0000000000000000 0x0000000000000000 0x0000000000000000\n";
      continue;
    }
    uint64_t start = fake_bar_base + static_cast<uint64_t>(i) * 0x100'0000;
    resource += fmt::format("0x{:016x} 0x{:016x} 0x{:016x}\n", start, start + bar->size - 1,
                            bar->memory ? ioresource_mem : ioresource_io);
    for (std::string name : {fmt::format("/resource{}", i), fmt::format("/resource{}_wc", i)}) {
      if (name.ends_with("_wc") && !bar->write_combining) continue;
      std::ofstream(d + name).close();
      fs::resize_file(d + name, bar->size);
    }
  }
  write(d + "/resource", resource);

  if (!f.driver.empty()) {
    fs::path drv = base_ / "drivers" / f.driver;
    fs::create_directories(drv);
    write((drv / "unbind").string(), "");
    fs::create_directory_symlink(drv, d + "/driver");
  }
}
