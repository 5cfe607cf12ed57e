#!/usr/bin/env python3
"""The independent check of hcq-fw: reads header fields of the real firmware files itself (struct
module, the layouts of docs/firmware.md) and compares them with `hcq-fw inspect --json`.

Usage: check_inspect.py HCQ_FW
Files: every amdgpu file of the gfx9.4.3, gfx11 and gfx12 families, every GSP ELF, booter and
bootloader under nvidia/*/gsp/, and every Adreno *_sqe.fw and *_gmu.bin, found on the firmware search
path ($HCQ_FIRMWARE_PATH, /lib/firmware/updates, /lib/firmware, /usr/lib/firmware). Exits 1 on any
difference, or when the firmware is not installed (run tools/install-deps.sh).
"""
import glob
import json
import os
import re
import struct
import subprocess
import sys
import zlib

AMD_FAMILIES = re.compile(r"(gc_9_4_3_.*|gc_11_.*|gc_12_.*|psp_1[34]_.*|smu_1[34]_.*|sdma_4_4_2|sdma_[67]_.*|"
                          r"vcn_[45]_.*|dcn_3_1_[456]_dmcub|dcn_3_[25].*_dmcub|dcn_4_.*_dmcub)\.bin")


def search_path():
    dirs = [d for d in os.environ.get("HCQ_FIRMWARE_PATH", "").split(":") if d]
    return dirs + ["/lib/firmware/updates", "/lib/firmware", "/usr/lib/firmware"]


def find_files():
    """Relative name -> path, first directory wins (plain files only: Debian ships them plain)."""
    found = {}
    for root in search_path():
        patterns = ["amdgpu/*.bin", "nvidia/*/gsp/*.bin", "qcom/*_sqe.fw", "qcom/*_gmu.bin"]
        for pattern in patterns:
            for path in sorted(glob.glob(os.path.join(root, pattern))):
                rel = os.path.relpath(path, root)
                base = os.path.basename(rel)
                if rel.startswith("amdgpu/") and not AMD_FAMILIES.fullmatch(base):
                    continue
                found.setdefault(rel, path)
    return found


def u32s(b, off, n):
    return list(struct.unpack_from("<%dI" % n, b, off))


# ---- amdgpu ---------------------------------------------------------------------------------------

PSP_TYPES = {1: "sos", 2: "sys_drv", 3: "kdb", 4: "toc", 5: "spl", 6: "rl", 7: "soc_drv", 8: "intf_drv", 9: "dbg_drv",
             10: "ras_drv", 11: "ipkeymgr_drv", 12: "spdm_drv"}
TA_TYPES = {1: "asd", 2: "xgmi", 3: "ras", 4: "hdcp", 5: "dtm", 6: "rap", 7: "securedisplay", 8: "xgmi_aux"}


def amd_kind(base):
    stem = base[:-4]
    if stem.endswith("_toc"):
        return "psp_image" if stem.startswith("psp_") else "rlc_toc"
    for suffix, kind in (("_asd", "psp_image"), ("_sos", "psp"), ("_ta", "ta"), ("_dmcub", "dmcub"), ("_imu", "imu")):
        if stem.endswith(suffix):
            return kind
    if "_mes" in stem:
        return "mes"
    if "_rlc" in stem:
        return "rlc"
    if any(stem.endswith(s) for s in ("_pfp", "_me", "_ce", "_mec", "_mec2")):
        return "gfx"
    if stem.startswith("sdma_"):
        return "sdma"
    if stem.startswith("smu_"):
        return "smc"
    if stem.startswith("vcn_"):
        return "vcn"
    return "common"


def amd_expected(b, base):
    """(header dict subset, sections [(name, type, version, file_offset, size)]) read from the bytes."""
    size, hsize, hmaj, hmin, ipmaj, ipmin, uver, usize, uoff, crc = struct.unpack_from("<IIHHHHIIII", b, 0)
    header = {"size_bytes": size, "header_size_bytes": hsize, "header_version": "%d.%d" % (hmaj, hmin),
              "ip_version": "%d.%d" % (ipmaj, ipmin), "ucode_version": uver, "ucode_size_bytes": usize,
              "ucode_array_offset_bytes": uoff, "crc32": crc}
    if zlib.crc32(b[32:]) == crc:
        header["crc32_covers"] = "after_common_header"
    elif zlib.crc32(b[uoff:uoff + usize]) == crc:
        header["crc32_covers"] = "payload"
    else:
        header["crc32_covers"] = "none"
    kind = amd_kind(base)
    header["kind"] = kind
    ver = (hmaj, hmin)
    secs = []

    def add(name, off, n, typ=0, version=uver):
        if n:
            secs.append((name, typ, version, off, n))

    if kind in ("vcn", "common"):
        add("ucode", uoff, usize)
    elif kind == "gfx" and ver == (1, 0):
        _, jt_off, jt_size = u32s(b, 0x20, 3)
        add("ucode", uoff, usize - 4 * jt_size)
        add("jt", uoff + 4 * jt_off, 4 * jt_size)
    elif kind == "gfx" and ver == (2, 0):
        _, us, uo, ds, do, _, _ = u32s(b, 0x20, 7)
        add("ucode", uo, us)
        add("data", do, ds)
    elif kind == "mes":
        uv, us, uo, dv, ds, do = u32s(b, 0x20, 6)
        add("ucode", uo, us, version=uv)
        add("data", do, ds, version=dv)
    elif kind == "imu":
        # amdgpu_ucode.c: IRAM at the payload, DRAM right after IRAM (the *_offset_bytes are not used).
        isz, _, dsz, _ = u32s(b, 0x20, 4)
        add("iram", uoff, isz)
        add("dram", uoff + isz, dsz)
    elif kind == "rlc":
        add("rlc_g", uoff, usize)
        v = u32s(b, 0x20, 18)
        add("reg_list_format", v[11], v[10])
        add("reg_list", v[13], v[12])
        add("reg_list_format_separate", v[15], v[14])
        add("reg_list_separate", v[17], v[16])
        if hmin >= 1:
            w = u32s(b, 0x68, 13)
            add("restore_list_cntl", w[4], w[3], version=w[1])
            add("restore_list_gpm", w[8], w[7], version=w[5])
            add("restore_list_srm", w[12], w[11], version=w[9])
        if hmin >= 2:
            isz, ioff, dsz, doff = u32s(b, 0x9c, 4)
            add("rlc_iram", ioff, isz)
            add("rlc_dram", doff, dsz)
        if hmin in (3, 4):
            pv, _, ps, po, vv, _, vs, vo = u32s(b, 0xac, 8)
            add("rlcp", po, ps, version=pv)
            add("rlcv", vo, vs, version=vv)
    elif kind == "sdma" and ver in ((1, 0), (1, 1)):
        _, _, jt_off, jt_size = u32s(b, 0x20, 4)
        add("ucode", uoff, usize)
        add("jt", uoff + 4 * jt_off, 4 * jt_size)
    elif kind == "sdma" and ver == (2, 0):
        _, ctx_size, ctx_jt, ctx_jt_size, ctl_off, ctl_size, ctl_jt, ctl_jt_size = u32s(b, 0x20, 8)
        add("ctx", uoff, ctx_size)
        add("ctl", ctl_off, ctl_size)
        add("ctx_jt", uoff + 4 * ctx_jt, 4 * ctx_jt_size)
        add("ctl_jt", ctl_off + 4 * ctl_jt, 4 * ctl_jt_size)
    elif kind == "sdma" and ver == (3, 0):
        _, o, s = u32s(b, 0x20, 3)
        add("ucode", o, s)
    elif kind in ("psp", "ta") and hmaj == 2:
        count = u32s(b, 0x20, 1)[0]
        table = 0x28 if (kind == "psp" and hmin == 1) else 0x24
        aux = u32s(b, 0x24, 1)[0] if table == 0x28 else None
        names = PSP_TYPES if kind == "psp" else TA_TYPES
        for i in range(count):
            typ, fver, off, n = u32s(b, table + 16 * i, 4)
            if n:
                secs.append((names.get(typ, "type_%d" % typ), typ, fver, uoff + off, n)
                            + (() if aux is None else (0 if i < count - aux else 1 if i >= aux else 2,)))
    elif kind in ("psp_image", "rlc_toc"):
        add("toc" if base.endswith("_toc.bin") else "asd" if base.endswith("_asd.bin") else "ucode", uoff, usize)
        if kind == "rlc_toc":
            header["toc"] = rlc_toc_entries(b, uoff, usize)
    elif kind == "smc":
        add("ucode", uoff, usize)
        if ver == (2, 0):
            _, po, ps = u32s(b, 0x20, 3)
            add("pptable", po, ps)
        elif ver == (2, 1):
            _, count, table = u32s(b, 0x20, 3)
            for i in range(count):
                pid, po, ps = u32s(b, table + 12 * i, 3)
                add("pptable", po, ps, typ=pid)
    elif kind == "dmcub":
        inst, bss = u32s(b, 0x20, 2)
        add("inst_const", uoff, inst)
        add("bss_data", uoff + inst, bss)
    else:
        return header, None
    return header, secs


def rlc_toc_entries(b, uoff, usize):
    """gc 12 RLC_TABLE_OF_CONTENT_V2 (amdgpu_rlc.h) as gfx_v12_0_parse_rlc_toc reads it: dw0 offset:25
    id:7, dw1 memory_destination 4:3, vfflr_image_code 8:5, size_x16 12, size 31:14; ends at id 0."""
    rows = []
    for at in range(uoff, uoff + usize - 7, 8):
        dw0, dw1 = u32s(b, at, 2)
        if dw0 >> 25 == 0:
            break
        size = dw1 >> 14
        rows.append({"id": dw0 >> 25, "offset_bytes": (dw0 & 0x1ffffff) * 8 * 4,
                     "size_bytes": size * 1024 * 4 if dw1 & (1 << 12) else size * 4,
                     "memory_destination": (dw1 >> 3) & 3, "vfflr_image_code": (dw1 >> 5) & 0xf})
    return rows


# ---- NVIDIA ---------------------------------------------------------------------------------------

def gsp_expected(b):
    assert b[:4] == b"\x7fELF"
    shoff, = struct.unpack_from("<Q", b, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", b, 0x3a)
    shdrs = [struct.unpack_from("<IIQQQQIIQQ", b, shoff + i * shentsize) for i in range(shnum)]
    strtab = shdrs[shstrndx]
    names = b[strtab[4]:strtab[4] + strtab[5]]

    def name(off):
        return names[off:names.index(b"\0", off)].decode()

    secs = [(name(s[0]), s[1], 0, s[4], s[5]) for s in shdrs if s[1] not in (0, 8) and s[5]]
    version = next(b[s[3]:s[3] + s[4]].split(b"\0")[0].decode() for s in secs if s[0] == ".fwversion")
    families = ",".join(s[0][len(".fwsignature_"):] for s in secs if s[0].startswith(".fwsignature_"))
    machine, = struct.unpack_from("<H", b, 0x12)
    return {"version": version, "signature_families": families, "elf_machine": machine, "size_bytes": len(b)}, secs


def bin_header(b):
    magic, ver, size, hdr, data, dsize = u32s(b, 0, 6)
    return {"bin_magic": magic, "bin_ver": ver, "bin_size": size, "header_offset": hdr, "data_offset": data,
            "data_size": dsize}


def booter_expected(b):
    h = bin_header(b)
    data = h["data_offset"]
    sig_off, sig_size, patch_loc, patch_sig, meta_off, meta_size, num_sig, load_off, load_size = u32s(b, h["header_offset"], 9)
    loc, sig, cnt = (u32s(b, patch_loc, 1)[0], u32s(b, patch_sig, 1)[0], u32s(b, num_sig, 1)[0])
    if meta_size >= 12:  # ga102_gsp_booter_ctor: fuse_ver, engine_id, ucode_id
        h["fuse_version"], h["engine_id"], h["ucode_id"] = u32s(b, meta_off, 3)
    code_off, code_size, data_off, data_size, napps = u32s(b, load_off, 5)
    h.update({"sig_prod_offset": sig_off, "sig_prod_size": sig_size, "patch_location": loc, "patch_signature": sig,
              "signature_count": cnt, "num_apps": napps, "os_data_offset": data_off})
    secs = [("image", 0, 0, data, h["data_size"]), ("signatures", 0, cnt, sig_off + sig, sig_size)]
    if meta_size:
        secs.append(("meta_data", 0, 0, meta_off, meta_size))
    secs += [("os_code", 0, 0, data + code_off, code_size), ("os_data", 0, 0, data + data_off, data_size)]
    for i in range(napps):
        off, n = u32s(b, load_off + 20 + 8 * i, 2)
        secs.append(("app%d" % i, 0, 0, data + off, n))
    return h, [s for s in secs if s[4]]


def bootloader_expected(b):
    h = bin_header(b)
    data = h["data_offset"]
    d = u32s(b, h["header_offset"], 19)
    app = d[7]
    h.update({"version": d[0], "bootloader_offset": d[1], "monitor_code_offset": d[12], "app_version": app})
    pairs = [("bootloader", 1), ("bootloader_params", 3), ("riscv_elf", 5), ("manifest", 8), ("monitor_data", 10),
             ("monitor_code", 12), ("swbrom_code", 15), ("swbrom_data", 17)]
    secs = [("image", 0, app, data, h["data_size"])]
    secs += [(n, 0, app, data + d[i], d[i + 1]) for n, i in pairs if d[i + 1]]
    return h, secs


# ---- Adreno ---------------------------------------------------------------------------------------

def sqe_expected(b):
    word, table = u32s(b, 4, 2)
    fw_id, version = (word >> 12) & 0xfff, word & 0xfff
    uploaded, hint = len(b) // 4 - 1, table & 0xffff
    secs = [("sqe", fw_id, word, 4, len(b) - 4)]
    if hint < uploaded:
        secs.append(("jump_table", fw_id, word, 4 + 4 * hint, 4 * (uploaded - hint)))
    return {"fw_id": fw_id, "version": version, "version_word": word, "table_word": table}, secs


def gmu_expected(b, base):
    if base in ("a630_gmu.bin", "a619_gmu.bin"):
        return {"layout": "legacy", "size_bytes": len(b)}, [("itcm", 0, 0, 0, len(b))]
    at, rows, secs = 0, [], []
    while at < len(b):
        addr, size, typ, value = u32s(b, at, 4)
        if size:
            secs.append(("data", typ, value, at + 16, size, addr))
        rows.append({"header_offset": at, "addr": addr, "size": size, "type": typ, "value": value})
        at += 16 + size
    return {"layout": "blocks", "block_count": len(rows), "size_bytes": len(b), "blocks": rows}, secs


# ---- Comparison ---------------------------------------------------------------------------------

def section_tuple(s):
    t = (s["name"], s["fw_type"], s["fw_version"], s["file_offset"], s["size_bytes"])
    if "bin_set" in s:
        t += (s["bin_set"],)
    if "address" in s:
        t += (s["address"],)
    return t


TABLES = ("toc", "blocks")


def compare(rel, b, got):
    base = os.path.basename(rel)
    if "error" in got:
        return ["hcq-fw rejected it: " + got["error"]]
    if rel.startswith("amdgpu/"):
        fmt, (header, secs) = "amdgpu", amd_expected(b, base)
    elif base.startswith("gsp-"):
        fmt, (header, secs) = "nvidia-gsp", gsp_expected(b)
    elif base.startswith("booter_"):
        fmt, (header, secs) = "nvidia-booter", booter_expected(b)
    elif base.startswith("bootloader-"):
        fmt, (header, secs) = "nvidia-bootloader", bootloader_expected(b)
    elif base.endswith("_sqe.fw"):
        fmt, (header, secs) = "adreno-sqe", sqe_expected(b)
    else:
        fmt, (header, secs) = "adreno-gmu", gmu_expected(b, base)
    problems = []
    if got.get("format") != fmt:
        problems.append("format: expected %s, hcq-fw says %s" % (fmt, got.get("format")))
    for key, value in header.items():
        if key in TABLES:  # row tables are top-level keys in hcq-fw's JSON; compare the fields read here
            theirs = [{k: row.get(k) for k in mine} for mine, row in zip(value, got.get(key, []))]
            if len(got.get(key, [])) != len(value) or theirs != value:
                problems.append("%s: expected %r, hcq-fw says %r" % (key, value, got.get(key)))
        elif got["header"].get(key) != value:
            problems.append("header.%s: expected %r, hcq-fw says %r" % (key, value, got["header"].get(key)))
    if secs is not None:
        mine = [tuple(s) for s in secs]
        theirs = [section_tuple(s) for s in got["sections"]]
        if mine != theirs:
            problems.append("sections differ:\n      expected %s\n      hcq-fw   %s" % (mine, theirs))
    return problems


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    hcq_fw = argv[1]
    files = find_files()
    counts = {"amdgpu": 0, "gsp": 0, "booter": 0, "bootloader": 0, "sqe": 0, "gmu": 0}
    for rel in files:
        base = os.path.basename(rel)
        key = ("amdgpu" if rel.startswith("amdgpu/") else "gsp" if base.startswith("gsp-") else
               "booter" if base.startswith("booter_") else "bootloader" if base.startswith("bootloader-") else
               "sqe" if base.endswith("_sqe.fw") else "gmu")
        counts[key] += 1
    missing = [k for k, n in counts.items() if n == 0]
    if missing:
        print("check_inspect: no %s firmware on the search path %s: run tools/install-deps.sh "
              "(it installs firmware-amd-graphics, firmware-nvidia-graphics and firmware-qcom-soc)"
              % (", ".join(missing), search_path()))
        return 1
    rels = sorted(files)
    out = subprocess.run([hcq_fw, "inspect", "--json"] + [files[r] for r in rels], capture_output=True, text=True)
    try:
        results = json.loads(out.stdout)
    except json.JSONDecodeError:
        print("check_inspect: hcq-fw printed no JSON (exit %d): %s" % (out.returncode, out.stderr))
        return 1
    if not isinstance(results, list) or len(results) != len(rels):
        print("check_inspect: asked hcq-fw about %d files, got %s results" %
              (len(rels), len(results) if isinstance(results, list) else "not a list of"))
        return 1
    failures = 0
    for rel, got in zip(rels, results):
        with open(files[rel], "rb") as f:
            b = f.read()
        problems = compare(rel, b, got)
        if problems:
            failures += 1
            print("MISMATCH %s:\n  %s" % (rel, "\n  ".join(problems)))
    print("check_inspect: %d files (%s), %d mismatches" %
          (len(rels), ", ".join("%d %s" % (n, k) for k, n in counts.items()), failures))
    return 1 if failures or out.returncode != 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
