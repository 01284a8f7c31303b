#pragma once
// Helpers shared by the test suites: random data, dense references, the real-matrix folder.

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "frechet/core/blas1.hpp"
#include "frechet/core/dense_matrix.hpp"
#include "frechet/core/random.hpp"
#include "frechet/core/threads.hpp"
#include "frechet/linop/linear_operator.hpp"

namespace frechet::testing {

/// Runs the library's parallel loops on exactly `threads` threads for the scope, whatever the
/// machine's load and of the cores (no effect without OpenMP), so that every partition is tested.
class ScopedThreads {
public:
  explicit ScopedThreads(int threads) : saved_options_(thread_options()) {
    set_thread_options({.max_threads = threads, .yield_to_load = false});
  }
  ~ScopedThreads() { set_thread_options(saved_options_); }
  ScopedThreads(const ScopedThreads&) = delete;
  ScopedThreads& operator=(const ScopedThreads&) = delete;

private:
  ThreadOptions saved_options_;
};

/// A rows x cols matrix of independent N(0, 1) entries.
inline DenseMatrix random_dense(std::size_t rows, std::size_t cols, Random& rng) {
  DenseMatrix a(rows, cols);
  rng.fill_gaussian(a.values());
  return a;
}

/// A random symmetric positive definite matrix B B^T + n I.
inline DenseMatrix random_spd(std::size_t n, Random& rng) {
  const DenseMatrix b = random_dense(n, n, rng);
  DenseMatrix a = matmul(b, b, Transpose::no, Transpose::yes);
  for (std::size_t i = 0; i < n; ++i) a(i, i) += static_cast<double>(n);
  return a;
}

/// max_i |a_i - b_i| / max(max_i |b_i|, 1e-300)
inline double relative_error(ConstVectorView a, ConstVectorView b) {
  BOOST_REQUIRE_EQUAL(a.size(), b.size());
  double d = 0.0, s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    d = std::max(d, std::abs(a[i] - b[i]));
    s = std::max(s, std::abs(b[i]));
  }
  return d / std::max(s, 1e-300);
}

/// Checks every product of `op` against the dense matrix `reference` on random vectors: apply,
/// apply_add, apply_adjoint, apply_adjoint_add, and the adjoint identity <u, A v> = <A^T u, v>.
inline void check_operator_matches(const LinearOperator& op, const DenseMatrix& reference, double tol,
                                   std::uint64_t seed = 7) {
  BOOST_REQUIRE_EQUAL(op.rows(), reference.rows());
  BOOST_REQUIRE_EQUAL(op.cols(), reference.cols());
  Random rng(seed);
  const Vector v = rng.gaussian_vector(op.cols());
  const Vector u = rng.gaussian_vector(op.rows());

  const Vector av = op.apply(v);
  BOOST_TEST(relative_error(av, matvec(reference, v)) <= tol);
  const Vector atu = op.apply_adjoint(u);
  BOOST_TEST(relative_error(atu, matvec_transpose(reference, u)) <= tol);

  Vector acc = u;  // y += A v
  op.apply_add(v, acc);
  Vector expect = u;
  gemv(1.0, reference, Transpose::no, v, 1.0, expect);
  BOOST_TEST(relative_error(acc, expect) <= tol);

  Vector acc_t = v;  // y += A^T u
  op.apply_adjoint_add(u, acc_t);
  Vector expect_t = v;
  gemv(1.0, reference, Transpose::yes, u, 1.0, expect_t);
  BOOST_TEST(relative_error(acc_t, expect_t) <= tol);

  // Dot-product test: |<u, Av> - <A^T u, v>| relative to ||u|| ||A|| ||v||.
  const double lhs = dot(u, av);
  const double rhs = dot(atu, v);
  const double scale = norm2(u) * norm2(v) * std::max(max_abs(reference), 1e-300) *
                       static_cast<double>(std::max(op.rows(), op.cols()));
  BOOST_TEST(std::abs(lhs - rhs) <= 1e-14 * scale + 1e-300);
}

/// The folder of real Matrix Market files, or empty when the build has none.
inline std::filesystem::path matrix_dir() {
  const char* dir = std::getenv("FRECHET_MATRIX_DIR");
  return dir == nullptr ? std::filesystem::path() : std::filesystem::path(dir);
}

/// Every *.mtx file of matrix_dir(), sorted by name.
inline std::vector<std::filesystem::path> matrix_files() {
  std::vector<std::filesystem::path> files;
  const auto dir = matrix_dir();
  if (dir.empty() || !std::filesystem::is_directory(dir)) return files;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().extension() == ".mtx") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace frechet::testing
