// tt-kmd transport without a device: the ABI's argument structs as the driver reads them, and
// requests refused before they reach an ioctl. (Hardware runs are not possible here: docs/tt.md.)
#include <catch2/catch.hpp>

#include <cstring>

#include "chips.hpp"
#include "hcq/error.hpp"
#include "iface/ttkmd.hpp"

using namespace hcq::tt;

TEST_CASE("ttkmd: ioctl numbers are _IO(0xFA, n)", "[tt][ttkmd]") {
  CHECK(kmd::get_device_info == 0xFA00);
  CHECK(kmd::allocate_tlb == 0xFA0B);
  CHECK(kmd::configure_tlb == 0xFA0D);
  CHECK(kmd::set_power_state == 0xFA0F);
}

TEST_CASE("ttkmd: CONFIGURE_TLB argument from a window config", "[tt][ttkmd]") {
  const ChipTable& wh = wormhole_b0();
  TlbConfig c = TlbConfig::multicast({1, 2}, {9, 11}, 0x200000, Ordering::posted);
  kmd::NocTlbConfig k = ttkmd_detail::noc_tlb_config(wh, wh.tlb.kinds[1], c);
  CHECK(k.addr == 0x200000);
  CHECK(k.x_start == 1);
  CHECK(k.y_start == 2);
  CHECK(k.x_end == 9);
  CHECK(k.y_end == 11);
  CHECK(k.mcast == 1);
  CHECK(k.ordering == 2);  // posted
  CHECK(k.static_vc == 0);
  uint8_t zero[sizeof k.reserved0] = {};
  CHECK(std::memcmp(k.reserved0, zero, sizeof zero) == 0);
}

TEST_CASE("ttkmd: bad window configs never reach the driver", "[tt][ttkmd]") {
  const ChipTable& bh = blackhole();
  TlbConfig vc = TlbConfig::unicast({1, 2}, 0);
  vc.static_vc = 1;
  CHECK_THROWS_AS(ttkmd_detail::noc_tlb_config(bh, bh.tlb.kinds[0], vc), hcq::Error);
  CHECK_THROWS_AS(ttkmd_detail::noc_tlb_config(bh, bh.tlb.kinds[0], TlbConfig::unicast({1, 2}, 0x1000)), hcq::Error);
}

TEST_CASE("ttkmd: power request and PCI name", "[tt][ttkmd]") {
  kmd::PowerState p = ttkmd_detail::power_request(kmd::power_tensix_enable | kmd::power_max_ai_clk);
  CHECK(p.argsz == 40);
  CHECK(p.validity == 0x04);  // TT_POWER_VALIDITY(4 flags, 0 settings)
  CHECK(p.power_flags == 0x5);
  CHECK(p.flags == 0);
  kmd::GetDeviceInfo::Out info{};
  info.pci_domain = 1;
  info.bus_dev_fn = (0x3B << 8) | (0x1F << 3) | 0x2;
  CHECK(ttkmd_detail::pci_name(info) == "0001:3b:1f.2");
  CHECK(ttkmd_detail::device_node(3) == "/dev/tenstorrent/3");
}

TEST_CASE("ttkmd: a missing device node is not_found with what to do", "[tt][ttkmd]") {
  try {
    open_chip("tt:4095");
    FAIL("opened");
  } catch (const hcq::Error& e) {
    CHECK(e.code() == hcq::Errc::not_found);
    CHECK_THAT(e.what(), Catch::Contains("/dev/tenstorrent/4095"));
    CHECK_THAT(e.what(), Catch::Contains("modprobe"));
  }
  CHECK_THROWS_AS(open_chip("tt:nonsense"), hcq::Error);
}

TEST_CASE("open: a simulator path that is not a libttsim.so is refused with what to do", "[tt][open]") {
  try {
    open_chip("tt:ttsim:/nonexistent/libttsim.so");
    FAIL("opened");
  } catch (const hcq::Error& e) {
    CHECK(e.code() == hcq::Errc::not_found);
    CHECK_THAT(e.what(), Catch::Contains("make.py"));
  }
  // A real shared library without the libttsim entry points.
  try {
    open_chip("tt:ttsim:libc.so.6");
    FAIL("opened");
  } catch (const hcq::Error& e) {
    CHECK(e.code() == hcq::Errc::not_found);
    CHECK_THAT(e.what(), Catch::Contains("libttsim_"));
  }
}
