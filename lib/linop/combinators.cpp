#include "frechet/linop/combinators.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "scratch_pool.hpp"

namespace frechet {
namespace {

std::string shape(const LinearOperator& a) {
  return std::to_string(a.rows()) + "x" + std::to_string(a.cols());
}

const OperatorPtr& require(const char* what, const OperatorPtr& a) {
  if (!a) throw ArgumentError(std::string(what) + ": expected an operator, got a null pointer");
  return a;
}

class SumOperator final : public LinearOperator {
public:
  SumOperator(OperatorPtr a, OperatorPtr b, OperatorTraits traits)
      : LinearOperator(a->rows(), a->cols(), traits), a_(std::move(a)), b_(std::move(b)) {}

private:
  void apply_impl(ConstVectorView x, VectorView y) const override {
    a_->apply(x, y);
    b_->apply_add(x, y);
  }
  void apply_add_impl(ConstVectorView x, VectorView y) const override {
    a_->apply_add(x, y);
    b_->apply_add(x, y);
  }
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override {
    a_->apply_adjoint(x, y);
    b_->apply_adjoint_add(x, y);
  }
  void apply_adjoint_add_impl(ConstVectorView x, VectorView y) const override {
    a_->apply_adjoint_add(x, y);
    b_->apply_adjoint_add(x, y);
  }

  OperatorPtr a_, b_;
};

class ScaledOperator final : public LinearOperator {
public:
  ScaledOperator(OperatorPtr a, double alpha, OperatorTraits traits)
      : LinearOperator(a->rows(), a->cols(), traits), a_(std::move(a)), alpha_(alpha) {}

private:
  void apply_impl(ConstVectorView x, VectorView y) const override {
    a_->apply(x, y);
    scale(alpha_, y);
  }
  void apply_add_impl(ConstVectorView x, VectorView y) const override {
    const auto t = scratch_.lease(rows());
    a_->apply(x, t.view());
    axpy(alpha_, t.view(), y);
  }
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override {
    a_->apply_adjoint(x, y);
    scale(alpha_, y);
  }
  void apply_adjoint_add_impl(ConstVectorView x, VectorView y) const override {
    const auto t = scratch_.lease(cols());
    a_->apply_adjoint(x, t.view());
    axpy(alpha_, t.view(), y);
  }

  OperatorPtr a_;
  double alpha_;
  detail::ScratchPool scratch_;
};

// The intermediate B x (or A^T x) has cols(A) = rows(B) entries, whichever way the product goes.
class ComposedOperator final : public LinearOperator {
public:
  ComposedOperator(OperatorPtr a, OperatorPtr b, OperatorTraits traits)
      : LinearOperator(a->rows(), b->cols(), traits), a_(std::move(a)), b_(std::move(b)) {}

private:
  void apply_impl(ConstVectorView x, VectorView y) const override {
    const auto t = scratch_.lease(b_->rows());
    b_->apply(x, t.view());
    a_->apply(t.view(), y);
  }
  void apply_add_impl(ConstVectorView x, VectorView y) const override {
    const auto t = scratch_.lease(b_->rows());
    b_->apply(x, t.view());
    a_->apply_add(t.view(), y);
  }
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override {
    const auto t = scratch_.lease(a_->cols());
    a_->apply_adjoint(x, t.view());
    b_->apply_adjoint(t.view(), y);
  }
  void apply_adjoint_add_impl(ConstVectorView x, VectorView y) const override {
    const auto t = scratch_.lease(a_->cols());
    a_->apply_adjoint(x, t.view());
    b_->apply_adjoint_add(t.view(), y);
  }

  OperatorPtr a_, b_;
  detail::ScratchPool scratch_;
};

class TransposedOperator final : public LinearOperator {
public:
  explicit TransposedOperator(OperatorPtr a)
      : LinearOperator(a->cols(), a->rows(), a->traits()), a_(std::move(a)) {}

private:
  void apply_impl(ConstVectorView x, VectorView y) const override { a_->apply_adjoint(x, y); }
  void apply_add_impl(ConstVectorView x, VectorView y) const override { a_->apply_adjoint_add(x, y); }
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override { a_->apply(x, y); }
  void apply_adjoint_add_impl(ConstVectorView x, VectorView y) const override { a_->apply_add(x, y); }

  OperatorPtr a_;
};

class KroneckerOperator final : public LinearOperator {
public:
  KroneckerOperator(OperatorPtr a, OperatorPtr b, OperatorTraits traits)
      : LinearOperator(a->rows() * b->rows(), a->cols() * b->cols(), traits), a_(std::move(a)), b_(std::move(b)) {}

private:
  // y = vec(op(B) X op(A)^T), X = reshape(x, cols(op B), cols(op A)) column-major, where op is the
  // identity for apply and the transpose for apply_adjoint.
  void product(bool adjoint, ConstVectorView x, VectorView y, bool accumulate) const {
    const LinearOperator& a = *a_;
    const LinearOperator& b = *b_;
    const std::size_t a_in = adjoint ? a.rows() : a.cols(), a_out = adjoint ? a.cols() : a.rows();
    const std::size_t b_in = adjoint ? b.rows() : b.cols(), b_out = adjoint ? b.cols() : b.rows();
    // One lease holds Z and the two rows below.
    const auto scratch = scratch_.lease(b_out * a_in + a_in + a_out);
    const VectorView z = scratch.view().first(b_out * a_in);
    const VectorView row_in = scratch.view().subspan(b_out * a_in, a_in);
    const VectorView row_out = scratch.view().last(a_out);
    // Z = op(B) X, one product per column of X: Z is b_out x a_in.
    for (std::size_t j = 0; j < a_in; ++j) {
      const auto xj = x.subspan(j * b_in, b_in);
      const auto zj = z.subspan(j * b_out, b_out);
      adjoint ? b.apply_adjoint(xj, zj) : b.apply(xj, zj);
    }
    // Y = Z op(A)^T: row i of Y is op(A) applied to row i of Z (rows gathered, results scattered).
    for (std::size_t i = 0; i < b_out; ++i) {
      for (std::size_t j = 0; j < a_in; ++j) row_in[j] = z[i + j * b_out];
      adjoint ? a.apply_adjoint(row_in, row_out) : a.apply(row_in, row_out);
      for (std::size_t k = 0; k < a_out; ++k) {
        double& out = y[i + k * b_out];
        out = accumulate ? out + row_out[k] : row_out[k];
      }
    }
  }
  void apply_impl(ConstVectorView x, VectorView y) const override { product(false, x, y, false); }
  void apply_add_impl(ConstVectorView x, VectorView y) const override { product(false, x, y, true); }
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override { product(true, x, y, false); }
  void apply_adjoint_add_impl(ConstVectorView x, VectorView y) const override { product(true, x, y, true); }

  OperatorPtr a_, b_;
  detail::ScratchPool scratch_;
};

class NormalOperator final : public LinearOperator {
public:
  explicit NormalOperator(OperatorPtr a)
      : LinearOperator(a->cols(), a->cols(), {.symmetric = true, .positive_semidefinite = true}),
        a_(std::move(a)) {}

private:
  void apply_impl(ConstVectorView x, VectorView y) const override {
    const auto t = scratch_.lease(a_->rows());
    a_->apply(x, t.view());
    a_->apply_adjoint(t.view(), y);
  }
  void apply_add_impl(ConstVectorView x, VectorView y) const override {
    const auto t = scratch_.lease(a_->rows());
    a_->apply(x, t.view());
    a_->apply_adjoint_add(t.view(), y);
  }
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override { apply_impl(x, y); }
  void apply_adjoint_add_impl(ConstVectorView x, VectorView y) const override { apply_add_impl(x, y); }

  OperatorPtr a_;
  detail::ScratchPool scratch_;
};

class ShiftedOperator final : public LinearOperator {
public:
  ShiftedOperator(OperatorPtr a, double sigma, OperatorTraits traits)
      : LinearOperator(a->rows(), a->cols(), traits), a_(std::move(a)), sigma_(sigma) {}

private:
  void apply_impl(ConstVectorView x, VectorView y) const override {
    a_->apply(x, y);
    axpy(sigma_, x, y);
  }
  void apply_add_impl(ConstVectorView x, VectorView y) const override {
    a_->apply_add(x, y);
    axpy(sigma_, x, y);
  }
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override {
    a_->apply_adjoint(x, y);
    axpy(sigma_, x, y);
  }
  void apply_adjoint_add_impl(ConstVectorView x, VectorView y) const override {
    a_->apply_adjoint_add(x, y);
    axpy(sigma_, x, y);
  }

  OperatorPtr a_;
  double sigma_;
};

}  // namespace

OperatorPtr add(OperatorPtr a, OperatorPtr b) {
  require("add: A", a);
  require("add: B", b);
  if (a->rows() != b->rows() || a->cols() != b->cols()) {
    throw ShapeError("add: expected B of shape " + shape(*a) + ", got " + shape(*b));
  }
  const bool psd = a->is_positive_semidefinite() && b->is_positive_semidefinite();
  const OperatorTraits traits{
      .symmetric = a->is_symmetric() && b->is_symmetric(),
      .positive_semidefinite = psd,
      .positive_definite = psd && (a->is_positive_definite() || b->is_positive_definite())};
  return std::make_shared<SumOperator>(std::move(a), std::move(b), traits);
}

OperatorPtr scaled(OperatorPtr a, double alpha) {
  require("scaled: A", a);
  if (!std::isfinite(alpha)) throw NonFiniteError("scaled: expected a finite alpha, got " + std::to_string(alpha));
  const OperatorTraits traits{.symmetric = a->is_symmetric(),
                              .positive_semidefinite = alpha >= 0.0 && a->is_positive_semidefinite(),
                              .positive_definite = alpha > 0.0 && a->is_positive_definite()};
  return std::make_shared<ScaledOperator>(std::move(a), alpha, traits);
}

OperatorPtr compose(OperatorPtr a, OperatorPtr b) {
  require("compose: A", a);
  require("compose: B", b);
  if (a->cols() != b->rows()) {
    throw ShapeError("compose: cols(A) must equal rows(B), got A " + shape(*a) + " and B " + shape(*b));
  }
  return std::make_shared<ComposedOperator>(std::move(a), std::move(b), OperatorTraits{});
}

OperatorPtr transposed(OperatorPtr a) {
  require("transposed: A", a);
  return std::make_shared<TransposedOperator>(std::move(a));
}

OperatorPtr kron(OperatorPtr a, OperatorPtr b) {
  require("kron: A", a);
  require("kron: B", b);
  // The shape and the scratch of a product (Z, b_out x a_in, and two rows) must be sizes of a
  // Vector: a product that wrapped around would give a small operator that reads out of bounds.
  const std::size_t limit = Vector().max_size();
  const auto product = [&](std::size_t p, std::size_t q, const char* what) {
    if (p != 0 && q > limit / p) {
      throw ShapeError("kron: " + std::string(what) + " of A " + shape(*a) + " and B " + shape(*b) + " is " +
                       std::to_string(p) + " * " + std::to_string(q) +
                       ", more entries than a vector can hold (" + std::to_string(limit) + ")");
    }
    return p * q;
  };
  product(a->rows(), b->rows(), "rows(A) * rows(B)");
  product(a->cols(), b->cols(), "cols(A) * cols(B)");
  const std::size_t forward = product(b->rows(), a->cols(), "the scratch rows(B) * cols(A)");
  const std::size_t adjoint = product(b->cols(), a->rows(), "the scratch cols(B) * rows(A)");
  if (a->rows() > limit || a->cols() > limit - a->rows() ||
      std::max(forward, adjoint) > limit - a->rows() - a->cols()) {
    throw ShapeError("kron: the scratch of A " + shape(*a) + " and B " + shape(*b) +
                     " has more entries than a vector can hold (" + std::to_string(limit) + ")");
  }
  const OperatorTraits traits{
      .symmetric = a->is_symmetric() && b->is_symmetric(),
      .positive_semidefinite = a->is_positive_semidefinite() && b->is_positive_semidefinite(),
      .positive_definite = a->is_positive_definite() && b->is_positive_definite()};
  return std::make_shared<KroneckerOperator>(std::move(a), std::move(b), traits);
}

OperatorPtr normal_operator(OperatorPtr a) {
  require("normal_operator: A", a);
  return std::make_shared<NormalOperator>(std::move(a));
}

OperatorPtr shifted(OperatorPtr a, double sigma) {
  require("shifted: A", a);
  if (!a->is_square()) throw ShapeError("shifted: expected a square operator, got " + shape(*a));
  if (!std::isfinite(sigma)) throw NonFiniteError("shifted: expected a finite sigma, got " + std::to_string(sigma));
  const bool psd = a->is_positive_semidefinite() && sigma >= 0.0;
  const OperatorTraits traits{.symmetric = a->is_symmetric(),
                              .positive_semidefinite = psd,
                              .positive_definite = psd && (sigma > 0.0 || a->is_positive_definite())};
  return std::make_shared<ShiftedOperator>(std::move(a), sigma, traits);
}

}  // namespace frechet
