#!/usr/bin/env python3
"""SciPy's newton_krylov on Bratu's problem -Laplace(u) = lambda e^u, the benchmark's discretisation.

Usage: scipy_newton_krylov.py GRID_SIDE LAMBDA RTOL. Solves F(u) = L u - h^2 lambda e^u = 0 on an
m x m grid (5-point stencil, zero boundary) from u = 0, stopping when ||F(u)||_2 <= RTOL ||F(0)||_2,
the stopping rule of frechet's root_find, with SciPy's default inner solver (LGMRES, no
preconditioner). Called by the implicit benchmark app; prints one JSON object with the median
seconds of three solves, the Newton iterations and the final relative residual.
"""
import json
import statistics
import sys
import time

import numpy as np
import scipy.optimize

m = int(sys.argv[1])
lam = float(sys.argv[2])
rtol = float(sys.argv[3])
h2 = 1.0 / (m + 1) ** 2


def residual(u_flat):
    u = u_flat.reshape(m, m)
    f = 4.0 * u - h2 * lam * np.exp(u)
    f[1:, :] -= u[:-1, :]
    f[:-1, :] -= u[1:, :]
    f[:, 1:] -= u[:, :-1]
    f[:, :-1] -= u[:, 1:]
    return f.ravel()


u0 = np.zeros(m * m)
f0 = np.linalg.norm(residual(u0))
samples = []
iterations = 0
for _ in range(3):
    counter = {"k": 0}
    start = time.perf_counter()
    u = scipy.optimize.newton_krylov(residual, u0, f_tol=rtol * f0, tol_norm=np.linalg.norm,
                                     callback=lambda x, r: counter.__setitem__("k", counter["k"] + 1))
    samples.append(time.perf_counter() - start)
    iterations = counter["k"]
print(json.dumps({"seconds": statistics.median(samples), "iterations": iterations,
                  "relative_residual": float(np.linalg.norm(residual(u)) / f0)}))
