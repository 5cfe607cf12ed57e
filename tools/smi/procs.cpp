// Who holds each device: every /proc/PID/fd link that points at one of the device's nodes, plus
// the holders of kmd-free device locks. PIDs are those of our own PID namespace (we read our
// /proc), which is what a user inside a container expects, unlike the driver-side lists.
#include <dirent.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <set>

#include <fmt/format.h>

#include "device_lock.hpp"
#include "readers.hpp"

namespace hcq::smi {

namespace {

// "Device Minor: 0" in /proc/driver/nvidia/gpus/<bdf>/information (the nvidia driver's procfs).
std::optional<int64_t> nvidia_minor(const Roots& roots, const std::string& bdf) {
  Read info = read_attr(roots.proc + "/driver/nvidia/gpus/" + bdf + "/information");
  if (!info.text) return std::nullopt;
  size_t at = info.text->find("Device Minor:");
  if (at == std::string::npos) return std::nullopt;
  size_t eol = info.text->find('\n', at);
  return parse_int(info.text->substr(at + 13, eol == std::string::npos ? std::string::npos : eol - at - 13));
}

std::string user_of(const Roots& roots, const std::string& pid) {
  Read status = read_attr(roots.proc + "/" + pid + "/status");
  if (!status.text) return "?";
  size_t at = status.text->find("\nUid:");
  if (at == std::string::npos) return "?";
  auto words = split_ws(std::string_view(*status.text).substr(at + 5, 32));
  auto uid = words.empty() ? std::nullopt : parse_int(words.front());
  if (!uid) return "?";
  passwd pw{}, *found = nullptr;
  char buf[1024];
  if (::getpwuid_r(static_cast<uid_t>(*uid), &pw, buf, sizeof(buf), &found) == 0 && found) return pw.pw_name;
  return std::to_string(*uid);
}

// The entry for `pid` on record `i`, filled with its name and user the first time.
Process& entry(const Roots& roots, std::map<std::pair<size_t, int64_t>, Process>& found, size_t i, int64_t pid) {
  auto [it, fresh] = found.try_emplace(std::pair{i, pid});
  Process& p = it->second;
  if (fresh) {
    p.pid = pid;
    Read comm = read_attr(roots.proc + "/" + std::to_string(pid) + "/comm");
    p.name = comm.text.value_or("?");
    p.user = user_of(roots, std::to_string(pid));
  }
  return p;
}

}  // namespace

void read_processes(const Context& ctx, std::vector<Record>& records) {
  const Roots& roots = ctx.roots;
  // Device node -> the records it belongs to.
  std::map<std::string, std::vector<size_t>> nodes;
  for (size_t i = 0; i < records.size(); ++i) {
    const Record& r = records[i];
    const std::string* drv = r.at(F::driver).text();
    std::string driver = drv ? *drv : "";
    if (r.vendor == Vendor::qualcomm) nodes["/dev/kgsl-3d0"].push_back(i);
    if (r.bdf.empty()) continue;
    std::string pci_dir = roots.sys + "/bus/pci/devices/" + r.bdf;
    if (r.vendor == Vendor::nvidia) {
      if (auto minor = nvidia_minor(roots, r.bdf)) nodes[fmt::format("/dev/nvidia{}", *minor)].push_back(i);
    }
    for (const auto& name : list_dir(pci_dir + "/drm")) {
      if (name.rfind("card", 0) == 0 || name.rfind("renderD", 0) == 0) nodes["/dev/dri/" + name].push_back(i);
    }
    if (driver == "amdgpu") nodes["/dev/kfd"].push_back(i);  // one node for every AMD GPU
  }
  // tt-kmd: /sys/class/tenstorrent/tenstorrent!N/device -> the PCI function; the node is /dev/tenstorrent/N.
  for (const auto& cls : list_dir(roots.sys + "/class/tenstorrent")) {
    auto bang = cls.find('!');
    if (bang == std::string::npos) continue;
    auto target = read_link(roots.sys + "/class/tenstorrent/" + cls + "/device");
    if (!target) continue;
    std::string bdf = target->substr(target->rfind('/') + 1);
    for (size_t i = 0; i < records.size(); ++i) {
      if (records[i].bdf == bdf) nodes["/dev/tenstorrent/" + cls.substr(bang + 1)].push_back(i);
    }
  }

  std::string self = std::to_string(::getpid());
  size_t unreadable = 0;
  // (record, pid) -> process, so a process holding several nodes of one device is listed once.
  std::map<std::pair<size_t, int64_t>, Process> found;
  for (const auto& pid : list_dir(roots.proc)) {
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (roots.live() && pid == self) continue;
    std::string fd_dir = roots.proc + "/" + pid + "/fd";
    DIR* d = ::opendir(fd_dir.c_str());
    if (!d) {
      if (errno == EACCES || errno == EPERM) ++unreadable;
      continue;
    }
    std::set<std::string> held;
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] == '.') continue;
      auto target = read_link(fd_dir + "/" + e->d_name);
      if (target && nodes.count(*target)) held.insert(*target);
    }
    ::closedir(d);
    for (const auto& node : held) {
      for (size_t i : nodes[node]) {
        Process& p = entry(roots, found, i, *parse_int(pid));
        p.node += (p.node.empty() ? "" : ",") + node;
      }
    }
  }
  // kmd-free: the lock's holder drives the device without a kernel driver, so no node is open.
  for (size_t i = 0; i < records.size(); ++i) {
    if (records[i].bdf.empty()) continue;
    std::string lock = kmdfree::lock_path(roots.locks, records[i].bdf);
    if (auto pid = kmdfree::lock_holder(roots.proc, lock)) {
      Process& p = entry(roots, found, i, *pid);
      p.node += (p.node.empty() ? "" : ",") + ("lock " + lock);
    }
  }
  for (auto& [key, p] : found) records[key.first].processes.push_back(std::move(p));
  for (auto& r : records) {
    r.processes_status = unreadable == 0
                             ? Value::of(std::string("complete"), "proc")
                             : Value::none(Missing::needs_root, "proc",
                                           fmt::format("{} processes' fds were unreadable; run as root to see them all", unreadable));
  }
}

}  // namespace hcq::smi
