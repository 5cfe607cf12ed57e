#!/usr/bin/env python3
"""Compares hcq-smi --json with nvidia-smi --query-gpu on the same NVIDIA GPUs (issue 3's proof).

Usage: compare_nvidia_smi.py [--hcq-smi PATH] [--nvidia-smi PATH] [--markdown]

Both tools are run back to back, twice each in alternation (hcq, nvidia, hcq, nvidia), and a value
is compared with its nearest sample, so a clock or power that moves between the runs is judged
against the right reading. Exits 0 when every compared value agrees within its tolerance, 1 when
one does not, 2 when a tool is missing or prints something unreadable.
"""
import argparse
import json
import subprocess
import sys

# (hcq-smi field, nvidia-smi query field, how to compare, tolerance)
#   exact: equal after normalising; abs: |a-b| <= tol; rel: |a-b| <= tol*|b|; mib: bytes vs MiB, exact
CHECKS = [
    ("name", "name", "exact", None),
    ("memory_total_bytes", "memory.total", "mib", None),
    ("pcie_gen_current", "pcie.link.gen.current", "exact", None),
    ("pcie_gen_max", "pcie.link.gen.max", "exact", None),
    ("pcie_width_current", "pcie.link.width.current", "exact", None),
    ("pcie_width_max", "pcie.link.width.max", "exact", None),
    ("temperature_c", "temperature.gpu", "abs", 3.0),
    ("power_draw_w", "power.draw", "rel", 0.15),
    ("power_limit_w", "enforced.power.limit", "rel", 0.01),
    ("clock_core_mhz", "clocks.sm", "rel", 0.10),
    ("clock_core_max_mhz", "clocks.max.sm", "exact", None),
    ("clock_memory_mhz", "clocks.mem", "rel", 0.10),
    ("clock_memory_max_mhz", "clocks.max.mem", "exact", None),
    ("firmware", "vbios_version", "vbios", None),
    ("utilization_pct", "utilization.gpu", "abs", 5.0),
    ("serial", "uuid", "exact", None),
    ("driver_version", "driver_version", "exact", None),
    ("ecc_enabled", "ecc.mode.current", "ecc", None),
]
# Shown side by side but not judged: defined differently by the two tools (see docs/smi.md).
SHOWN = [
    ("memory_used_bytes", "memory.used"),
    ("utilization_memory_pct", "utilization.memory"),
]


def run(cmd):
    try:
        out = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        sys.exit(f"compare: {cmd[0]} not found")
    except subprocess.CalledProcessError as e:
        sys.exit(f"compare: {' '.join(cmd)} exited {e.returncode}: {e.stderr.strip()}")
    return out.stdout


def nvidia_smi(path):
    fields = ["pci.bus_id"] + [c[1] for c in CHECKS] + [s[1] for s in SHOWN]
    text = run([path, f"--query-gpu={','.join(fields)}", "--format=csv,noheader,nounits"])
    gpus = {}
    for line in text.strip().splitlines():
        cells = [c.strip() for c in line.split(",")]
        if len(cells) != len(fields):
            sys.exit(f"compare: unexpected nvidia-smi line: {line}")
        row = dict(zip(fields, cells))
        # "00000000:18:00.0" -> "0000:18:00.0"
        dom, rest = row["pci.bus_id"].split(":", 1)
        gpus[f"{int(dom, 16):04x}:{rest.lower()}"] = row
    return gpus


def hcq_smi(path):
    try:
        doc = json.loads(run([path, "--json"]))
    except json.JSONDecodeError as e:
        sys.exit(f"compare: hcq-smi --json is not JSON: {e}")
    if doc.get("schema_version") != 2:
        sys.exit(f"compare: hcq-smi schema_version {doc.get('schema_version')}, expected 2")
    return {d["bdf"]: d["fields"] for d in doc["devices"] if d["bdf"] and d["fields"]["vendor"]["value"] == "nvidia"}


def number(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def judge(kind, tol, ours, theirs):
    if ours is None:
        return False
    if kind == "exact":
        a, b = number(ours), number(theirs)
        return a == b if a is not None and b is not None else str(ours).strip() == str(theirs).strip()
    if kind == "mib":
        return number(theirs) is not None and int(ours) // (1 << 20) == int(number(theirs))
    if kind == "vbios":  # "vbios 96.00.DA.00.0C, gsp 580.159.04" holds nvidia-smi's vbios_version
        return f"vbios {theirs.strip()}" in str(ours)
    if kind == "ecc":
        return bool(ours) == (theirs.strip().lower() == "enabled")
    a, b = number(ours), number(theirs)
    if a is None or b is None:
        return False
    if kind == "abs":
        return abs(a - b) <= tol
    return abs(a - b) <= tol * abs(b)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hcq-smi", default="hcq-smi")
    ap.add_argument("--nvidia-smi", default="nvidia-smi")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table (for docs/smi.md)")
    a = ap.parse_args()

    ours = [hcq_smi(a.hcq_smi)]
    theirs = [nvidia_smi(a.nvidia_smi)]
    ours.append(hcq_smi(a.hcq_smi))
    theirs.append(nvidia_smi(a.nvidia_smi))
    if not theirs[0]:
        sys.exit("compare: nvidia-smi lists no GPU")

    failed = 0
    for bdf, row0 in sorted(theirs[0].items()):
        if bdf not in ours[0]:
            print(f"{bdf}: nvidia-smi lists it, hcq-smi does not")
            failed += 1
            continue
        print(f"\n{'### ' if a.markdown else ''}{bdf}: {row0['name']}\n")
        if a.markdown:
            print("| field | hcq-smi | source | nvidia-smi | tolerance | agrees |")
            print("|---|---|---|---|---|---|")
        for key, query, kind, tol in CHECKS:
            # Pair each hcq-smi sample with the nvidia-smi sample taken right after it and keep the
            # pair that agrees, if any (values that move: clocks, power, temperature).
            results = []
            for i in range(2):
                f = ours[i][bdf][key]
                results.append((judge(kind, tol, f["value"], theirs[i][bdf][query]), f, theirs[i][bdf][query]))
            ok, f, other = next((r for r in results if r[0]), results[0])
            failed += 0 if ok else 1
            shown = f["value"] if f["value"] is not None else f.get("missing", "n/a")
            tol_text = {"exact": "exact", "mib": "exact (MiB)", "ecc": "exact", "vbios": "exact"}.get(kind) or (f"±{tol:g}" if kind == "abs" else f"±{tol * 100:g} %")
            if a.markdown:
                print(f"| {key} | {shown} | {f['source']} | {other} ({query}) | {tol_text} | {'yes' if ok else '**no**'} |")
            else:
                print(f"  {key:<24} {str(shown):<40} [{f['source']:<8}] {query:<24} {other:<40} {tol_text:<12} {'ok' if ok else 'MISMATCH'}")
        for key, query in SHOWN:
            f = ours[0][bdf][key]
            shown = f["value"] if f["value"] is not None else f.get("missing", "n/a")
            if a.markdown:
                print(f"| {key} | {shown} | {f['source']} | {theirs[0][bdf][query]} ({query}) | not judged | - |")
            else:
                print(f"  {key:<24} {str(shown):<40} [{f['source']:<8}] {query:<24} {theirs[0][bdf][query]:<40} not judged")
    print(f"\n{'all values agree' if failed == 0 else f'{failed} value(s) disagree'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
