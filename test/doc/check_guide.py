#!/usr/bin/env python3
"""Keeps doc/guide.md and doc/examples/ in agreement.

The guide marks what it quotes with an HTML comment on the line before a fenced block:

    <!-- example: NAME -->      the ```cpp block after it is a copy of consecutive lines of
                               doc/examples/NAME.cpp
    <!-- output: NAME -->       the ``` block after it is exactly what doc/examples/NAME.cpp prints

Without --run, checks every quoted block against its file, that every example file is quoted and
that every example has one output block. With --run NAME PROGRAM [ARGS...], runs the program in the
examples' folder and checks that it succeeds and prints the guide's output block for NAME.
"""

import argparse
import pathlib
import re
import subprocess
import sys

MARKER = re.compile(r"^<!-- (example|output): ([a-z0-9_]+) -->$")


def blocks(guide):
    """(kind, name, text, line number) of every marked fenced block of the guide."""
    lines = guide.read_text(encoding="utf-8").split("\n")
    found = []
    for i, line in enumerate(lines):
        match = MARKER.match(line.strip())
        if not match:
            continue
        if i + 1 >= len(lines) or not lines[i + 1].startswith("```"):
            sys.exit(f"{guide}:{i + 1}: a marker must be followed by a fenced block")
        end = i + 2
        while end < len(lines) and lines[end] != "```":
            end += 1
        if end == len(lines):
            sys.exit(f"{guide}:{i + 2}: the fenced block is not closed")
        found.append((match.group(1), match.group(2), lines[i + 2:end], i + 1))
    return found


def contains_lines(haystack, needle):
    return any(haystack[k:k + len(needle)] == needle for k in range(len(haystack) - len(needle) + 1))


def check_sources(guide, examples):
    errors = []
    found = blocks(guide)
    quoted, outputs = set(), {}
    for kind, name, text, line in found:
        source = examples / f"{name}.cpp"
        if not source.is_file():
            errors.append(f"{guide}:{line}: {kind} block of '{name}', but {source} does not exist")
            continue
        if kind == "example":
            quoted.add(name)
            if not text:
                errors.append(f"{guide}:{line}: empty example block")
            elif not contains_lines(source.read_text(encoding="utf-8").split("\n"), text):
                errors.append(f"{guide}:{line}: the block is not a verbatim copy of lines of {source}")
        else:
            outputs[name] = outputs.get(name, 0) + 1
    for source in sorted(examples.glob("*.cpp")):
        name = source.stem
        if name not in quoted:
            errors.append(f"{source}: never quoted by {guide} (<!-- example: {name} -->)")
        if outputs.get(name, 0) != 1:
            errors.append(f"{source}: {guide} has {outputs.get(name, 0)} output blocks for it, expected 1")
    return errors


def check_run(guide, examples, name, command):
    expected = [text for kind, n, text, _ in blocks(guide) if kind == "output" and n == name]
    if len(expected) != 1:
        return [f"{guide}: expected one output block for '{name}', found {len(expected)}"]
    # In the examples' folder, so that the files they name, and the messages that repeat those names,
    # are the same in every checkout.
    program = pathlib.Path(command[0]).resolve()  # Meson passes it relative to the build folder
    run = subprocess.run([str(program)] + command[1:], cwd=examples, capture_output=True, text=True, timeout=60)
    errors = []
    if run.returncode != 0:
        errors.append(f"{name}: exit status {run.returncode}; stderr:\n{run.stderr}")
    printed = run.stdout.rstrip("\n").split("\n")
    if printed != expected[0]:
        errors.append(f"{name}: prints something other than the guide's output block.\n--- guide\n"
                      + "\n".join(expected[0]) + "\n--- program\n" + "\n".join(printed))
    return errors


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--guide", type=pathlib.Path, required=True)
    parser.add_argument("--examples", type=pathlib.Path, required=True, help="the folder of NAME.cpp")
    parser.add_argument("--run", nargs=argparse.REMAINDER, metavar="NAME PROGRAM [ARGS]")
    args = parser.parse_args()
    if args.run:
        if len(args.run) < 2:
            parser.error("--run needs NAME and PROGRAM")
        errors = check_run(args.guide, args.examples, args.run[0], args.run[1:])
    else:
        errors = check_sources(args.guide, args.examples)
    for error in errors:
        print(error, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
