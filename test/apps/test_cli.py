#!/usr/bin/env python3
"""Command-line contract of frechet-solve and frechet-laplacian: output keys, exit codes, one-line errors."""
import json
import math
import os
import subprocess
import sys
import tempfile

solve, laplacian, spectrum = sys.argv[1], sys.argv[2], sys.argv[3]
failures = 0
checks = 0


def check(condition, what):
    global failures, checks
    checks += 1
    if not condition:
        failures += 1
        print(f"FAIL: {what}")
    else:
        print(f"PASS: {what}")


def run(*args):
    return subprocess.run(list(args), capture_output=True, text=True)


with tempfile.TemporaryDirectory() as tmp:
    mtx = os.path.join(tmp, "p.mtx")
    r = run(laplacian, "--grid", "12x9", "--out", mtx)
    check(r.returncode == 0 and os.path.exists(mtx), "frechet-laplacian writes the matrix")

    r = run(solve, mtx, "--json")
    check(r.returncode == 0, "frechet-solve --json exits 0")
    report = json.loads(r.stdout)
    for key in ("rows", "cols", "nnz", "field", "symmetry"):
        check(key in report, f"JSON has key {key}")
    n = 12 * 9
    check(report["rows"] == n and report["cols"] == n, "rows and cols of a 12x9 grid")
    # 5-point stencil: 5 n minus one per boundary side of every edge row/column.
    check(report["nnz"] == 5 * n - 2 * 12 - 2 * 9, "nnz counts the expanded symmetric matrix")
    check(report["symmetry"] == "symmetric" and report["field"] == "real", "storage words")

    r = run(solve, mtx)
    check(r.returncode == 0 and "108 x 108" in r.stdout, "text report shows the shape")

    r = run(spectrum, mtx, "--trace", "hutchpp", "--operator-products", "30", "--eigs", "3", "--seed", "4", "--json")
    check(r.returncode == 0, "frechet-spectrum exits 0")
    spec = json.loads(r.stdout)
    trace = spec["trace"]
    check(trace["exact"] == 4.0 * n, "exact trace of the Laplacian is 4 n")
    check(abs(trace["estimate"] - trace["exact"]) <= 5 * trace["standard_error"] + 1e-9 * trace["exact"],
          "Hutch++ estimate within five standard errors")
    eigs = spec["eigenvalues"]["eigenvalues"]
    lam_max = 4 + 2 * math.cos(math.pi / 13) + 2 * math.cos(math.pi / 10)
    check(len(eigs) == 3 and abs(eigs[0] - lam_max) < 1e-8 * lam_max, "Lanczos finds the known largest eigenvalue")
    r2 = run(spectrum, mtx, "--trace", "hutchpp", "--operator-products", "30", "--seed", "4", "--json")
    check(json.loads(r2.stdout)["trace"]["estimate"] == trace["estimate"], "same seed, same estimate")

    x_out = os.path.join(tmp, "x.mtx")
    r = run(solve, mtx, "--method", "cg", "--rtol", "1e-10", "--json", "--out", x_out)
    check(r.returncode == 0, "frechet-solve --method cg exits 0")
    report = json.loads(r.stdout)
    for key in ("method", "precond", "rows", "cols", "nnz", "iterations", "converged", "reason",
                "relative_residual", "error_vs_ones", "setup_seconds", "solve_seconds"):
        check(key in report, f"solve JSON has key {key}")
    check(report["converged"] and report["reason"] == "converged", "CG converges on the Laplacian")
    check(report["relative_residual"] <= 1e-10, "recomputed relative residual meets rtol")
    check(report["error_vs_ones"] < 1e-7, "the solution of A x = A 1 is close to ones")
    with open(x_out) as f:
        check(f.readline().lower().startswith("%%matrixmarket matrix array"), "--out writes an array file")

    r = run(solve, mtx, "--method", "gmres", "--precond", "jacobi", "--monitor", "--max-iter", "4")
    monitor_lines = [l for l in r.stdout.splitlines() if "residual norm" in l]
    check(r.returncode == 3 and len(monitor_lines) == 5, "--monitor prints iteration 0 and one line per iteration (exit 3: not converged in 4)")
    check("max_iterations" in r.stdout, "a solve stopped by --max-iter says so")

    iterations = {}
    for precond in ("none", "jacobi", "block-jacobi", "ssor", "ic0", "ilu0", "ilut", "chebyshev", "amg", "nystrom",
                    "cholmod"):
        r = run(solve, mtx, "--method", "cg", "--precond", precond, "--json")
        result = json.loads(r.stdout) if r.returncode == 0 else {}
        check(result.get("converged") and result.get("relative_residual", 1) <= 1e-8,
              f"CG with --precond {precond} converges ({r.stderr.strip()})")
        check(isinstance(result.get("precond_info"), dict), f"--precond {precond} reports precond_info")
        iterations[precond] = result.get("iterations", -1)
    check(iterations["ic0"] < iterations["none"] and iterations["cholmod"] == 1,
          "IC(0) lowers the iteration count and the exact Cholesky needs one iteration")
    for method in ("cholmod", "umfpack", "spqr"):
        r = run(solve, mtx, "--method", method, "--json")
        result = json.loads(r.stdout) if r.returncode == 0 else {}
        check(result.get("converged") and result.get("iterations") == 0 and result.get("relative_residual", 1) < 1e-12,
              f"--method {method} solves directly and reports iterations 0")

    wide = os.path.join(tmp, "wide.mtx")
    with open(wide, "w") as f:
        f.write("%%MatrixMarket matrix coordinate real general\n2 3 3\n1 1 1.0\n2 2 2.0\n2 3 1.0\n")
    r = run(solve, wide, "--method", "lsmr", "--json")
    check(r.returncode == 0 and json.loads(r.stdout)["converged"], "lsmr solves a wide system")

    zero_rhs = os.path.join(tmp, "zero.mtx")
    with open(zero_rhs, "w") as f:
        f.write("%%%%MatrixMarket matrix array real general\n%d 1\n" % n + "0\n" * n)
    r = run(solve, mtx, "--method", "minres", "--rhs", zero_rhs, "--json")
    zero = json.loads(r.stdout) if r.returncode == 0 else {}
    check(zero.get("converged") and zero.get("iterations") == 0 and zero.get("relative_residual") == 0.0,
          "a zero right-hand side returns x = 0 at once, with a finite residual")
    check("error_vs_ones" not in zero, "no error_vs_ones without the default right-hand side")

    for args, code, what in [
        ([solve, wide, "--method", "cg"], 1, "square method on a rectangular matrix"),
        ([solve, mtx, "--method", "nosuch"], 2, "unknown method"),
        ([solve, mtx, "--method", "cg", "--rtol", "-1"], 2, "negative tolerance"),
        ([solve, mtx, "--method", "cholmod", "--precond", "ic0"], 1, "a preconditioner for a direct solver"),
        ([solve, mtx, "--method", "umfpack", "--max-iter", "3"], 1, "an iteration limit for a direct solver"),
        ([solve, wide, "--method", "cg", "--precond", "ic0"], 1, "IC(0) of a rectangular matrix"),
        ([solve, mtx, "--no-such-option"], 2, "unknown option"),
        ([solve], 2, "missing matrix argument"),
        ([solve, os.path.join(tmp, "missing.mtx")], 1, "missing file"),
        ([laplacian, "--grid", "0x3", "--out", mtx], 1, "bad grid"),
        ([solve, mtx, "--method", "cg", "--rtol", "0"], 2, "zero tolerance"),
        ([solve, mtx, "--method", "cg", "--rtol", "abc"], 2, "a tolerance that is not a number"),
        ([solve, mtx, "--method", "cg", "--threads", "-2"], 2, "negative thread count"),
        ([spectrum, mtx, "--threads", "x"], 2, "a thread count that is not a number"),
        ([solve, mtx, "--method", "cg", "--restart", "30"], 1, "--restart with cg, even at GMRES's default"),
        ([solve, mtx, "--method", "gmres", "--damping", "0"], 1, "--damping with gmres, even at its default"),
        ([solve, mtx, "--precond", "jacobi"], 1, "--precond without --method"),
        ([solve, mtx, "--rtol", "1e-6"], 1, "--rtol without --method"),
        ([solve, mtx, "--method", "spqr", "--rtol", "1e-6"], 1, "a tolerance for a direct solver"),
        ([spectrum, wide, "--trace", "exact"], 1, "an exact trace of a rectangular matrix"),
        ([spectrum, wide], 1, "an estimated trace of a rectangular matrix"),
        ([spectrum, mtx, "--seed", "-1"], 2, "a negative seed"),
        ([spectrum, mtx, "--operator-products", "0"], 2, "no operator products"),
    ]:
        r = run(*args)
        lines = r.stderr.strip().splitlines()
        check(r.returncode == code, f"{what}: exit status {code} (got {r.returncode})")
        check(len(lines) == 1 and "error" in lines[0] and len(lines[0]) < 200,
              f"{what}: one short line of error ({r.stderr.strip()!r})")

    r = run(solve, "--help")
    check(r.returncode == 0 and "=1e-08" in r.stdout and "=ones" in r.stdout and "=none" in r.stdout,
          "frechet-solve --help shows the defaults")
    r = run(spectrum, "--help")
    check(r.returncode == 0 and "=hutchpp" in r.stdout and "=102" in r.stdout, "frechet-spectrum --help shows the defaults")
    r = run(solve, mtx, "--method", "gmres", "--restart", "5", "--damping", "0", "--json")
    check(r.returncode == 1, "--damping is refused with gmres, --restart taken")
    r = run(solve, mtx, "--method", "lsmr", "--damping", "0", "--json")
    check(r.returncode == 0 and json.loads(r.stdout)["converged"], "--damping 0 is taken by lsmr")

    r = run(solve, mtx, "--method", "cg", "--max-iter", "2", "--json")
    check(r.returncode == 3 and json.loads(r.stdout)["reason"] == "max_iterations",
          "a solve that does not converge exits 3, with its reason in the report")
    r = run(solve, mtx, "--method", "gmres", "--monitor", "--json")
    report = json.loads(r.stdout) if r.returncode == 0 else {}
    history = report.get("residual_history", [])
    check(len(history) >= 2 and report.get("operator_products", 0) >= report.get("iterations", 1),
          "--json carries the residual history and the operator products")
    check(len(r.stderr.strip().splitlines()) == len(history), "--monitor under --json prints its lines on stderr")

    # --threads N runs on exactly N threads; the solution's bits do not depend on N (fixed-order sums).
    solutions = []
    for threads in ("1", "3", "0"):
        r = run(solve, mtx, "--method", "cg", "--rtol", "1e-12", "--threads", threads, "--json")
        solutions.append(json.loads(r.stdout) if r.returncode == 0 else {})
    check(all(s.get("converged") for s in solutions) and
          len({(s["iterations"], s["relative_residual"]) for s in solutions}) == 1,
          "--threads 1, 3 and 0 give the same iterations and residual")

    bad = os.path.join(tmp, "bad.mtx")
    with open(bad, "w") as f:
        f.write("%%MatrixMarket matrix coordinate real general\n2 2 1\n3 1 1.0\n")
    r = run(solve, bad)
    check(r.returncode == 1 and "bad.mtx:3" in r.stderr, "parse error names the file and line")

print(f"{checks - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
