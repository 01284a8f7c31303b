#include "small_eigen.hpp"

#include <cstddef>
#include <string>

#include "core/lapack.hpp"
#include "frechet/core/error.hpp"

namespace frechet::detail {

SmallSymmetricEigen::SmallSymmetricEigen(std::size_t max_size)
    : max_size_(max_size),
      vectors_(max_size * max_size),
      values_(max_size),
      // dsyevd with jobz = 'V' needs 1 + 6n + 2n^2 doubles and 3 + 5n ints; both grow with n.
      work_(1 + 6 * max_size + 2 * max_size * max_size),
      iwork_(3 + 5 * max_size) {}

void SmallSymmetricEigen::compute(const double* t, std::size_t ld, std::size_t k) {
  if (k > max_size_) {
    throw ArgumentError("SmallSymmetricEigen: size " + std::to_string(k) + " exceeds the workspace " +
                        std::to_string(max_size_));
  }
  k_ = k;
  if (k == 0) return;
  for (std::size_t j = 0; j < k; ++j)
    for (std::size_t i = 0; i < k; ++i) vectors_[i + j * k] = t[i + j * ld];
  constexpr const char* what = "SmallSymmetricEigen";
  const blas::blas_int n = blas::to_blas_int(k, what), lda = n;
  const blas::blas_int lwork = blas::to_blas_int(1 + 6 * k + 2 * k * k, what);
  const blas::blas_int liwork = blas::to_blas_int(3 + 5 * k, what);
  blas::blas_int info = 0;
  lapack::dsyevd_("V", "L", &n, vectors_.data(), &lda, values_.data(), work_.data(), &lwork, iwork_.data(),
          &liwork, &info, 1, 1);
  if (info != 0) {
    throw NumericalError("SmallSymmetricEigen: LAPACK dsyevd failed with info = " + std::to_string(info) +
                         " (a non-finite entry in the projected matrix?)");
  }
}

}  // namespace frechet::detail
