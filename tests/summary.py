#!/usr/bin/env python3
"""Prints the one-line summary of a test run: "N passed, N failed, N skipped".

Arguments: meson build folders. Their meson-logs/testlog.json lists the tests that ran; Catch2
writes tests/<meson test name>.junit.xml beside them.
A Catch2 executable counts its test cases; any other meson test counts as one. A test whose process
failed although its report shows no failure (a crash, a timeout) counts one failure more.
Exit status 1 when anything failed or nothing ran.
"""
import json
import os
import sys
import xml.etree.ElementTree as ET


def junit_counts(path, label):
    passed = failed = skipped = 0
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:  # the process died while writing its report (a sanitizer abort)
        print(f"FAILED {label}: its report {path} is unreadable ({e}): the test process did not finish")
        return 0, 1, 0
    for case in root.iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            failed += 1
            text = (problem.get("message") or "") + "\n" + (problem.text or "")
            print(f"FAILED {label}: {case.get('name')}\n  " + text.strip().replace("\n", "\n  "))
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped


def main(args):
    passed = failed = skipped = 0
    for build in args:
        log = os.path.join(build, "meson-logs", "testlog.json")
        junit_dir = os.path.join(build, "tests")
        if not os.path.exists(log):
            print(f"summary: {log} missing: that build did not run its tests")
            failed += 1
            continue
        for line in open(log):
            test = json.loads(line)
            ok = test["result"] in ("OK", "EXPECTEDFAIL")
            name = test["name"].split(" / ")[-1]  # "project:suite / name"
            report = os.path.join(junit_dir, name + ".junit.xml")
            if os.path.exists(report):
                p, f, s = junit_counts(report, f"{build} {name}")
                if not ok and f == 0 and test["result"] != "SKIP":
                    f += 1
            else:
                p, f, s = (1, 0, 0) if ok else ((0, 0, 1) if test["result"] == "SKIP" else (0, 1, 0))
            passed, failed, skipped = passed + p, failed + f, skipped + s
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
