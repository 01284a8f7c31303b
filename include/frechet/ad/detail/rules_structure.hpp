#pragma once
/// \file
/// Structure: slices, concatenation, reshapes, transposes and broadcasting, which move entries without arithmetic.
/// Each rule is written once, for every scalar level, to the protocol of detail/rule.hpp.

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "frechet/ad/detail/rule.hpp"
#include "frechet/core/blas1.hpp"

namespace frechet::detail {

/// y_i = x[begin + i * stride], i < count: a gather; its VJP scatters.
struct Slice {
  static constexpr std::size_t arity = 1;
  std::size_t begin = 0;
  std::size_t length = 0;
  std::size_t stride = 1;
  const char* name() const { return "slice"; }
  Shape shape(const std::array<Shape, 1>& in) const {
    check_vector(name(), "x", in[0]);
    if (stride == 0) throw_rule_shape(name(), "stride must be positive");
    if (length > 0 && begin + (length - 1) * stride >= in[0].rows)
      throw_rule_shape(name(), "entries " + std::to_string(begin) + " + " + std::to_string(stride) + " k, k < " +
                                   std::to_string(length) + ", exceed the " + std::to_string(in[0].rows) +
                                   " entries of x");
    return {length, 1};
  }
  template <class S> NothingSaved primal(const Args<1, S>& x, const MatView<S>& y) const {
    for (std::size_t i = 0; i < length; ++i) put(y.data, i, at(x[0].data, begin + i * stride));
    return {};
  }
  template <class S, class R>
  void jvp(const Args<1, S>&, const CMatView<S>&, const R&, const Args<1, S>& dx, const MatView<S>& dy) const {
    for (std::size_t i = 0; i < length; ++i) put(dy.data, i, at(dx[0].data, begin + i * stride));
  }
  template <class S, class R>
  void vjp(const Args<1, S>&, const CMatView<S>&, const R&, const CMatView<S>& ybar, const Cotangents<1, S>& xbar) const {
    if (!present(xbar[0])) return;
    for (std::size_t i = 0; i < length; ++i) add_at(xbar[0].data, begin + i * stride, at(ybar.data, i));
  }
};

/// [a; b]: two vectors one after the other.
struct Concat {
  static constexpr std::size_t arity = 2;
  const char* name() const { return "concat"; }
  Shape shape(const std::array<Shape, 2>& in) const {
    check_vector(name(), "a", in[0]);
    check_vector(name(), "b", in[1]);
    return {in[0].rows + in[1].rows, 1};
  }
  template <class S> NothingSaved primal(const Args<2, S>& x, const MatView<S>& y) const {
    copy(x[0].data, sub(y.data, 0, x[0].rows));
    copy(x[1].data, sub(y.data, x[0].rows, x[1].rows));
    return {};
  }
  template <class S, class R>
  void jvp(const Args<2, S>& x, const CMatView<S>&, const R&, const Args<2, S>& dx, const MatView<S>& dy) const {
    fill_zero(dy.data);
    if (present(dx[0])) copy(dx[0].data, sub(dy.data, 0, x[0].rows));
    if (present(dx[1])) copy(dx[1].data, sub(dy.data, x[0].rows, x[1].rows));
  }
  template <class S, class R>
  void vjp(const Args<2, S>& x, const CMatView<S>&, const R&, const CMatView<S>& ybar, const Cotangents<2, S>& xbar) const {
    if (present(xbar[0])) axpy(1.0, sub(ybar.data, 0, x[0].rows), xbar[0].data);
    if (present(xbar[1])) axpy(1.0, sub(ybar.data, x[0].rows, x[1].rows), xbar[1].data);
  }
};

/// The same entries read as another shape (column-major order kept).
struct Reshape {
  static constexpr std::size_t arity = 1;
  std::size_t rows = 0;
  std::size_t cols = 0;
  const char* name() const { return "reshape"; }
  Shape shape(const std::array<Shape, 1>& in) const {
    if (in[0].size() != rows * cols)
      throw_rule_shape(name(), "cannot read " + to_string(in[0]) + " as " + shape_string(rows, cols));
    return {rows, cols};
  }
  template <class S> NothingSaved primal(const Args<1, S>& x, const MatView<S>& y) const {
    copy(x[0].data, y.data);
    return {};
  }
  template <class S, class R>
  void jvp(const Args<1, S>&, const CMatView<S>&, const R&, const Args<1, S>& dx, const MatView<S>& dy) const {
    copy(dx[0].data, dy.data);
  }
  template <class S, class R>
  void vjp(const Args<1, S>&, const CMatView<S>&, const R&, const CMatView<S>& ybar, const Cotangents<1, S>& xbar) const {
    if (present(xbar[0])) axpy(1.0, ybar.data, xbar[0].data);
  }
};

/// A^T.
struct TransposeRule {
  static constexpr std::size_t arity = 1;
  const char* name() const { return "transpose"; }
  Shape shape(const std::array<Shape, 1>& in) const { return {in[0].cols, in[0].rows}; }
  template <class S, class In, class Out> static void transpose_into(const In& a, const Out& b, std::size_t rows, std::size_t cols, bool accumulate) {
    for (std::size_t j = 0; j < cols; ++j)
      for (std::size_t i = 0; i < rows; ++i) {
        if (accumulate) {
          add_at(b, j + i * cols, at(a, i + j * rows));
        } else {
          put(b, j + i * cols, at(a, i + j * rows));
        }
      }
  }
  template <class S> NothingSaved primal(const Args<1, S>& x, const MatView<S>& y) const {
    transpose_into<S>(x[0].data, y.data, x[0].rows, x[0].cols, false);
    return {};
  }
  template <class S, class R>
  void jvp(const Args<1, S>& x, const CMatView<S>&, const R&, const Args<1, S>& dx, const MatView<S>& dy) const {
    transpose_into<S>(dx[0].data, dy.data, x[0].rows, x[0].cols, false);
  }
  template <class S, class R>
  void vjp(const Args<1, S>& x, const CMatView<S>&, const R&, const CMatView<S>& ybar, const Cotangents<1, S>& xbar) const {
    if (present(xbar[0])) transpose_into<S>(ybar.data, xbar[0].data, x[0].cols, x[0].rows, true);
  }
};

/// Z + b broadcast along the rows: y(i, j) = Z(i, j) + b(j), as numpy's Z + b for a bias b.
struct BroadcastAdd {
  static constexpr std::size_t arity = 2;
  const char* name() const { return "broadcast_add"; }
  Shape shape(const std::array<Shape, 2>& in) const {
    check_vector(name(), "b", in[1]);
    if (in[1].rows != in[0].cols)
      throw_rule_shape(name(), "Z is " + to_string(in[0]) + " but b has " + std::to_string(in[1].rows) +
                                   " entries (one per column expected)");
    return in[0];
  }
  template <class S> NothingSaved primal(const Args<2, S>& x, const MatView<S>& y) const {
    const std::size_t m = x[0].rows;
    for (std::size_t j = 0; j < x[0].cols; ++j) {
      const S bj = at(x[1].data, j);
      for (std::size_t i = 0; i < m; ++i) put(y.data, i + j * m, at(x[0].data, i + j * m) + bj);
    }
    return {};
  }
  template <class S, class R>
  void jvp(const Args<2, S>& x, const CMatView<S>&, const R&, const Args<2, S>& dx, const MatView<S>& dy) const {
    const std::size_t m = x[0].rows;
    for (std::size_t j = 0; j < x[0].cols; ++j) {
      const S bj = present(dx[1]) ? at(dx[1].data, j) : S(0.0);
      for (std::size_t i = 0; i < m; ++i)
        put(dy.data, i + j * m, (present(dx[0]) ? at(dx[0].data, i + j * m) : S(0.0)) + bj);
    }
  }
  template <class S, class R>
  void vjp(const Args<2, S>& x, const CMatView<S>&, const R&, const CMatView<S>& ybar, const Cotangents<2, S>& xbar) const {
    const std::size_t m = x[0].rows;
    if (present(xbar[0])) axpy(1.0, ybar.data, xbar[0].data);
    if (present(xbar[1]))
      for (std::size_t j = 0; j < x[0].cols; ++j) add_at(xbar[1].data, j, sum(sub(ybar.data, j * m, m)));
  }
};

}  // namespace frechet::detail
