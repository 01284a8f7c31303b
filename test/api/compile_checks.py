#!/usr/bin/env python3
"""Compiles each case file and checks the outcome its first line announces.

    // expect: compiles
    // expect-error: <text the compiler's diagnostics must contain>

usage: compile_checks.py --include DIR --compiler CMD... --cases FILE...
A case that should not compile passes only if the compiler fails and names the expected text, so a
case that fails for an unrelated reason (a typo, a missing header) is reported, not counted.
"""
import concurrent.futures
import subprocess
import sys


def parse(argv):
    groups, key = {}, None
    for a in argv:
        if a.startswith('--'):
            key = a[2:]
            groups[key] = []
        else:
            groups[key].append(a)
    return groups['include'][0], groups['compiler'], groups['cases']


def check(compiler, include, case):
    with open(case) as f:
        first = f.readline().strip()
    if first == '// expect: compiles':
        expected = None
    elif first.startswith('// expect-error: '):
        expected = first[len('// expect-error: '):]
    else:
        return False, f'{case}: first line must be "// expect: compiles" or "// expect-error: TEXT"'
    run = subprocess.run(compiler + ['-std=c++20', '-fsyntax-only', '-I', include, case],
                         capture_output=True, text=True)
    if expected is None:
        if run.returncode == 0:
            return True, f'{case}: compiles, as expected'
        return False, f'{case}: expected to compile, but:\n{run.stderr[-3000:]}'
    if run.returncode == 0:
        return False, f'{case}: compiled, but should fail naming "{expected}"'
    if expected not in run.stderr:
        return False, f'{case}: failed without naming "{expected}":\n{run.stderr[-3000:]}'
    return True, f'{case}: fails naming "{expected}", as expected'


def main():
    include, compiler, cases = parse(sys.argv[1:])
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda c: check(compiler, include, c), cases))
    for ok, message in results:
        print(('PASS ' if ok else 'FAIL ') + message)
    failed = sum(not ok for ok, _ in results)
    print(f'{len(results) - failed} passed, {failed} failed')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
