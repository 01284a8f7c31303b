// doc/guide.md, "Precondition": the same CG solve with no preconditioner, Jacobi, IC(0) and AMG.
#include <cmath>
#include <cstdio>
#include <vector>

#include "frechet/frechet.hpp"

int main() {
  using namespace frechet;
  // A badly scaled SPD matrix: S L S, L the 5-point Laplacian on 64 x 64 points, S = diag(s) with
  // s_i between 1 and 100, as when the unknowns are measured in different units.
  const CsrMatrix laplacian = laplacian_2d(64, 64);
  const std::size_t n = laplacian.rows();
  Vector s(n);
  for (std::size_t i = 0; i < n; ++i) s[i] = std::pow(100.0, (i % 17) / 16.0);
  std::vector<SparseIndex> offsets(laplacian.row_offsets().begin(), laplacian.row_offsets().end());
  std::vector<SparseIndex> columns(laplacian.col_indices().begin(), laplacian.col_indices().end());
  Vector values(laplacian.values().begin(), laplacian.values().end());
  for (std::size_t i = 0; i < n; ++i)
    for (SparseIndex k = offsets[i]; k < offsets[i + 1]; ++k) values[k] *= s[i] * s[columns[k]];
  const OperatorTraits spd{.symmetric = true, .positive_definite = true};
  const auto a =
      std::make_shared<const CsrMatrix>(n, n, std::move(offsets), std::move(columns), std::move(values), spd);
  const Vector b(n, 1.0);

  bool all_converged = true;
  const auto report = [&](const char* name, OperatorPtr m) {
    const SolveResult r = cg(*a, b, {.rtol = 1e-8, .preconditioner = m});
    std::printf("%-8s %4d iterations, %s\n", name, r.iterations, reason_name(r.reason).c_str());
    all_converged = all_converged && r.converged;
    return r.iterations;
  };
  const int none = report("none", nullptr);
  const int jacobi = report("Jacobi", jacobi_preconditioner(*a));     // undoes the scaling
  const int ic0 = report("IC(0)", ic0_preconditioner(*a));            // L L^T on A's pattern
  const int amg = report("AMG", amg_preconditioner(a));               // shares a, no copy
  return all_converged && none > jacobi && jacobi > ic0 && jacobi > amg ? 0 : 1;
}
