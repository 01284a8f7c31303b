#!/usr/bin/env python3
"""SciPy's minimize on the Moré-Garbow-Hillstrom problems of frechet's optim benchmark.

Usage: scipy_optim.py OPTIM_EXE. The benchmark app lists the problems (--list) and evaluates f,
grad f and H v for each (--serve N), so SciPy minimises exactly the functions frechet does, from the
same starting points, to a gradient norm of 1e-6 where the method has such a rule. Prints one JSON
object {method: {problem: {"evaluations": nfev + njev, "hvp": nhev, "success": bool}}}.

Like with like: frechet counts one function and one gradient evaluation per call of f and grad f,
the call at x0 included, as SciPy's nfev and njev do (its ScalarFunction evaluates both at x0 and
at every trial step). frechet stops at ||grad f||_2 <= 1e-6. BFGS and trust-ncg test that norm;
L-BFGS-B tests the infinity norm, which stops it up to a factor sqrt(n) sooner, so it runs to
||grad f||_inf <= 1e-6 / sqrt(n) (which implies the 2-norm rule) and its evaluations are counted at
the first iterate with ||grad f||_2 <= 1e-6 (the gradient tolerance only stops L-BFGS-B, it does
not change its iterates).
"""
import json
import subprocess
import sys

import numpy as np
import scipy.optimize


class Served:
    """f, grad f and H v of one problem, evaluated by the benchmark app through a pipe."""

    def __init__(self, exe, number):
        self.calls = 0  # calls of fun, each one f and one grad f
        self.last_x = None
        self.last_gradient_norm = np.inf
        self.calls_at_tolerance = None  # calls when an iterate first had ||grad f||_2 <= 1e-6
        self.process = subprocess.Popen([exe, "--serve", str(number)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, bufsize=1)

    def ask(self, command, *vectors):
        line = command + " " + " ".join(repr(float(v)) for vector in vectors for v in vector)
        self.process.stdin.write(line + "\n")
        return np.array([float(t) for t in self.process.stdout.readline().split()])

    def fun(self, x):
        answer = self.ask("g", x)
        self.calls += 1
        self.last_x = np.array(x, copy=True)
        self.last_gradient_norm = np.linalg.norm(answer[1:])
        return answer[0], answer[1:]

    def iterate(self, x):
        """The callback at an accepted iterate x, the last point evaluated (as in L-BFGS-B)."""
        if self.calls_at_tolerance is None and self.last_gradient_norm <= 1e-6 and np.array_equal(x, self.last_x):
            self.calls_at_tolerance = self.calls

    def hessp(self, x, p):
        return self.ask("p", x, p)

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def main():
    exe = sys.argv[1]
    listing = subprocess.run([exe, "--list"], capture_output=True, text=True, check=True).stdout
    problems = []
    for line in listing.splitlines():
        fields = line.split()
        number, name, n = int(fields[0]), fields[1], int(fields[2])
        problems.append((number, name, np.array([float(t) for t in fields[3:3 + n]])))
    # SciPy's options closest to ||grad f||_2 <= 1e-6: BFGS and trust-ncg test the gradient norm
    # (BFGS in the 2-norm when asked); L-BFGS-B the infinity norm of the projected gradient
    # (tightened below, see the module docstring);
    # Newton-CG has no gradient rule, only the average relative step xtol.
    methods = {
        "BFGS": dict(options={"gtol": 1e-6, "norm": 2, "maxiter": 200 * 20}),
        "L-BFGS-B": dict(options={"gtol": 1e-6, "ftol": 0.0, "maxiter": 15000}),
        "Newton-CG": dict(options={"xtol": 1e-10, "maxiter": 200}),
        "trust-ncg": dict(options={"gtol": 1e-6, "maxiter": 500}),
    }
    results = {}
    for method, settings in methods.items():
        results[method] = {}
        for number, name, x0 in problems:
            served = Served(exe, number)
            kwargs = dict(jac=True, method=method, **settings)
            if method in ("Newton-CG", "trust-ncg"):
                kwargs["hessp"] = served.hessp
            if method == "L-BFGS-B":
                kwargs["options"] = dict(kwargs["options"], gtol=1e-6 / np.sqrt(len(x0)))
                kwargs["callback"] = served.iterate
            try:
                r = scipy.optimize.minimize(served.fun, x0, **kwargs)
                evaluations = int(r.nfev) + int(getattr(r, "njev", r.nfev))
                success = bool(r.success)
                if method == "L-BFGS-B":
                    if served.calls_at_tolerance is not None:
                        evaluations, success = 2 * served.calls_at_tolerance, True
                results[method][name] = {"evaluations": evaluations,
                                         "hvp": int(getattr(r, "nhev", 0)), "success": success}
            except Exception as error:  # a failed run counts nothing
                print(f"{method} on {name}: {error}", file=sys.stderr)
            served.close()
    print(json.dumps(results))


if __name__ == "__main__":
    main()
