#include "frechet/precond/ssor.hpp"

#include <cmath>
#include <string>

#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "precond/sparse_triangular.hpp"

namespace frechet {

// The forward sweep solves with (D/omega + L), the backward one with (D/omega + U); both triangles
// carry D/omega as their diagonal, and the middle factor is D/omega again.
struct SsorPreconditioner::Factors {
  detail::SparseTriangle lower;
  detail::SparseTriangle upper;
  Vector scaled_diagonal;  // D / omega
};

namespace {

bool treated_as_symmetric(const CsrMatrix& a) { return a.is_symmetric() || a.is_numerically_symmetric(); }

OperatorTraits ssor_traits(const CsrMatrix& a) {
  if (!treated_as_symmetric(a)) return {};
  return {.symmetric = true, .positive_semidefinite = true, .positive_definite = true};
}

}  // namespace

SsorPreconditioner::SsorPreconditioner(const CsrMatrix& a, const SsorOptions& options)
    : LinearOperator(a.rows(), a.cols(), ssor_traits(a)), omega_(options.omega) {
  const bool symmetric = is_symmetric();  // decided once, by ssor_traits
  const Vector d = a.diagonal();
  const auto position = detail::diagonal_positions(a);
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (position[i] < 0 || d[i] == 0.0)
      throw ArgumentError("ssor_preconditioner: the diagonal must be nonzero, row " + std::to_string(i) +
                          (position[i] < 0 ? " stores no diagonal entry" : " has a zero diagonal entry"));
    if (symmetric && d[i] < 0.0)
      throw ArgumentError("ssor_preconditioner: a symmetric matrix needs a positive diagonal for SSOR to be "
                          "positive definite, row " + std::to_string(i) + " has " + std::to_string(d[i]));
  }
  auto triangles = detail::split_triangles(a);
  auto factors = std::make_unique<Factors>();
  factors->scaled_diagonal = d;
  scale(1.0 / omega_, factors->scaled_diagonal);
  factors->lower = std::move(triangles.lower);
  factors->upper = std::move(triangles.upper);
  factors->lower.diagonal = factors->scaled_diagonal;
  factors->upper.diagonal = factors->scaled_diagonal;
  factors_ = std::move(factors);
}

SsorPreconditioner::~SsorPreconditioner() = default;

std::size_t SsorPreconditioner::bytes() const noexcept {
  return factors_->lower.bytes() + factors_->upper.bytes() + factors_->scaled_diagonal.size() * sizeof(double);
}

// M^-1 x = (2 - omega)/omega (D/omega + U)^-1 (D/omega) (D/omega + L)^-1 x
void SsorPreconditioner::apply_impl(ConstVectorView x, VectorView y) const {
  copy(x, y);
  detail::solve_lower(factors_->lower, y);
  const double c = (2.0 - omega_) / omega_;
  const double* d = factors_->scaled_diagonal.data();
  for (std::size_t i = 0; i < y.size(); ++i) y[i] *= c * d[i];
  detail::solve_upper(factors_->upper, y);
}

// M^-T x = (2 - omega)/omega (D/omega + L)^-T (D/omega) (D/omega + U)^-T x
void SsorPreconditioner::apply_adjoint_impl(ConstVectorView x, VectorView y) const {
  copy(x, y);
  detail::solve_upper_transposed(factors_->upper, y);
  const double c = (2.0 - omega_) / omega_;
  const double* d = factors_->scaled_diagonal.data();
  for (std::size_t i = 0; i < y.size(); ++i) y[i] *= c * d[i];
  detail::solve_lower_transposed(factors_->lower, y);
}

std::shared_ptr<const SsorPreconditioner> ssor_preconditioner(const CsrMatrix& a, const SsorOptions& options) {
  if (!(options.omega > 0.0 && options.omega < 2.0))
    throw ArgumentError("ssor_preconditioner: options.omega must be in (0, 2), got " +
                        std::to_string(options.omega));
  detail::require_square_finite(a, "ssor_preconditioner");
  return std::shared_ptr<const SsorPreconditioner>(new SsorPreconditioner(a, options));
}

}  // namespace frechet
