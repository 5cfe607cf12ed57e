// hcq-smi's readers: discovery puts one Record per accelerator together from the PCI bus (or
// KGSL), then each vendor reader adds what its driver's interfaces say, then the process scan
// adds who holds each device. Readers never change device state and never load firmware.
#pragma once

#include <string>
#include <vector>

#include "fs.hpp"
#include "model.hpp"
#include "pci.hpp"

namespace hcq::am {
class Gpu;
}

namespace hcq::smi {

struct Context {
  Roots roots;
  std::string nvml_path;    // NVML library to dlopen ("" = libnvidia-ml.so.1 from the loader path)
  bool use_nvml = true;
  bool use_rm = true;       // open NVIDIA GPUs through the RM (live machine only)
  bool simulated = false;   // --sim: add libhcq's simulated devices
};

// All accelerators, in a stable order: PCI devices by BDF, then KGSL, then simulated ones.
// `problems` collects observations that are not about one device (an unreadable pci.ids, a
// sysfs entry with no ids).
std::vector<Record> discover(const Context& ctx, std::vector<std::string>* problems);

// Vendor readers (one file each). They fill what they can and leave the reason for the rest.
// amdgpu.cpp: the amdgpu kernel driver's sysfs/hwmon (and the KFD topology for the gfx target).
void read_amdgpu(const Context& ctx, const PciFunction& f, Record& r);
// tenstorrent.cpp: tt-kmd's class attributes (/sys/class/tenstorrent/tenstorrent!N) and hwmon.
void read_tenstorrent(const Context& ctx, const PciFunction& f, Record& r);
// tenstorrent.cpp, --sim: the ttsim chip HCQ_TTSIM names, with its ARC telemetry (none without it).
void read_ttsim(std::vector<Record>& out, std::vector<std::string>* problems);
// amsim.cpp, --sim: the AMD gfx1100 device model (`uri` "sim:gfx1100") opened through am/, with
// its SMU metrics and DPM levels as on a card without its kernel driver.
void read_am_sim(const std::string& uri, Record& r, std::vector<std::string>* problems);
// amsim.cpp: what the SMU of a brought-up am::Gpu reports (metrics table, DPM levels), with source
// "SMU"; throws hcq::Error when the SMU does not answer. Only in builds with the am backend.
void read_am_gpu(am::Gpu& gpu, Record& r);
// kgsl.cpp: an Adreno GPU under /sys/class/kgsl/kgsl-3d0; nullopt when there is none.
std::optional<Record> read_kgsl(const Context& ctx);
// nvidia.cpp: the RM (our nv interface, no CUDA) for every NVIDIA GPU the nvidia driver owns,
// then NVML for what the open RM interface does not expose; both only on the live machine.
void read_nvidia(const Context& ctx, std::vector<Record*>& gpus);
// Fields every hwmon directory under a PCI device can give (temp, power, fan), with `source`
// "hwmon"; shared by the amdgpu and tenstorrent readers.
void read_hwmon(const std::string& pci_dir, Record& r);

// procs.cpp: who holds each device: /proc/*/fd links to the device's nodes (/dev/nvidiaN,
// /dev/dri/*, /dev/kfd, /dev/tenstorrent/N, /dev/kgsl-3d0) and kmd-free lock holders.
void read_processes(const Context& ctx, std::vector<Record>& records);

}  // namespace hcq::smi
