#pragma once
/// \file
/// The linear-operator interface every matrix, combinator, implicit operator, preconditioner and
/// solver in frechet speaks. An operator is known only through its products y = A x and y = A^T x,
/// so dense, sparse and matrix-free operators are interchangeable.

#include <cstddef>
#include <memory>

#include "frechet/core/vector.hpp"

namespace frechet {

/// Structure an operator declares and solvers may rely on. Declaring a property is a promise: the
/// operator is not checked (for a matrix, CsrMatrix::is_numerically_symmetric checks).
struct OperatorTraits {
  bool symmetric = false;              ///< A = A^T
  bool positive_semidefinite = false;  ///< x^T A x >= 0 for all x (implies nothing unless symmetric)
  bool positive_definite = false;      ///< x^T A x > 0 for all x != 0
};

/// A linear map A: R^cols -> R^rows. Implement it by deriving and overriding `apply_impl` and
/// `apply_adjoint_impl`; the public functions check the sizes once and then call them.
///
/// ```
/// class Doubling final : public frechet::LinearOperator {
///  public:
///   explicit Doubling(std::size_t n) : LinearOperator(n, n, {.symmetric = true}) {}
///  private:
///   void apply_impl(frechet::ConstVectorView x, frechet::VectorView y) const override {
///     for (std::size_t i = 0; i < x.size(); ++i) y[i] = 2 * x[i];
///   }
///   void apply_adjoint_impl(frechet::ConstVectorView x, frechet::VectorView y) const override {
///     apply_impl(x, y);
///   }
/// };
/// ```
/// x and y must not overlap: apply, apply_add, apply_adjoint and apply_adjoint_add throw ArgumentError
/// when they do. Operators are immutable after construction, so concurrent products
/// with one operator are safe unless a class documents otherwise.
class LinearOperator {
public:
  virtual ~LinearOperator() = default;
  LinearOperator(const LinearOperator&) = default;
  LinearOperator& operator=(const LinearOperator&) = default;
  LinearOperator(LinearOperator&&) = default;
  LinearOperator& operator=(LinearOperator&&) = default;

  std::size_t rows() const noexcept { return rows_; }
  std::size_t cols() const noexcept { return cols_; }
  bool is_square() const noexcept { return rows_ == cols_; }
  const OperatorTraits& traits() const noexcept { return traits_; }
  bool is_symmetric() const noexcept { return traits_.symmetric; }
  bool is_positive_definite() const noexcept { return traits_.positive_definite; }
  bool is_positive_semidefinite() const noexcept {
    return traits_.positive_semidefinite || traits_.positive_definite;
  }

  /// y = A x. Throws ShapeError unless x has cols() and y rows() entries.
  void apply(ConstVectorView x, VectorView y) const;
  /// y += A x.
  void apply_add(ConstVectorView x, VectorView y) const;
  /// y = A^T x. Throws ShapeError unless x has rows() and y cols() entries.
  void apply_adjoint(ConstVectorView x, VectorView y) const;
  /// y += A^T x.
  void apply_adjoint_add(ConstVectorView x, VectorView y) const;
  /// A x as a new vector.
  Vector apply(ConstVectorView x) const;
  /// A^T x as a new vector.
  Vector apply_adjoint(ConstVectorView x) const;

protected:
  LinearOperator(std::size_t rows, std::size_t cols, OperatorTraits traits = {});

private:
  /// y = A x with sizes already checked.
  virtual void apply_impl(ConstVectorView x, VectorView y) const = 0;
  /// y = A^T x with sizes already checked.
  virtual void apply_adjoint_impl(ConstVectorView x, VectorView y) const = 0;
  /// y += A x. The default applies into a temporary; operators that can accumulate in place override it.
  virtual void apply_add_impl(ConstVectorView x, VectorView y) const;
  /// y += A^T x. The default applies into a temporary.
  virtual void apply_adjoint_add_impl(ConstVectorView x, VectorView y) const;

  std::size_t rows_;
  std::size_t cols_;
  OperatorTraits traits_;
};

/// Shared, immutable ownership of an operator: how combinators, solvers and preconditioners hold
/// their operands without copying them.
using OperatorPtr = std::shared_ptr<const LinearOperator>;

}  // namespace frechet
