#include "frechet/precond/chebyshev.hpp"

#include <cmath>
#include <string>

#include "frechet/core/error.hpp"
#include "linop/scratch_pool.hpp"
#include "relaxation.hpp"
#include "spectral_bounds.hpp"

namespace frechet {
namespace {

constexpr const char* kName = "chebyshev_preconditioner";

std::string str(double v) { return std::to_string(v); }

void check_options(const ChebyshevOptions& o) {
  const std::string name = kName;
  if (o.degree < 0) {
    throw ArgumentError(name + ": options.degree: expected >= 0, got " + std::to_string(o.degree));
  }
  if (o.lambda_max && !(std::isfinite(*o.lambda_max) && *o.lambda_max > 0.0)) {
    throw ArgumentError(name + ": options.lambda_max: expected finite and > 0, got " + str(*o.lambda_max));
  }
  if (o.lambda_min && !(std::isfinite(*o.lambda_min) && *o.lambda_min > 0.0)) {
    throw ArgumentError(name + ": options.lambda_min: expected finite and > 0, got " + str(*o.lambda_min));
  }
  if (o.lambda_min && o.lambda_max && !(*o.lambda_min < *o.lambda_max)) {
    throw ArgumentError(name + ": options.lambda_min: expected < lambda_max = " + str(*o.lambda_max) +
                        ", got " + str(*o.lambda_min));
  }
  if (o.eigenvalue_ratio) {
    if (o.lambda_min) {
      throw ArgumentError(name + ": options.eigenvalue_ratio and options.lambda_min: set one of them, not both");
    }
    if (!(std::isfinite(*o.eigenvalue_ratio) && *o.eigenvalue_ratio > 1.0)) {
      throw ArgumentError(name + ": options.eigenvalue_ratio: expected finite and > 1, got " +
                          str(*o.eigenvalue_ratio));
    }
  }
  if (!(std::isfinite(o.safety_factor) && o.safety_factor >= 1.0)) {
    throw ArgumentError(name + ": options.safety_factor: expected finite and >= 1, got " + str(o.safety_factor));
  }
  if (o.lanczos_steps < 2) {
    throw ArgumentError(name + ": options.lanczos_steps: expected >= 2, got " + std::to_string(o.lanczos_steps));
  }
}

const OperatorPtr& checked(const OperatorPtr& a) {
  if (!a) throw ArgumentError(std::string(kName) + ": a: expected an operator, got null");
  if (!a->is_square()) {
    throw ShapeError(std::string(kName) + ": a: expected a square operator, got " + std::to_string(a->rows()) +
                     " x " + std::to_string(a->cols()));
  }
  return a;
}

}  // namespace

ChebyshevPreconditioner::ChebyshevPreconditioner(OperatorPtr a, const ChebyshevOptions& options)
    : LinearOperator(checked(a)->rows(), checked(a)->cols(), {.symmetric = true, .positive_definite = true}),
      a_(std::move(a)),
      degree_(options.degree),
      scratch_(std::make_unique<detail::ScratchPool>()) {
  check_options(options);
  if (options.lambda_max) {
    lambda_max_ = *options.lambda_max;
  } else {
    const auto estimate = detail::estimate_largest_eigenvalue(kName, *a_, {}, options.lanczos_steps, options.seed);
    if (!(estimate.value > 0.0)) {
      throw NumericalError(std::string(kName) + ": the estimated largest eigenvalue of A is " + str(estimate.value) +
                           ", not positive: A is not positive definite");
    }
    lambda_max_ = options.safety_factor * estimate.value;
    lambda_max_estimated_ = true;
    setup_products_ += estimate.operator_products;
  }
  if (options.lambda_min) {
    lambda_min_ = *options.lambda_min;
    if (!(lambda_min_ < lambda_max_)) {
      throw ArgumentError(std::string(kName) + ": options.lambda_min: expected < lambda_max = " + str(lambda_max_) +
                          " (estimated), got " + str(lambda_min_));
    }
  } else if (options.eigenvalue_ratio) {
    lambda_min_ = lambda_max_ / *options.eigenvalue_ratio;
    lambda_min_estimated_ = lambda_max_estimated_;
  } else {
    const auto estimate = detail::estimate_smallest_eigenvalue(kName, *a_, options.lanczos_steps, options.seed);
    setup_products_ += estimate.operator_products;
    // The Ritz value lies above lambda_min; a value at or beyond lambda_max (A a multiple of I, or an
    // indefinite A) would leave no interval, and any lower end keeps M^-1 positive definite.
    lambda_min_ = estimate.value > 0.0 && estimate.value < lambda_max_ ? estimate.value : lambda_max_ / 2.0;
    lambda_min_estimated_ = true;
  }
}

ChebyshevPreconditioner::~ChebyshevPreconditioner() = default;

std::size_t ChebyshevPreconditioner::bytes() const noexcept { return 3 * rows() * sizeof(double); }

void ChebyshevPreconditioner::apply_impl(ConstVectorView x, VectorView y) const {
  const std::size_t n = rows();
  const auto lease = scratch_->lease(3 * n);
  const VectorView w = lease.view();
  const detail::ChebyshevWork work{w.first(n), w.subspan(n, n), w.subspan(2 * n, n)};
  const LinearOperator& a = *a_;
  detail::chebyshev_relaxation<false>([&a](ConstVectorView u, VectorView v) { a.apply(u, v); }, {}, lambda_min_,
                                      lambda_max_, degree_, x, y, true, work);
}

void ChebyshevPreconditioner::apply_adjoint_impl(ConstVectorView x, VectorView y) const { apply_impl(x, y); }

std::shared_ptr<const ChebyshevPreconditioner> chebyshev_preconditioner(OperatorPtr a,
                                                                        const ChebyshevOptions& options) {
  return std::make_shared<const ChebyshevPreconditioner>(std::move(a), options);
}

}  // namespace frechet
