#include "frechet/linop/linear_operator.hpp"

#include <cstdint>
#include <string>

#include "frechet/core/error.hpp"

namespace frechet {
namespace {

// Every product writes y while it still reads x, so x and y must not share memory. Two address
// comparisons per call: cheap enough to make for every product.
void check_disjoint(const char* function, ConstVectorView x, VectorView y) {
  if (x.empty() || y.empty()) return;
  const auto x_begin = reinterpret_cast<std::uintptr_t>(x.data());
  const auto y_begin = reinterpret_cast<std::uintptr_t>(y.data());
  if (x_begin < y_begin + y.size() * sizeof(double) && y_begin < x_begin + x.size() * sizeof(double)) {
    throw ArgumentError(std::string(function) + ": x and y overlap in memory; expected separate vectors "
                        "(copy x first to multiply in place)");
  }
}

}  // namespace

LinearOperator::LinearOperator(std::size_t rows, std::size_t cols, OperatorTraits traits)
    : rows_(rows), cols_(cols), traits_(traits) {
  if ((traits_.symmetric || traits_.positive_definite || traits_.positive_semidefinite) && rows != cols) {
    throw ShapeError("LinearOperator: a symmetric or definite operator must be square, got " +
                     std::to_string(rows) + "x" + std::to_string(cols));
  }
}

void LinearOperator::apply(ConstVectorView x, VectorView y) const {
  check_size("LinearOperator::apply: size of x (operator cols)", cols_, x.size());
  check_size("LinearOperator::apply: size of y (operator rows)", rows_, y.size());
  check_disjoint("LinearOperator::apply", x, y);
  apply_impl(x, y);
}

void LinearOperator::apply_add(ConstVectorView x, VectorView y) const {
  check_size("LinearOperator::apply_add: size of x (operator cols)", cols_, x.size());
  check_size("LinearOperator::apply_add: size of y (operator rows)", rows_, y.size());
  check_disjoint("LinearOperator::apply_add", x, y);
  apply_add_impl(x, y);
}

void LinearOperator::apply_adjoint(ConstVectorView x, VectorView y) const {
  check_size("LinearOperator::apply_adjoint: size of x (operator rows)", rows_, x.size());
  check_size("LinearOperator::apply_adjoint: size of y (operator cols)", cols_, y.size());
  check_disjoint("LinearOperator::apply_adjoint", x, y);
  apply_adjoint_impl(x, y);
}

void LinearOperator::apply_adjoint_add(ConstVectorView x, VectorView y) const {
  check_size("LinearOperator::apply_adjoint_add: size of x (operator rows)", rows_, x.size());
  check_size("LinearOperator::apply_adjoint_add: size of y (operator cols)", cols_, y.size());
  check_disjoint("LinearOperator::apply_adjoint_add", x, y);
  apply_adjoint_add_impl(x, y);
}

Vector LinearOperator::apply(ConstVectorView x) const {
  Vector y(rows_);
  apply(x, y);
  return y;
}

Vector LinearOperator::apply_adjoint(ConstVectorView x) const {
  Vector y(cols_);
  apply_adjoint(x, y);
  return y;
}

void LinearOperator::apply_add_impl(ConstVectorView x, VectorView y) const {
  Vector t(rows_);
  apply_impl(x, t);
  for (std::size_t i = 0; i < rows_; ++i) y[i] += t[i];
}

void LinearOperator::apply_adjoint_add_impl(ConstVectorView x, VectorView y) const {
  Vector t(cols_);
  apply_adjoint_impl(x, t);
  for (std::size_t i = 0; i < cols_; ++i) y[i] += t[i];
}

}  // namespace frechet
