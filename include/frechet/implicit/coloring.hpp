#pragma once
/// \file
/// Sparse Jacobians from the AD layer by graph colouring (Curtis, Powell and Reid): columns of J
/// that share no row can be seeded together, so one JVP per colour recovers every nonzero, and a
/// stencil's Jacobian costs a handful of JVPs (5 for the 5-point stencil, 7 for the 7-point), not n.
/// The colouring is a distance-2 colouring of the column intersection graph (columns j and k are
/// adjacent when some row has nonzeros in both), found greedily.
///
/// Sparse Hessians the same way, from one Hessian-vector product per colour: the colouring is the
/// distance-2 colouring of the Hessian's adjacency graph (the column colouring of its pattern), read
/// by direct recovery, H_ij from the product of column j's colour at row i, then symmetrised, which
/// makes the result exactly symmetric (CHOLMOD's requirement) and halves the rounding. A star
/// colouring (Gebremedhin, Manne and Pothen 2005, section 6) would need fewer colours on general
/// patterns at the cost of an indirect recovery; on stencils both need about the same number.
///
/// References: A. R. Curtis, M. J. D. Powell and J. K. Reid, "On the estimation of sparse Jacobian
/// matrices", IMA J. Appl. Math. 13(1), 1974; A. H. Gebremedhin, F. Manne and A. Pothen, "What
/// color is your Jacobian? Graph coloring for computing derivatives", SIAM Review 47(4), 2005.

#include <string>
#include <type_traits>
#include <vector>

#include "frechet/ad/transforms.hpp"
#include "frechet/core/error.hpp"
#include "frechet/linop/csr_matrix.hpp"

namespace frechet {

/// The order in which the greedy colouring visits the columns.
enum class ColoringOrder {
  natural,        ///< column 0, 1, ..., n - 1
  largest_first,  ///< by decreasing degree in the column intersection graph (Welsh-Powell), ties by index
  smallest_last,  ///< the reverse of repeatedly removing a column of least remaining degree (Matula-Beck)
};

/// A partition of the columns of a sparsity pattern into structurally orthogonal groups.
struct ColumnColoring {
  std::vector<int> colors;  ///< the colour of each column, in [0, color_count)
  int color_count = 0;      ///< the number of JVPs sparse_jacobian needs
};

/// A distance-2 colouring of the column intersection graph of `pattern` (its values are ignored):
/// every column gets the smallest colour not used by a column sharing a row with it, columns
/// visited in `order`. It needs at least the largest row's number of nonzeros; greedy colourings
/// reach that bound on the 5-point stencil with smallest_last (5; natural and largest_first give 7)
/// and use 11 to 12 on the 7-point stencil (whose optimum is 7). Time O(sum over rows of
/// nnz(row)^2), memory O(n + nnz).
ColumnColoring column_coloring(const CsrMatrix& pattern, ColoringOrder order = ColoringOrder::smallest_last);

namespace detail {

/// Which matrix the compressed products belong to: it names the function and the product (JVP,
/// HVP) in error messages.
enum class CompressedMatrix { jacobian, hessian };

/// Builds the CSR Jacobian (or Hessian) of `pattern`'s structure from the compressed products
/// jv[c] = J v_c, v_c the sum of the unit vectors of colour c's columns; throws ArgumentError naming
/// the row and the colour when a product is nonzero in a row where the pattern has no column of
/// that colour (the pattern misses a nonzero of J).
CsrMatrix decompress_jacobian(CompressedMatrix kind, const CsrMatrix& pattern, const ColumnColoring& coloring,
                              const std::vector<Vector>& jv);

/// Replaces H_ij and H_ji by their mean; throws ArgumentError if `h`'s pattern is not symmetric
/// (naming the first row that differs from its column).
void symmetrize_hessian(CsrMatrix& h);

/// The direction of the verifying JVP: entries in [1, 2), irregular, the same on every call.
Vector verification_direction(std::size_t n);

/// Throws ArgumentError naming the row when J v from the CSR Jacobian differs from the JVP `jv` by
/// more than rounding: the pattern misses a nonzero that no colour revealed.
void verify_jacobian(CompressedMatrix kind, const CsrMatrix& j, ConstVectorView v, ConstVectorView jv);

}  // namespace detail

/// The Jacobian of f: R^n -> R^m at x, in CSR with the structure of `pattern` (m x n), from one JVP
/// per colour of `coloring` (forward mode: f is called with a DualVector, as for jvp), plus one JVP
/// that verifies the result in an irregular direction v (J v from the CSR matrix against the JVP):
/// a pattern that misses a nonzero of J gives a wrong Jacobian no colouring can notice, so this
/// check is not optional. Entries of the pattern where J is zero are stored as explicit zeros.
/// Throws ShapeError if the pattern's shape does not match x and f(x), and ArgumentError if the
/// coloring does not belong to the pattern (two columns sharing a row have one colour, a colour out
/// of range) or the pattern misses a nonzero (the message names the row).
template <class F>
CsrMatrix sparse_jacobian(F&& f, const Vector& x, const CsrMatrix& pattern, const ColumnColoring& coloring) {
  check_size("sparse_jacobian: columns of the pattern (the size of x)", pattern.cols(), x.size());
  check_size("sparse_jacobian: colours given (one per column of the pattern)", pattern.cols(), coloring.colors.size());
  std::vector<Vector> jv(static_cast<std::size_t>(coloring.color_count));
  Vector seed(x.size(), 0.0);
  for (int c = 0; c < coloring.color_count; ++c) {
    for (std::size_t j = 0; j < x.size(); ++j) seed[j] = coloring.colors[j] == c ? 1.0 : 0.0;
    const auto r = jvp(f, x, seed);
    if constexpr (std::is_arithmetic_v<std::remove_cvref_t<decltype(r.tangent)>>) {
      jv[static_cast<std::size_t>(c)] = Vector{static_cast<double>(r.tangent)};
    } else {
      jv[static_cast<std::size_t>(c)] = Vector(r.tangent);
    }
  }
  CsrMatrix j = detail::decompress_jacobian(detail::CompressedMatrix::jacobian, pattern, coloring, jv);
  const Vector v = detail::verification_direction(x.size());
  const auto r = jvp(f, x, v);
  if constexpr (std::is_arithmetic_v<std::remove_cvref_t<decltype(r.tangent)>>) {
    detail::verify_jacobian(detail::CompressedMatrix::jacobian, j, v, Vector{static_cast<double>(r.tangent)});
  } else {
    detail::verify_jacobian(detail::CompressedMatrix::jacobian, j, v, r.tangent);
  }
  return j;
}

/// sparse_jacobian with the smallest-last colouring of `pattern`, computed here.
template <class F> CsrMatrix sparse_jacobian(F&& f, const Vector& x, const CsrMatrix& pattern) {
  return sparse_jacobian(std::forward<F>(f), x, pattern, column_coloring(pattern));
}

/// The Hessian of a scalar f: R^n -> R at x, in CSR with the structure of `pattern` (n x n,
/// structurally symmetric, the diagonal included where H can be nonzero), from one HVP per colour of
/// `coloring` (a column colouring of the pattern; forward-over-reverse, f called as for hvp) plus one
/// verifying HVP in an irregular direction, and symmetrised (see the file comment). Throws as
/// sparse_jacobian, and ArgumentError for a pattern that is not structurally symmetric.
template <class F>
CsrMatrix sparse_hessian(F&& f, const Vector& x, const CsrMatrix& pattern, const ColumnColoring& coloring) {
  check_size("sparse_hessian: rows of the pattern (the size of x)", pattern.rows(), x.size());
  check_size("sparse_hessian: columns of the pattern (the size of x)", pattern.cols(), x.size());
  check_size("sparse_hessian: colours given (one per column of the pattern)", pattern.cols(), coloring.colors.size());
  std::vector<Vector> hv(static_cast<std::size_t>(coloring.color_count));
  Vector seed(x.size(), 0.0);
  for (int c = 0; c < coloring.color_count; ++c) {
    for (std::size_t j = 0; j < x.size(); ++j) seed[j] = coloring.colors[j] == c ? 1.0 : 0.0;
    hv[static_cast<std::size_t>(c)] = hvp(f, x, seed);
  }
  CsrMatrix h = detail::decompress_jacobian(detail::CompressedMatrix::hessian, pattern, coloring, hv);
  const Vector v = detail::verification_direction(x.size());
  detail::verify_jacobian(detail::CompressedMatrix::hessian, h, v, hvp(f, x, v));
  detail::symmetrize_hessian(h);
  return h;
}

/// sparse_hessian with the smallest-last colouring of `pattern`, computed here.
template <class F> CsrMatrix sparse_hessian(F&& f, const Vector& x, const CsrMatrix& pattern) {
  return sparse_hessian(std::forward<F>(f), x, pattern, column_coloring(pattern));
}

}  // namespace frechet
