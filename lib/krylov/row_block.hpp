#pragma once
// The rows a Krylov method's operator holds when it is one block of an operator split by rows over
// processes, and the orthogonalisation against a basis stored by those rows. Internal: lib/petsc
// gives the estimators a block with MPI's reduction.

#include <cmath>
#include <cstddef>
#include <functional>

#include "frechet/core/blas1.hpp"
#include "frechet/core/vector.hpp"
#include "orthogonalize.hpp"

namespace frechet::detail {

/// The rows a method's operator holds: rows [offset, offset + rows()) of a square operator of
/// global_size rows split in contiguous blocks over processes (lib/petsc's distributed operators),
/// the entries of the vectors it is applied to split alike. `sum` adds an array of this process's
/// partial sums over all processes, in place (collective; MPI_Allreduce in lib/petsc). A block with
/// an empty `sum` holds every row, and every reduction is the identity: the estimators then compute
/// exactly what they computed before there were blocks.
struct RowBlock {
  std::size_t offset = 0;
  std::size_t global_size = 0;
  std::function<void(VectorView)> sum{};

  /// All n rows, in one process.
  static RowBlock whole(std::size_t n) { return {.offset = 0, .global_size = n}; }
  bool is_whole() const { return !sum; }
  /// Adds partial sums over the processes, in place.
  void reduce(VectorView partial) const {
    if (sum) sum(partial);
  }
  /// <x, y> over all rows.
  double dot(ConstVectorView x, ConstVectorView y) const {
    double s = frechet::dot(x, y);
    reduce(VectorView(&s, 1));
    return s;
  }
  /// ||x||_2 over all rows: core's norm2 for the whole, else the root of the sum of the blocks'
  /// squared norms (each scaled against overflow by norm2).
  double norm2(ConstVectorView x) const { return combine_norms(frechet::norm2(x)); }
  /// The norm over all rows of a vector whose block's part has norm `local`.
  double combine_norms(double local) const {
    if (is_whole()) return local;
    double square = local * local;
    reduce(VectorView(&square, 1));
    return std::sqrt(square);
  }
};

/// Makes w orthogonal to the k orthonormal columns of `basis` (the block's rows of them, leading
/// dimension n) over all rows: orthogonalize's classical Gram-Schmidt twice, the coefficients of each
/// pass summed over the blocks before they are used, both passes' coefficients summed into h[0..k).
/// With the whole block it does what orthogonalize does, bit for bit, except the final norm, which
/// the caller takes (block.norm2(w)) when it needs it. `scratch` needs k entries.
inline void orthogonalize_rows(const double* basis, std::size_t n, std::size_t k, VectorView w, VectorView h,
                               VectorView scratch, const RowBlock& block) {
  if (k == 0) return;
  const VectorView first = h.first(k), second = scratch.first(k);
  basis_dots(basis, n, k, w, first);
  block.reduce(first);
  basis_axpy(-1.0, basis, n, k, first, w);
  basis_dots(basis, n, k, w, second);
  block.reduce(second);
  basis_axpy(-1.0, basis, n, k, second, w);
  for (std::size_t i = 0; i < k; ++i) first[i] += second[i];
}

}  // namespace frechet::detail
