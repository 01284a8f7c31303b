// A C++ application outside the project, built against the installed frechet through pkg-config:
// proves the installed headers are self-contained and the installed library links and runs.
#include <frechet/frechet.hpp>

#include <cstdio>

int main() {
  using namespace frechet;
  // Solve the 2D Poisson problem with a dense LU of the installed library's CSR matrix, and check the
  // result through a composed operator.
  const CsrMatrix a = laplacian_2d(8, 8);
  const Vector ones(a.cols(), 1.0);
  const Vector b = a.apply(ones);
  const Vector x = LuFactorization(a.to_dense()).solve(b);
  const OperatorPtr op = sparse_operator(a);
  const Vector ax = compose(identity_operator(a.rows()), op)->apply(x);
  Vector r = b;
  axpy(-1.0, ax, r);
  const double rel = norm2(r) / norm2(b);
  std::printf("consumer: n = %zu, relative residual %.2e\n", a.rows(), rel);
  return rel < 1e-12 ? 0 : 1;
}
