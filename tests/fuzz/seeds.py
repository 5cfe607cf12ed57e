#!/usr/bin/env python3
"""Writes the seed corpora of the firmware fuzz targets from the installed firmware.

Usage: seeds.py OUT_DIR. Creates OUT_DIR/<target>/ for every target of tests/fuzz/run.sh. Seeds are
the real blobs, found on the firmware search path ($HCQ_FIRMWARE_PATH, /lib/firmware/updates,
/lib/firmware, /usr/lib/firmware); the GSP ELF's 36 MiB image section is cut to 4 KiB (section table,
version and signatures kept) so that the fuzzer runs fast. Exits 1 when the firmware is not installed.
"""
import glob
import hashlib
import lzma
import os
import re
import shutil
import struct
import subprocess
import sys

FAMILIES = ("gc_9_4_3_", "gc_11_", "gc_12_", "psp_13_", "psp_14_", "smu_13_", "smu_14_", "sdma_4_4_2", "sdma_6_",
            "sdma_7_", "vcn_4_", "vcn_5_", "dcn_3_2_", "dcn_4_")


def installed(pattern):
    dirs = [d for d in os.environ.get("HCQ_FIRMWARE_PATH", "").split(":") if d]
    dirs += ["/lib/firmware/updates", "/lib/firmware", "/usr/lib/firmware"]
    seen, out = set(), []
    for root in dirs:
        for path in sorted(glob.glob(os.path.join(root, pattern))):
            real = os.path.realpath(path)
            if real not in seen:
                seen.add(real)
                out.append(path)
    return out


def put(out_dir, data):
    with open(os.path.join(out_dir, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def shrink_gsp(b, keep=4096):
    """The same ELF with .fwimage cut to `keep` bytes and every section packed after the header."""
    shoff, = struct.unpack_from("<Q", b, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", b, 0x3a)
    shdrs = [list(struct.unpack_from("<IIQQQQIIQQ", b, shoff + i * shentsize)) for i in range(shnum)]
    names = shdrs[shstrndx]
    strtab = b[names[4]:names[4] + names[5]]
    out = bytearray(b[:64])
    for s in shdrs:
        if s[1] in (0, 8):  # SHT_NULL, SHT_NOBITS
            continue
        data = b[s[4]:s[4] + s[5]]
        if strtab[s[0]:strtab.index(b"\0", s[0])] == b".fwimage":
            data = data[:keep]
        s[4], s[5] = len(out), len(data)
        out += data
    struct.pack_into("<Q", out, 0x28, len(out))
    for s in shdrs:
        out += struct.pack("<IIQQQQIIQQ", *s)
    return bytes(out)


def raw_zstd_frame(data):
    """A zstd frame with one raw block (RFC 8878): magic, single-segment header, block header, data."""
    assert len(data) < 256
    header = bytes([0x20, len(data)])  # Single_Segment_flag, 1-byte Frame_Content_Size
    block = (1 | (len(data) << 3)).to_bytes(3, "little")  # Last_Block, Raw_Block
    return b"\x28\xb5\x2f\xfd" + header + block + data


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    out = argv[1]
    shutil.rmtree(out, ignore_errors=True)
    targets = ["amdgpu", "nvidia_gsp", "nvidia_bin", "qcom", "describe", "decompress"]
    for t in targets:
        os.makedirs(os.path.join(out, t))
    amd = [p for p in installed("amdgpu/*.bin") if os.path.basename(p).startswith(FAMILIES)]
    gsp = installed("nvidia/*/gsp/gsp-*.bin")
    bins = installed("nvidia/*/gsp/booter_*.bin") + installed("nvidia/*/gsp/bootloader-*.bin")
    qcom = installed("qcom/*_sqe.fw") + installed("qcom/*_gmu.bin")
    if not (amd and gsp and bins and qcom):
        print("seeds: the firmware packages are not installed: run tools/install-deps.sh")
        return 1
    # One amdgpu seed per file role and header version, the smallest: few, small seeds keep the
    # fuzzer fast while every header layout is in the corpus.
    best = {}
    for p in amd:
        data = open(p, "rb").read()
        match = re.fullmatch(r"([a-z]+)_[0-9_]*?([a-z][a-z0-9_]*)?\.bin", os.path.basename(p))
        role = (match.group(2) or match.group(1)) if match else os.path.basename(p)
        key = (role, data[8:12])
        if key not in best or len(data) < len(best[key]):
            best[key] = data
    small = sorted(best.values(), key=len)
    for data in small:
        put(os.path.join(out, "amdgpu"), data)
    for p in gsp:
        put(os.path.join(out, "nvidia_gsp"), shrink_gsp(open(p, "rb").read()))
    for p in bins:
        put(os.path.join(out, "nvidia_bin"), open(p, "rb").read())
    for p in qcom:
        put(os.path.join(out, "qcom"), open(p, "rb").read())
    # describe: the first byte picks the file name (fuzz_describe.cpp); 0-3 amdgpu, 4-5 nvidia, 6-8 qcom.
    describe = os.path.join(out, "describe")
    for selector, data in [(0, small[0]), (1, small[len(small) // 2]), (4, open(bins[-1], "rb").read()),
                           (5, open(bins[0], "rb").read()), (6, open(qcom[0], "rb").read()),
                           (7, open(qcom[-1], "rb").read())]:
        put(describe, bytes([selector]) + data)
    decompress = os.path.join(out, "decompress")
    for data in sorted(small, key=len)[:4]:
        put(decompress, lzma.compress(data, check=lzma.CHECK_CRC32))
        put(decompress, raw_zstd_frame(data[:200]))
        if shutil.which("zstd"):
            put(decompress, subprocess.run(["zstd", "-q", "-c"], input=data, capture_output=True, check=True).stdout)
    for t in targets:
        print("seeds: %s: %d inputs" % (t, len(os.listdir(os.path.join(out, t)))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
