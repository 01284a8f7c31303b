#!/usr/bin/env python3
"""frechet-solve --backend petsc under mpiexec at 1 and 2 ranks: the same iterations and residual as the
serial backend (cg and gmres, with and without Jacobi), PETSc's GAMG for --precond amg, one report printed (rank 0), the serial
binary handing over to frechet-solve-petsc, and the options the backend refuses."""
import json
import os
import subprocess
import sys
import tempfile

mpiexec, solve, laplacian = sys.argv[1], sys.argv[2], sys.argv[3]
mpi = [mpiexec, "--allow-run-as-root", "--oversubscribe", "--bind-to", "none"]
failures = 0


def check(condition, what):
    global failures
    print(("PASS: " if condition else "FAIL: ") + what)
    failures += 0 if condition else 1


def run(*args):
    return subprocess.run(list(args), capture_output=True, text=True, env=dict(os.environ, OMP_NUM_THREADS="1"))


with tempfile.TemporaryDirectory() as tmp:
    mtx = os.path.join(tmp, "l.mtx")
    check(run(laplacian, "--grid", "10x9x8", "--out", mtx).returncode == 0, "frechet-laplacian writes the matrix")
    for method, precond in (("cg", "none"), ("cg", "jacobi"), ("gmres", "jacobi")):
        args = [mtx, "--method", method, "--precond", precond, "--json"]
        serial = json.loads(run(solve, *args).stdout)
        for np in (1, 2):
            r = run(*mpi, "-np", str(np), solve, *args, "--backend", "petsc")
            lines = r.stdout.strip().splitlines()
            what = f"{method}/{precond} at np {np}"
            check(r.returncode == 0 and len(lines) == 1, f"{what}: exit 0 and one report ({r.stderr.strip()[:200]})")
            if r.returncode != 0 or len(lines) != 1:
                continue
            report = json.loads(lines[0])
            check(report["backend"] == "petsc" and report["ranks"] == np, f"{what}: backend and ranks")
            slack = 1 if method == "gmres" else 0
            check(abs(report["iterations"] - serial["iterations"]) <= slack,
                  f"{what}: iterations {report['iterations']} vs serial {serial['iterations']}")
            check(report["converged"] and report["relative_residual"] <= 1e-8, f"{what}: converged")
            check(abs(report["error_vs_ones"] - serial["error_vs_ones"]) <= 1e-6, f"{what}: same error against ones")
    # amg: PETSc's GAMG from the assembled rows. Its iterations differ from frechet's serial AMG (another
    # aggregation and smoother), so the check is the answer and a small count.
    for np in (1, 2):
        r = run(*mpi, "-np", str(np), solve, mtx, "--method", "cg", "--precond", "amg", "--json", "--backend", "petsc")
        lines = r.stdout.strip().splitlines()
        ok = r.returncode == 0 and len(lines) == 1
        check(ok, f"cg/amg at np {np}: exit 0 and one report ({r.stderr.strip()[:200]})")
        if ok:
            report = json.loads(lines[0])
            check(report["converged"] and report["relative_residual"] <= 1e-8 and report["error_vs_ones"] <= 1e-6,
                  f"cg/amg at np {np}: converged, error against ones {report['error_vs_ones']:.1e}")
            check(report["iterations"] <= 20, f"cg/amg at np {np}: {report['iterations']} iterations (<= 20)")
    r = run(solve, mtx, "--method", "cholmod", "--backend", "petsc")
    check(r.returncode == 1 and "--backend petsc" in r.stderr and len(r.stderr.strip().splitlines()) == 1,
          "a method the backend does not take is a one-line error")
    r = run(solve, mtx, "--method", "cg", "--precond", "ic0", "--backend", "petsc")
    check(r.returncode == 1 and "--precond ic0" in r.stderr, "a preconditioner the backend does not take is refused")

sys.exit(1 if failures else 0)
