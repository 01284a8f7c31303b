#pragma once
// Eigen-decomposition of the small symmetric projected matrices of Lanczos and stochastic Lanczos
// quadrature, with its LAPACK workspace allocated once. Internal.

#include <cstddef>
#include <vector>

#include "core/blas.hpp"
#include "frechet/core/vector.hpp"

namespace frechet::detail {

class SmallSymmetricEigen {
public:
  /// Workspace for matrices up to max_size x max_size.
  explicit SmallSymmetricEigen(std::size_t max_size);
  /// Decomposes the leading k x k block of the column-major matrix `t` (leading dimension ld; only
  /// its lower triangle is read): values() ascending, vector(j) the unit eigenvector of values()[j].
  void compute(const double* t, std::size_t ld, std::size_t k);
  std::size_t size() const { return k_; }
  ConstVectorView values() const { return ConstVectorView(values_).first(k_); }
  /// Entry i of eigenvector j.
  double vector(std::size_t i, std::size_t j) const { return vectors_[i + j * k_]; }
  const double* vectors() const { return vectors_.data(); }

private:
  std::size_t max_size_, k_ = 0;
  Vector vectors_, values_, work_;
  std::vector<blas::blas_int> iwork_;
};

}  // namespace frechet::detail
