#pragma once
/// \file
/// Views of arrays of any scalar level (double, Dual<double>, ...) and the kernels the rules are
/// written in: element access, BLAS-1 on views, and BLAS-2/3 (OpenBLAS at the double level, the
/// product rule above it). Included by arrays.hpp; internal to the AD layer.

#include <algorithm>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>

#include "frechet/ad/detail/inline.hpp"
#include "frechet/ad/dual.hpp"
#include "frechet/core/blas1.hpp"
#include "frechet/core/dense_matrix.hpp"
#include "frechet/core/vector.hpp"

namespace frechet {

namespace detail {

/// A mutable view of Dual<S> entries: two views of S of equal size.
template <class S> struct DualView {
  View<S> value;
  View<S> tangent;
  std::size_t size() const noexcept { return value.size(); }
  bool empty() const noexcept { return value.empty(); }
};
/// A read-only view of Dual<S> entries. An empty `tangent` beside a non-empty `value` means a zero
/// tangent (a constant), which the kernels skip instead of multiplying by zeros.
template <class S> struct DualCView {
  CView<S> value;
  CView<S> tangent;
  DualCView() = default;
  DualCView(CView<S> v, CView<S> t) : value(v), tangent(t) {}
  DualCView(const DualView<S>& v) : value(v.value), tangent(v.tangent) {}  // NOLINT
  std::size_t size() const noexcept { return value.size(); }
  bool empty() const noexcept { return value.empty(); }
  bool constant() const noexcept { return tangent.empty() && !value.empty(); }
};

/// A column-major matrix view of S entries.
template <class S> struct MatView {
  View<S> data;
  std::size_t rows = 0;
  std::size_t cols = 0;
};
template <class S> struct CMatView {
  CView<S> data;
  std::size_t rows = 0;
  std::size_t cols = 0;
  CMatView() = default;
  CMatView(CView<S> d, std::size_t r, std::size_t c) : data(d), rows(r), cols(c) {}
  CMatView(const MatView<S>& m) : data(m.data), rows(m.rows), cols(m.cols) {}  // NOLINT
};

/// "RxC" for messages.
inline std::string shape_string(std::size_t rows, std::size_t cols) {
  return std::to_string(rows) + "x" + std::to_string(cols);
}

// ---- element access ---------------------------------------------------------------------------
FRECHET_AD_INLINE double at(std::span<const double> x, std::size_t i) { return x[i]; }
FRECHET_AD_INLINE double at(std::span<double> x, std::size_t i) { return x[i]; }
FRECHET_AD_INLINE void put(std::span<double> x, std::size_t i, double v) { x[i] = v; }
FRECHET_AD_INLINE void add_at(std::span<double> x, std::size_t i, double v) { x[i] += v; }
template <class S> FRECHET_AD_INLINE Dual<S> at(const DualCView<S>& x, std::size_t i) {
  return Dual<S>(at(x.value, i), x.tangent.empty() ? S(0.0) : at(x.tangent, i));
}
template <class S> FRECHET_AD_INLINE Dual<S> at(const DualView<S>& x, std::size_t i) { return at(DualCView<S>(x), i); }
template <class S> FRECHET_AD_INLINE void put(const DualView<S>& x, std::size_t i, const Dual<S>& v) {
  put(x.value, i, v.value());
  put(x.tangent, i, v.tangent());
}
template <class S> FRECHET_AD_INLINE void add_at(const DualView<S>& x, std::size_t i, const Dual<S>& v) {
  add_at(x.value, i, v.value());
  add_at(x.tangent, i, v.tangent());
}

inline std::span<const double> sub(std::span<const double> x, std::size_t off, std::size_t n) {
  return x.subspan(off, n);
}
inline std::span<double> sub(std::span<double> x, std::size_t off, std::size_t n) {
  return x.subspan(off, n);
}
template <class S> DualCView<S> sub(const DualCView<S>& x, std::size_t off, std::size_t n) {
  return {sub(x.value, off, n), x.tangent.empty() ? CView<S>() : sub(x.tangent, off, n)};
}
template <class S> DualView<S> sub(const DualView<S>& x, std::size_t off, std::size_t n) {
  return {sub(x.value, off, n), sub(x.tangent, off, n)};
}

// ---- views of owning storage ------------------------------------------------------------------
inline std::span<double> view(Vector& x) { return x; }
inline std::span<const double> cview(const Vector& x) { return x; }
inline std::span<double> view(DenseMatrix& a) { return a.values(); }
inline std::span<const double> cview(const DenseMatrix& a) { return a.values(); }
template <class S> DualView<S> view(DualVector<S>& x) { return {view(x.value), view(x.tangent)}; }
template <class S> DualCView<S> cview(const DualVector<S>& x) { return {cview(x.value), cview(x.tangent)}; }
template <class S> DualView<S> view(DualMatrix<S>& a) { return {view(a.value), view(a.tangent)}; }
template <class S> DualCView<S> cview(const DualMatrix<S>& a) { return {cview(a.value), cview(a.tangent)}; }

/// n zeros of S.
template <class S> VectorOf<S> zeros(std::size_t n) {
  if constexpr (std::is_same_v<S, double>) {
    return Vector(n, 0.0);
  } else {
    return VectorOf<S>(n);
  }
}
/// A new vector holding a copy of x (an absent tangent becomes zeros).
inline Vector to_vector(std::span<const double> x) { return Vector(x.begin(), x.end()); }
template <class S> DualVector<S> to_vector(const DualCView<S>& x) {
  return DualVector<S>(to_vector(x.value), x.tangent.empty() ? zeros<S>(x.size()) : to_vector(x.tangent));
}
/// rows x cols zeros of S.
template <class S> MatrixOf<S> zero_matrix(std::size_t rows, std::size_t cols) {
  if constexpr (std::is_same_v<S, double>) {
    return DenseMatrix(rows, cols);
  } else {
    return MatrixOf<S>(rows, cols);
  }
}

/// A constant of level S: the doubles of `x` with zero (absent) tangents at every level.
template <class S> CView<S> lift(std::span<const double> x) {
  if constexpr (std::is_same_v<S, double>) {
    return x;
  } else {
    return CView<S>(lift<typename S::value_type>(x), {});
  }
}

// ---- BLAS-1 on views --------------------------------------------------------------------------
inline void fill_zero(std::span<double> x) { std::fill(x.begin(), x.end(), 0.0); }
template <class S> void fill_zero(const DualView<S>& x) {
  fill_zero(x.value);
  fill_zero(x.tangent);
}
/// y = x
inline void copy(std::span<const double> x, std::span<double> y) { std::copy(x.begin(), x.end(), y.begin()); }
/// y = x, then x = 0, in one pass over x.
inline void move_out(std::span<double> x, std::span<double> y) {
  for (std::size_t i = 0; i < x.size(); ++i) {
    y[i] = x[i];
    x[i] = 0.0;
  }
}
template <class S> void move_out(const DualView<S>& x, const DualView<S>& y) {
  move_out(x.value, y.value);
  move_out(x.tangent, y.tangent);
}
template <class S> void copy(const DualCView<S>& x, const DualView<S>& y) {
  copy(x.value, y.value);
  if (x.tangent.empty()) {
    fill_zero(y.tangent);
  } else {
    copy(x.tangent, y.tangent);
  }
}
/// True when a and b are the same array (same storage and length).
inline bool same_array(std::span<const double> a, std::span<const double> b) {
  return a.data() == b.data() && a.size() == b.size();
}
template <class S> bool same_array(const DualCView<S>& a, const DualCView<S>& b) {
  return same_array(a.value, b.value) && same_array(a.tangent, b.tangent);
}
/// y += a x
inline void axpy(double a, std::span<const double> x, std::span<double> y) {
  const std::size_t n = x.size();
  double* __restrict yp = y.data();
  const double* __restrict xp = x.data();
  for (std::size_t i = 0; i < n; ++i) yp[i] += a * xp[i];
}
template <class S> void axpy(double a, const DualCView<S>& x, const DualView<S>& y) {
  axpy(a, x.value, y.value);
  if (!x.tangent.empty()) axpy(a, x.tangent, y.tangent);
}
/// y += a x with a dual coefficient: y.t += a.v x.t + a.t x.v. One pass over the arrays at the
/// first level (y.t would otherwise be read and written twice).
template <class S> void axpy(const Dual<S>& a, const DualCView<S>& x, const DualView<S>& y) {
  if constexpr (std::is_same_v<S, double>) {
    const std::size_t n = x.value.size();
    const double av = a.value(), at = a.tangent();
    const double* __restrict xv = x.value.data();
    double* __restrict yv = y.value.data();
    double* __restrict yt = y.tangent.data();
    if (x.tangent.empty()) {
      for (std::size_t i = 0; i < n; ++i) {
        yv[i] += av * xv[i];
        yt[i] += at * xv[i];
      }
    } else {
      const double* __restrict xt = x.tangent.data();
      for (std::size_t i = 0; i < n; ++i) {
        yv[i] += av * xv[i];
        yt[i] += av * xt[i] + at * xv[i];
      }
    }
  } else {
    axpy(a.value(), x.value, y.value);
    if (!x.tangent.empty()) axpy(a.value(), x.tangent, y.tangent);
    axpy(a.tangent(), x.value, y.tangent);
  }
}
/// x . y: the library's one dot product (core/blas1.hpp).
inline double dot(std::span<const double> x, std::span<const double> y) { return frechet::dot(x, y); }
/// x . y for dual arrays: value and tangent sums in one pass at the first level.
template <class S> Dual<S> dot(const DualCView<S>& x, const DualCView<S>& y) {
  if constexpr (std::is_same_v<S, double>) {
    if (!x.tangent.empty() && !y.tangent.empty()) {
      const std::size_t n = x.value.size(), n2 = n - n % 2;
      double v0 = 0.0, v1 = 0.0, t0 = 0.0, t1 = 0.0;
      for (std::size_t i = 0; i < n2; i += 2) {
        v0 += x.value[i] * y.value[i];
        v1 += x.value[i + 1] * y.value[i + 1];
        t0 += x.tangent[i] * y.value[i] + x.value[i] * y.tangent[i];
        t1 += x.tangent[i + 1] * y.value[i + 1] + x.value[i + 1] * y.tangent[i + 1];
      }
      for (std::size_t i = n2; i < n; ++i) {
        v0 += x.value[i] * y.value[i];
        t0 += x.tangent[i] * y.value[i] + x.value[i] * y.tangent[i];
      }
      return Dual<S>(v0 + v1, t0 + t1);
    }
  }
  S t = S(0.0);
  if (!x.tangent.empty()) t = t + dot(x.tangent, y.value);
  if (!y.tangent.empty()) t = t + dot(x.value, y.tangent);
  return Dual<S>(dot(x.value, y.value), t);
}
/// sum_i x_i
inline double sum(std::span<const double> x) {
  double s = 0.0;
  for (double v : x) s += v;
  return s;
}
template <class S> Dual<S> sum(const DualCView<S>& x) {
  return Dual<S>(sum(x.value), x.tangent.empty() ? S(0.0) : sum(x.tangent));
}

// ---- BLAS-2/3 on views (double level in lib/ad/kernels.cpp, duals by the product rule) --------
/// y = alpha op(A) x + beta y, beta 0 (write) or 1 (accumulate).
void gemv(double alpha, const CMatView<double>& a, Transpose op, std::span<const double> x, double beta,
          std::span<double> y);
/// C = alpha op(A) op(B) + beta C, beta 0 or 1.
void gemm(double alpha, const CMatView<double>& a, Transpose op_a, const CMatView<double>& b,
          Transpose op_b, double beta, const MatView<double>& c);
/// A += alpha x y^T
void ger(double alpha, std::span<const double> x, std::span<const double> y, const MatView<double>& a);

template <class S> CMatView<S> value_part(const CMatView<Dual<S>>& m) { return {m.data.value, m.rows, m.cols}; }
template <class S> CMatView<S> tangent_part(const CMatView<Dual<S>>& m) {
  return {m.data.tangent, m.rows, m.cols};
}
template <class S> MatView<S> value_part(const MatView<Dual<S>>& m) { return {m.data.value, m.rows, m.cols}; }
template <class S> MatView<S> tangent_part(const MatView<Dual<S>>& m) {
  return {m.data.tangent, m.rows, m.cols};
}

template <class S>
void gemv(double alpha, const CMatView<Dual<S>>& a, Transpose op, const DualCView<S>& x, double beta,
          const DualView<S>& y) {
  // (A + eps A')(x + eps x') = A x + eps (A' x + A x')
  gemv(alpha, value_part(a), op, x.value, beta, y.value);
  double b = beta;
  if (!a.data.tangent.empty()) {
    gemv(alpha, tangent_part(a), op, x.value, b, y.tangent);
    b = 1.0;
  }
  if (!x.tangent.empty()) {
    gemv(alpha, value_part(a), op, x.tangent, b, y.tangent);
    b = 1.0;
  }
  if (b == 0.0) fill_zero(y.tangent);
}
template <class S>
void gemm(double alpha, const CMatView<Dual<S>>& a, Transpose op_a, const CMatView<Dual<S>>& b,
          Transpose op_b, double beta, const MatView<Dual<S>>& c) {
  gemm(alpha, value_part(a), op_a, value_part(b), op_b, beta, value_part(c));
  double bt = beta;
  if (!a.data.tangent.empty()) {
    gemm(alpha, tangent_part(a), op_a, value_part(b), op_b, bt, tangent_part(c));
    bt = 1.0;
  }
  if (!b.data.tangent.empty()) {
    gemm(alpha, value_part(a), op_a, tangent_part(b), op_b, bt, tangent_part(c));
    bt = 1.0;
  }
  if (bt == 0.0) fill_zero(c.data.tangent);
}
template <class S>
void ger(double alpha, const DualCView<S>& x, const DualCView<S>& y, const MatView<Dual<S>>& a) {
  ger(alpha, x.value, y.value, value_part(a));
  if (!x.tangent.empty()) ger(alpha, x.tangent, y.value, tangent_part(a));
  if (!y.tangent.empty()) ger(alpha, x.value, y.tangent, tangent_part(a));
}

}  // namespace detail

}  // namespace frechet
