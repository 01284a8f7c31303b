#!/usr/bin/env python3
"""Runs every demo app of apps.txt and writes a static HTML report of the seeds they reproduce.

    make_report.py [--build build] [--out build/report]

Each app runs twice: as text (its printed output, shown per question) and with --json --figures
OUT/NAME (its checks, values, notes and figures). The page groups everything by question: the seed
errors first, then the values beside the seed's printed ones, the checks, the output and the figures.
Prints one line per app (checks passed and failed, seconds) and the report's path; the exit status is 1
if an app failed a check or did not run. Python 3 standard library only.
"""

import argparse
import html
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { margin-top: 2.5rem; border-bottom: 2px solid #ccc; } h3 { margin-top: 1.8rem; }
table { border-collapse: collapse; margin: .5rem 0; } td, th { padding: .2rem .6rem; border-bottom: 1px solid #eee;
  text-align: left; vertical-align: top; font-size: .9rem; }
td.num { font-family: monospace; }
.pass { color: #17692c; font-weight: 600; } .fail { color: #b00020; font-weight: 700; }
.note { background: #fff4d6; border-left: 4px solid #e0a800; padding: .4rem .8rem; margin: .5rem 0; }
pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; font-size: .8rem; }
figure { display: inline-block; margin: .5rem 1rem .5rem 0; } figure img { max-width: 100%; max-height: 420px; border: 1px solid #ddd; }
figcaption { font-size: .85rem; color: #555; }
details summary { cursor: pointer; color: #555; }
"""


def read_apps(path):
    """[(name, source, seed)] from apps.txt."""
    apps = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                apps.append(tuple(line.split()))
    return apps


def slug(section_id):
    """'Q1.2' -> 'q1_2', as the kit names the values of a section."""
    return re.sub(r"[. ]", "_", section_id.lower())


def split_sections(text):
    """The printed output as [(id, title, lines)], cut at the kit's '== ID TITLE ==' headings."""
    sections = [("", "", [])]
    for line in text.splitlines():
        m = re.match(r"^== (Q\S*) (.*) ==$", line)
        if m:
            sections.append((m.group(1), m.group(2), []))
        else:
            sections[-1][2].append(line)
    return [s for s in sections if s[0] or any(l.strip() for l in s[2])]


def run_app(build, out, name):
    """Runs the app as text and as --json --figures; returns a dict of what the page needs."""
    exe = os.path.join(build, "apps", name)
    figures = os.path.join(out, name)
    os.makedirs(figures, exist_ok=True)
    start = time.monotonic()
    if not os.access(exe, os.X_OK):
        failed = {"name": "the app exists", "passed": False, "detail": f"{exe} is not built"}
        return {"name": name, "text": "", "seconds": 0.0,
                "data": {"document": name, "checks": [failed], "values": {}, "figures": [], "notes": []}}
    text = subprocess.run([exe], capture_output=True, text=True)
    js = subprocess.run([exe, "--json", "--figures", figures], capture_output=True, text=True)
    seconds = time.monotonic() - start
    try:
        data = json.loads(js.stdout)
    except json.JSONDecodeError:
        data = {"document": name, "checks": [{"name": "the app printed one JSON object", "passed": False,
                                              "detail": (js.stderr or js.stdout)[-400:]}],
                "values": {}, "figures": [], "notes": []}
    if js.returncode not in (0, 1) or text.returncode not in (0, 1):
        data["checks"].append({"name": "the app ran", "passed": False,
                               "detail": f"exit status {text.returncode} / {js.returncode}: {js.stderr[-400:]}"})
    return {"name": name, "text": text.stdout, "data": data, "seconds": seconds}


def fmt(v):
    if isinstance(v, float):
        return f"{v:.10g}"
    if isinstance(v, list):
        return "[" + ", ".join(fmt(x) for x in v) + "]"
    return str(v)


def section_html(run, out, section_id, title, lines):
    data = run["data"]
    e = html.escape
    prefix = section_id + ": "
    key_prefix = slug(section_id) + "."
    parts = [f"<h3 id='{e(run['name'])}-{e(slug(section_id))}'>{e(section_id)} {e(title)}</h3>"]
    for note in data["notes"]:
        if note.startswith(prefix):
            parts.append(f"<div class='note'><b>Seed error / note.</b> {e(note[len(prefix):])}</div>")
    values = {k[len(key_prefix):]: v for k, v in data["values"].items() if k.startswith(key_prefix)}
    if values:
        rows = []
        for name, v in values.items():
            if name.endswith("_seed") and name[:-5] in values:
                continue
            seed = values.get(name + "_seed")
            rows.append(f"<tr><td>{e(name)}</td><td class='num'>{e(fmt(v))}</td>"
                        f"<td class='num'>{e(fmt(seed)) if seed is not None else ''}</td></tr>")
        parts.append("<table><tr><th>value</th><th>frechet</th><th>seed prints</th></tr>" + "".join(rows) + "</table>")
    checks = [c for c in data["checks"] if c["name"].startswith(prefix)]
    if checks:
        items = "".join(
            f"<li><span class='{'pass' if c['passed'] else 'fail'}'>{'PASS' if c['passed'] else 'FAIL'}</span> "
            f"{e(c['name'][len(prefix):])} <small>{e(c['detail'])}</small></li>" for c in checks)
        parts.append(f"<ul>{items}</ul>")
    parts.append("<details><summary>printed output</summary><pre>" + e("\n".join(lines).strip("\n")) + "</pre></details>")
    for f in data["figures"]:
        if f.get("section") == section_id and "png" in f:
            png = os.path.relpath(f["png"], out)
            svg = os.path.relpath(f["svg"], out)
            parts.append(f"<figure><a href='{e(svg)}'><img src='{e(png)}' alt='{e(f['title'])}'></a>"
                         f"<figcaption>{e(f['title'])} (<a href='{e(svg)}'>SVG</a>)</figcaption></figure>")
    return "\n".join(parts)


def app_html(run, seed, out):
    data = run["data"]
    e = html.escape
    passed = sum(c["passed"] for c in data["checks"])
    failed = len(data["checks"]) - passed
    parts = [f"<h2 id='{e(run['name'])}'>{e(run['name'])}: {e(data['document'])}</h2>",
             f"<p>Seed document <code>{e(seed)}</code>. {passed} checks passed, "
             f"<span class='{'fail' if failed else 'pass'}'>{failed} failed</span>; "
             f"{len(data['notes'])} notes on the seed. Random data come from frechet's seeded generator where the "
             f"seed draws from JAX or NumPy, so those numbers differ from the seed's; the checks do not.</p>"]
    if data["notes"]:
        parts.append("<p><b>Seed errors and notes found:</b></p><ul>" +
                     "".join(f"<li>{e(n)}</li>" for n in data["notes"]) + "</ul>")
    sections = split_sections(run["text"])
    listed = {s[0] for s in sections}
    for section_id, title, lines in sections:
        if section_id:
            parts.append(section_html(run, out, section_id, title, lines))
    # Checks outside any printed section (an app that stopped early) are still shown.
    stray = [c for c in data["checks"] if c["name"].split(": ")[0] not in listed]
    if stray:
        parts.append("<h3>Other checks</h3><ul>" + "".join(
            f"<li><span class='{'pass' if c['passed'] else 'fail'}'>{'PASS' if c['passed'] else 'FAIL'}</span> "
            f"{e(c['name'])} <small>{e(c['detail'])}</small></li>" for c in stray) + "</ul>")
    return "\n".join(parts)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--out", default=None, help="default: BUILD/report")
    parser.add_argument("--apps", default=os.path.join(HERE, "apps.txt"))
    args = parser.parse_args()
    out = os.path.abspath(args.out or os.path.join(args.build, "report"))
    os.makedirs(out, exist_ok=True)

    apps = read_apps(args.apps)
    runs = [(run_app(args.build, out, name), seed) for name, _, seed in apps]

    e = html.escape
    rows = []
    summary = []
    all_passed = True
    for run, seed in runs:
        checks = run["data"]["checks"]
        passed = sum(c["passed"] for c in checks)
        failed = len(checks) - passed
        all_passed = all_passed and failed == 0 and passed > 0
        rows.append(f"<tr><td><a href='#{e(run['name'])}'>{e(run['name'])}</a></td><td>{e(seed)}</td>"
                    f"<td class='pass'>{passed}</td><td class='{'fail' if failed else ''}'>{failed}</td>"
                    f"<td>{len(run['data']['notes'])}</td><td>{run['seconds']:.1f}</td></tr>")
        summary.append(f"{run['name']:<16} {seed:<28} {passed:>4} passed {failed:>3} failed "
                       f"{len(run['data']['notes']):>3} notes {run['seconds']:6.1f} s")
    page = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>frechet: the seeds reproduced</title>",
            f"<style>{STYLE}</style></head><body>",
            "<h1>frechet: the seed documents reproduced by the demo apps</h1>",
            "<p>Each app recomputes every question of its seed with frechet's public API and prints the seed's "
            "quantities beside the seed's own printed values. Yellow boxes are the seed's errors.</p>",
            "<table><tr><th>app</th><th>seed</th><th>passed</th><th>failed</th><th>notes</th><th>seconds</th></tr>",
            "".join(rows), "</table>"]
    page += [app_html(run, seed, out) for run, seed in runs]
    page.append("</body></html>")
    index = os.path.join(out, "index.html")
    with open(index, "w", encoding="utf-8") as f:
        f.write("\n".join(page))

    print("\n".join(summary))
    print(f"report: {index}")
    return 0 if all_passed else 1


if __name__ == "__main__":
    sys.exit(main())
