#include "frechet/linop/operators.hpp"

#include <algorithm>

#include "frechet/core/blas1.hpp"

namespace frechet {
namespace {

class DenseOperator final : public LinearOperator {
public:
  DenseOperator(DenseMatrix a, OperatorTraits traits)
      : LinearOperator(a.rows(), a.cols(), traits), a_(std::move(a)) {}

private:
  void apply_impl(ConstVectorView x, VectorView y) const override { gemv(1.0, a_, Transpose::no, x, 0.0, y); }
  void apply_add_impl(ConstVectorView x, VectorView y) const override {
    gemv(1.0, a_, Transpose::no, x, 1.0, y);
  }
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override {
    gemv(1.0, a_, Transpose::yes, x, 0.0, y);
  }
  void apply_adjoint_add_impl(ConstVectorView x, VectorView y) const override {
    gemv(1.0, a_, Transpose::yes, x, 1.0, y);
  }

  DenseMatrix a_;
};

OperatorTraits diagonal_traits(ConstVectorView d) {
  const bool nonnegative = std::all_of(d.begin(), d.end(), [](double v) { return v >= 0.0; });
  const bool positive = std::all_of(d.begin(), d.end(), [](double v) { return v > 0.0; });
  return {.symmetric = true, .positive_semidefinite = nonnegative, .positive_definite = positive};
}

class DiagonalOperator final : public LinearOperator {
public:
  explicit DiagonalOperator(Vector d)
      : LinearOperator(d.size(), d.size(), diagonal_traits(d)), d_(std::move(d)) {}

private:
  void apply_impl(ConstVectorView x, VectorView y) const override {
    for (std::size_t i = 0; i < d_.size(); ++i) y[i] = d_[i] * x[i];
  }
  void apply_add_impl(ConstVectorView x, VectorView y) const override {
    for (std::size_t i = 0; i < d_.size(); ++i) y[i] += d_[i] * x[i];
  }
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override { apply_impl(x, y); }
  void apply_adjoint_add_impl(ConstVectorView x, VectorView y) const override { apply_add_impl(x, y); }

  Vector d_;
};

class IdentityOperator final : public LinearOperator {
public:
  explicit IdentityOperator(std::size_t n)
      : LinearOperator(n, n, {.symmetric = true, .positive_semidefinite = true, .positive_definite = true}) {}

private:
  void apply_impl(ConstVectorView x, VectorView y) const override { copy(x, y); }
  void apply_add_impl(ConstVectorView x, VectorView y) const override { axpy(1.0, x, y); }
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override { copy(x, y); }
  void apply_adjoint_add_impl(ConstVectorView x, VectorView y) const override { axpy(1.0, x, y); }
};

}  // namespace

OperatorPtr dense_operator(DenseMatrix a, OperatorTraits traits) {
  return std::make_shared<DenseOperator>(std::move(a), traits);
}

OperatorPtr sparse_operator(CsrMatrix a) { return std::make_shared<const CsrMatrix>(std::move(a)); }

OperatorPtr diagonal_operator(Vector d) {
  check_finite("diagonal_operator: d", d);
  return std::make_shared<DiagonalOperator>(std::move(d));
}

OperatorPtr identity_operator(std::size_t n) { return std::make_shared<IdentityOperator>(n); }

}  // namespace frechet
