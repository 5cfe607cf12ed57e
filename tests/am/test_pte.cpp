// The gfx11 PTE codec (golden values from the bit positions of amdgpu_vm.h) and the page-table
// builder, checked by a walker written here from those facts alone (not the model's walker).
#include <catch2/catch.hpp>

#include <cstring>
#include <map>
#include <random>

#include "am/ip/page_table.hpp"
#include "am/registers/soc21_ih.hpp"
#include "hcq/error.hpp"

using namespace hcq;
using namespace hcq::am;

namespace {

// VRAM as a byte array; tables handed out from a bump pointer with a free list.
class FakeVram final : public PageTableMemory {
 public:
  explicit FakeVram(size_t bytes) : mem_(bytes) {}
  uint64_t alloc_table() override {
    uint64_t at;
    if (!free_.empty()) {
      at = free_.back();
      free_.pop_back();
    } else {
      at = next_;
      next_ += 4096;
    }
    std::memset(mem_.data() + at, 0, 4096);
    ++live;
    return at;
  }
  void free_table(uint64_t at) noexcept override {
    free_.push_back(at);
    --live;
  }
  uint64_t read_entry(uint64_t at) override {
    uint64_t v;
    std::memcpy(&v, mem_.data() + at, 8);
    return v;
  }
  void write_entry(uint64_t at, uint64_t v) override { std::memcpy(mem_.data() + at, &v, 8); }
  int live = 0;

 private:
  std::vector<uint8_t> mem_;
  std::vector<uint64_t> free_;
  uint64_t next_ = 0x10000;
};

// An independent 4-level walk: 9 index bits per level from VA bit 39 down, entries 8 bytes, bit 0
// valid, bits 47:12 the address, bit 54 marks a leaf in PDB1/PDB0.
struct Walked {
  bool mapped;
  uint64_t phys;
  int leaf_level;
  uint64_t entry;
};
Walked independent_walk(FakeVram& vram, uint64_t root, uint64_t va) {
  uint64_t table = root;
  for (int level = 0; level < 4; ++level) {
    int shift = 39 - 9 * level;
    uint64_t e = vram.read_entry(table + ((va >> shift) & 511) * 8);
    if (!(e & 1)) return {false, 0, level, e};
    uint64_t addr = e & 0x0000fffffffff000ull;
    bool leaf = level == 3 || (e >> 54 & 1);
    if (leaf) return {true, addr + (va & ((1ull << shift) - 1)), level, e};
    table = addr;
  }
  return {false, 0, -1, 0};
}

}  // namespace

TEST_CASE("pte: gfx11 encodings", "[am][pte]") {
  MapFlags rw;
  CHECK(pte::encode_leaf(pte::gfx11, 0x123456000, rw, 3, 0) == 0x123456061ull);  // valid|readable|writeable
  MapFlags ro{.writable = false, .executable = true};
  CHECK(pte::encode_leaf(pte::gfx11, 0x7000, ro, 3, 0) == 0x7031ull);  // valid|exec|readable
  MapFlags host{.uncached = true, .system = true, .snooped = true};
  // + system (bit 1), snooped (bit 2), MTYPE UC (3) at bits 50:48, fragment 4 at bits 11:7.
  CHECK(pte::encode_leaf(pte::gfx11, 0x800000001000ull, host, 3, 4) == 0x0003800000001267ull);
  // A 2 MiB leaf in PDB0: PDE_PTE (bit 54), fragment 9.
  CHECK(pte::encode_leaf(pte::gfx11, 0x40200000, rw, 2, 9) == 0x00400000402004e1ull);
  CHECK(pte::encode_pde(pte::gfx11, 0x5000) == 0x5001ull);
  // Address bits past 47 never leak into the entry.
  CHECK((pte::encode_pde(pte::gfx11, 0xfff0'0000'0000'5000ull) & ~0x0000fffffffff001ull) == 0);
  auto d = pte::decode(pte::gfx11, 0x0003800000001267ull, 3);
  CHECK((d.valid && d.system && d.snooped && d.readable && d.writeable && !d.executable));
  CHECK(d.mtype == 3);
  CHECK(d.frag == 4);
  CHECK(d.address == 0x800000001000ull);
}

TEST_CASE("page table: mappings agree with an independent walker", "[am][pte]") {
  FakeVram vram(64 << 20);
  PageTable pt(pte::gfx11, vram, "am test");
  struct Range {
    uint64_t va, phys, size;
  };
  const Range ranges[] = {
      {0x0000'1000, 0x0300'0000, 0x3000},         // three 4 KiB pages, unaligned VA
      {0x0040'0000, 0x0460'0000, 4 << 20},        // 2 MiB aligned both sides: two PDB0 leaves
      {0x0100'0000 + (1 << 20), 0x0900'0000 + (1 << 20), 3 << 20},  // 1 MiB in: 4 KiB pages, then one 2 MiB leaf
      {0x7f'ffe0'0000, 0x0a00'0000, 0x10000},     // near the top of a PDB1 table
  };
  for (const Range& r : ranges) pt.map(r.va, r.phys, r.size, {});
  std::mt19937_64 rng(7);
  for (const Range& r : ranges) {
    for (int i = 0; i < 200; ++i) {
      uint64_t o = rng() % r.size;
      Walked w = independent_walk(vram, pt.root(), r.va + o);
      INFO("va " << std::hex << r.va + o);
      REQUIRE(w.mapped);
      CHECK(w.phys == r.phys + o);
      CHECK(pt.lookup(r.va + o).phys == r.phys + o);
    }
  }
  // 2 MiB leaves where both sides are aligned, 4 KiB pages elsewhere.
  CHECK(independent_walk(vram, pt.root(), 0x0040'0000).leaf_level == 2);
  CHECK(independent_walk(vram, pt.root(), 0x0100'0000 + (1 << 20)).leaf_level == 3);
  CHECK(independent_walk(vram, pt.root(), 0x0120'0000).leaf_level == 2);
  // Fragments: the 64 KiB range is 64 KiB aligned on both sides: 16 pages, fragment 4.
  CHECK(((independent_walk(vram, pt.root(), 0x7f'ffe0'0000).entry >> 7) & 0x1f) == 4);
  // Outside every range: nothing.
  CHECK_FALSE(independent_walk(vram, pt.root(), 0x0000'0000).mapped);
  CHECK_FALSE(independent_walk(vram, pt.root(), 0x0000'4000).mapped);
  CHECK_FALSE(independent_walk(vram, pt.root(), 0x0080'0000).mapped);
}

TEST_CASE("page table: refusals and unmap", "[am][pte]") {
  FakeVram vram(16 << 20);
  PageTable pt(pte::gfx11, vram, "am test");
  pt.map(0x20'0000, 0x40'0000, 2 << 20, {});
  CHECK_THROWS_AS(pt.map(0x20'1000, 0x80'0000, 0x1000, {}), Error);  // inside the huge leaf
  CHECK_THROWS_AS(pt.map(0x1234, 0x5000, 0x1000, {}), Error);         // misaligned
  CHECK_THROWS_AS(pt.map(1ull << 48, 0, 0x1000, {}), Error);          // outside 48 bits
  try {
    pt.map(0x20'0000, 0x60'0000, 0x1000, {});
    FAIL("double map accepted");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::invalid_argument);
    CHECK(e.block() == "GMC");
    CHECK_THAT(e.detail(), Catch::Contains("0x200000") && Catch::Contains("already mapped"));
  }
  pt.map(0x1000'0000, 0x90'0000, 0x2000, {});
  int before = vram.live;
  pt.unmap(0x1000'0000, 0x2000);
  CHECK_FALSE(independent_walk(vram, pt.root(), 0x1000'0000).mapped);
  CHECK(vram.live < before);  // the emptied PTB and PDB0 tables went back
  pt.unmap(0x20'0000, 2 << 20);
  CHECK(vram.live == 1);  // only the root is left
  CHECK(pt.tables() == 1);
}

TEST_CASE("ih: VM fault address decoding", "[am][ih]") {
  // src_data[0] holds address bits 43:12, src_data[1] bits 3:0 hold 47:44 (gmc_v11_0_process_interrupt).
  CHECK(ih::fault_address(0x12345, 0x3) == 0x3000'1234'5000ull);
  CHECK(ih::fault_address(0xffffffff, 0xf) == 0xffff'ffff'f000ull);
  uint32_t dw0 = ih::dw0(ih::client_gfx, ih::src_utcl2_fault, 0, 5);
  CHECK(dw0 == 0x0500000a);
  CHECK(ih::client_of(dw0) == 10);
  CHECK(ih::vmid_of(dw0) == 5);
}
