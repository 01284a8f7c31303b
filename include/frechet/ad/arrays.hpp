#pragma once
/// \file
/// Arrays of dual numbers stored as a struct of arrays: a DualVector<S> is (value, tangent), two
/// vectors of S, and a DualMatrix<S> is (value, tangent), two matrices, so that a product of dual
/// matrices stays a handful of BLAS calls. With S = Dual<double> the storage nests (four arrays) for
/// second derivatives. The views and kernels of detail/kernels.hpp are what the rules are written
/// in: one generic body per rule runs on doubles and on duals at any level.

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>

#include "frechet/ad/dual.hpp"
#include "frechet/ad/detail/inline.hpp"
#include "frechet/core/dense_matrix.hpp"
#include "frechet/core/error.hpp"
#include "frechet/core/vector.hpp"

namespace frechet {

template <class S> struct DualVector;
template <class S> struct DualMatrix;

namespace detail {
template <class S> struct DualView;
template <class S> struct DualCView;

/// The storage types of an array of S: owning vector, mutable view, read-only view, owning matrix.
template <class S> struct Arrays;
template <> struct Arrays<double> {
  using Vec = Vector;
  using View = std::span<double>;
  using CView = std::span<const double>;
  using Mat = DenseMatrix;
};
template <class S> struct Arrays<Dual<S>> {
  using Vec = DualVector<S>;
  using View = DualView<S>;
  using CView = DualCView<S>;
  using Mat = DualMatrix<S>;
};
template <class S> using View = typename Arrays<S>::View;
template <class S> using CView = typename Arrays<S>::CView;
}  // namespace detail

/// An owning vector of S: Vector for double, DualVector<T> for Dual<T>.
template <class S> using VectorOf = typename detail::Arrays<S>::Vec;
/// An owning matrix of S: DenseMatrix for double, DualMatrix<T> for Dual<T>.
template <class S> using MatrixOf = typename detail::Arrays<S>::Mat;

/// A vector of Dual<S> in struct-of-arrays form: the values and the tangents (one direction).
template <class S = double>
struct DualVector {
  using scalar_type = Dual<S>;
  VectorOf<S> value;    ///< the point
  VectorOf<S> tangent;  ///< the direction it moves in

  DualVector() = default;
  /// n zeros.
  explicit DualVector(std::size_t n);
  /// The point `value` moving in direction `tangent`; throws ShapeError if the sizes differ.
  DualVector(VectorOf<S> value, VectorOf<S> tangent);
  /// Number of entries.
  std::size_t size() const noexcept;
  /// Entry i as a dual number. Inlined: a scalar loop over a DualVector calls it per entry.
  FRECHET_AD_INLINE Dual<S> operator[](std::size_t i) const;
};

/// A matrix of Dual<S> in struct-of-arrays form: the value matrix and the tangent matrix.
template <class S = double>
struct DualMatrix {
  using scalar_type = Dual<S>;
  MatrixOf<S> value;    ///< the point
  MatrixOf<S> tangent;  ///< the direction it moves in

  DualMatrix() = default;
  /// rows x cols zeros.
  DualMatrix(std::size_t rows, std::size_t cols);
  /// The point `value` moving in direction `tangent`; throws ShapeError if the shapes differ.
  DualMatrix(MatrixOf<S> value, MatrixOf<S> tangent);
  std::size_t rows() const noexcept;
  std::size_t cols() const noexcept;
  /// rows() * cols()
  std::size_t size() const noexcept { return rows() * cols(); }
  /// Entry (i, j) as a dual number.
  Dual<S> operator()(std::size_t i, std::size_t j) const;
};

}  // namespace frechet

#include "frechet/ad/detail/kernels.hpp"

namespace frechet {

// ---- DualVector / DualMatrix members ---------------------------------------------------------
template <class S>
DualVector<S>::DualVector(std::size_t n) : value(detail::zeros<S>(n)), tangent(detail::zeros<S>(n)) {}
template <class S>
DualVector<S>::DualVector(VectorOf<S> v, VectorOf<S> t) : value(std::move(v)), tangent(std::move(t)) {
  check_size("DualVector: size of tangent", value.size(), tangent.size());
}
template <class S> std::size_t DualVector<S>::size() const noexcept { return value.size(); }
template <class S> FRECHET_AD_INLINE Dual<S> DualVector<S>::operator[](std::size_t i) const {
  return detail::at(detail::cview(*this), i);
}

template <class S>
DualMatrix<S>::DualMatrix(std::size_t rows, std::size_t cols)
    : value(detail::zero_matrix<S>(rows, cols)), tangent(detail::zero_matrix<S>(rows, cols)) {}
template <class S>
DualMatrix<S>::DualMatrix(MatrixOf<S> v, MatrixOf<S> t) : value(std::move(v)), tangent(std::move(t)) {
  if (value.rows() != tangent.rows() || value.cols() != tangent.cols()) {
    throw ShapeError("DualMatrix: tangent must have the shape of the value " +
                     detail::shape_string(value.rows(), value.cols()) + ", got " +
                     detail::shape_string(tangent.rows(), tangent.cols()));
  }
}
template <class S> std::size_t DualMatrix<S>::rows() const noexcept { return value.rows(); }
template <class S> std::size_t DualMatrix<S>::cols() const noexcept { return value.cols(); }
template <class S> Dual<S> DualMatrix<S>::operator()(std::size_t i, std::size_t j) const {
  return detail::at(detail::cview(*this), i + j * rows());
}

namespace detail {
template <class V> struct ScalarOf {
  using type = typename V::scalar_type;
};
template <class T> struct ScalarOf<std::vector<T>> {
  using type = T;
};
template <> struct ScalarOf<Vector> {
  using type = double;
};
template <> struct ScalarOf<DenseMatrix> {
  using type = double;
};
template <class T> struct ScalarOf<std::span<T>> {
  using type = std::remove_const_t<T>;
};
}  // namespace detail

/// The scalar type of an array type: double for Vector, Dual<S> for DualVector<S>, TapeScalar<S> for
/// TapeVector<S>, T for std::span<const T> and std::vector<T>. Scalar-style templates use it for
/// their accumulators.
template <class V> using scalar_t = typename detail::ScalarOf<std::remove_cvref_t<V>>::type;

}  // namespace frechet
