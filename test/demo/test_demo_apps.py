#!/usr/bin/env python3
"""The demo apps as tests.

    test_demo_apps.py checks APP...                 every app's --json is one object of the kit's shape,
                                                    with at least one check, and every check passes
    test_demo_apps.py figures MAKE_REPORT BUILD     the report (written to a temporary directory) references
                                                    only files that exist, and every figure each app lists;
                                                    skipped (exit 77, shown as SKIP) when gnuplot is missing
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

KEYS = ["document", "checks", "values", "figures", "notes"]


def checks(apps):
    failures = []
    for app in apps:
        name = os.path.basename(app)
        run = subprocess.run([app, "--json"], capture_output=True, text=True)
        try:
            data = json.loads(run.stdout)
        except json.JSONDecodeError as e:
            failures.append(f"{name}: --json is not one JSON object ({e}); stderr: {run.stderr[-300:]}")
            continue
        if list(data) != KEYS:
            failures.append(f"{name}: keys {list(data)}, expected {KEYS}")
            continue
        if not data["checks"]:
            failures.append(f"{name}: no checks")
        for c in data["checks"]:
            if sorted(c) != ["detail", "name", "passed"]:
                failures.append(f"{name}: a check with keys {sorted(c)}")
            elif not c["passed"]:
                failures.append(f"{name}: FAIL {c['name']} ({c['detail']})")
        for key, value in data["values"].items():
            ok = isinstance(value, (int, float, str)) or (
                isinstance(value, list) and all(isinstance(v, (int, float, str)) for v in value))
            if not ok:
                failures.append(f"{name}: value {key} is neither a number, a string nor an array of them")
        if run.returncode != (1 if any(not c["passed"] for c in data["checks"]) else 0):
            failures.append(f"{name}: exit status {run.returncode} does not match its checks")
        print(f"{name}: {sum(c['passed'] for c in data['checks'])} checks passed")
    for f in failures:
        print(f)
    return 1 if failures else 0


def figures(make_report, build):
    if shutil.which("gnuplot") is None:
        print("SKIP: gnuplot is not installed (./run installs gnuplot-nox); the figures cannot be rendered")
        return 77
    failures = []
    with tempfile.TemporaryDirectory() as out:
        run = subprocess.run([sys.executable, make_report, "--build", build, "--out", out], capture_output=True, text=True)
        print(run.stdout)
        index = os.path.join(out, "index.html")
        if not os.path.exists(index):
            print(f"no report written: {run.stderr[-500:]}")
            return 1
        page = open(index, encoding="utf-8").read()
        links = [l for l in re.findall(r"(?:src|href)='([^'#][^']*)'", page)]
        images = re.findall(r"<img src='([^']*)'", page)
        if not images:
            failures.append("the report shows no figure")
        for link in links:
            if not os.path.isfile(os.path.join(out, link)):
                failures.append(f"the report references {link}, which does not exist")
        for sub in sorted(os.listdir(out)):
            app = os.path.join(build, "apps", sub)
            if not os.path.isdir(os.path.join(out, sub)) or not os.path.exists(app):
                continue
            data = json.loads(subprocess.run([app, "--json", "--figures", os.path.join(out, sub)],
                                             capture_output=True, text=True).stdout)
            for f in data["figures"]:
                for ext in ("svg", "png"):
                    path = f.get(ext)
                    if not path or not os.path.getsize(path):
                        failures.append(f"{sub}: figure {f['name']} has no {ext}")
                    elif os.path.relpath(path, out) not in links:
                        failures.append(f"{sub}: figure {f['name']} ({ext}) is not in the report")
        print(f"{len(links)} files referenced, {len(images)} figures shown")
    for f in failures:
        print(f)
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "checks":
        sys.exit(checks(sys.argv[2:]))
    if len(sys.argv) == 4 and sys.argv[1] == "figures":
        sys.exit(figures(sys.argv[2], sys.argv[3]))
    print(__doc__)
    sys.exit(2)
