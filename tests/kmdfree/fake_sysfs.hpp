// A fake /sys/bus/pci/devices tree in a temp dir: regular files stand in for the attributes
// (config, resource, resourceN can be pread/pwritten and mmapped like the real ones).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

struct FakeBar {
  int index;
  uint64_t size;
  bool memory = true;
  bool write_combining = false;  // adds resourceN_wc
};

struct FakeFunction {
  std::string bdf = "0000:03:00.0";
  uint16_t vendor = 0x1002, device = 0x744c, subsystem_vendor = 0x1da2, subsystem_device = 0xe471;
  uint8_t revision = 0xc8;
  uint32_t class_code = 0x030000;
  std::vector<FakeBar> bars;
  std::string driver;            // "amdgpu": a driver link to <root>/../drivers/amdgpu
  bool reset_file = true;
  std::string reset_method;      // content of reset_method; empty: no such file
};

class FakeSysfs {
 public:
  FakeSysfs();
  ~FakeSysfs();
  FakeSysfs(const FakeSysfs&) = delete;
  FakeSysfs& operator=(const FakeSysfs&) = delete;

  std::string root() const { return (base_ / "devices").string(); }
  std::string locks() const { return (base_ / "locks").string(); }
  std::string base() const { return base_.string(); }
  std::string dir(const std::string& bdf) const { return root() + "/" + bdf; }
  void add(const FakeFunction& f);
  std::string read(const std::string& path) const;
  void write(const std::string& path, const std::string& text) const;

 private:
  std::filesystem::path base_;
};
