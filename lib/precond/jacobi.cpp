#include "frechet/precond/jacobi.hpp"

#include <cmath>
#include <string>

#include "core/parallel.hpp"
#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "frechet/krylov/hutchinson.hpp"
#include "krylov/solver_support.hpp"

namespace frechet {

JacobiPreconditioner::JacobiPreconditioner(Vector diagonal)
    : LinearOperator(diagonal.size(), diagonal.size(),
                     {.symmetric = true, .positive_semidefinite = true, .positive_definite = true}),
      diagonal_(std::move(diagonal)),
      inverse_diagonal_(diagonal_.size()) {
  check_finite("jacobi_preconditioner: diagonal", diagonal_);
  for (std::size_t i = 0; i < diagonal_.size(); ++i) {
    if (!(diagonal_[i] > 0.0))
      throw ArgumentError("jacobi_preconditioner: the diagonal must be > 0 (M = diag(A) must be positive "
                          "definite), got " + std::to_string(diagonal_[i]) + " in row " + std::to_string(i));
    inverse_diagonal_[i] = 1.0 / diagonal_[i];
  }
}

void JacobiPreconditioner::apply_impl(ConstVectorView x, VectorView y) const {
  const std::size_t n = x.size();
  const double* xs = x.data();
  const double* d = inverse_diagonal_.data();
  double* ys = y.data();
#pragma omp parallel for simd schedule(static) num_threads(detail::loop_threads(n, detail::parallel_min_entries))
  for (std::size_t i = 0; i < n; ++i) ys[i] = d[i] * xs[i];
}

void JacobiPreconditioner::apply_adjoint_impl(ConstVectorView x, VectorView y) const { apply_impl(x, y); }

std::shared_ptr<const JacobiPreconditioner> jacobi_preconditioner(Vector diagonal) {
  return std::shared_ptr<const JacobiPreconditioner>(new JacobiPreconditioner(std::move(diagonal)));
}

std::shared_ptr<const JacobiPreconditioner> jacobi_preconditioner(const CsrMatrix& a) {
  if (!a.is_square())
    throw ShapeError("jacobi_preconditioner: the matrix must be square, got " + std::to_string(a.rows()) + " x " +
                     std::to_string(a.cols()));
  return jacobi_preconditioner(a.diagonal());
}

std::shared_ptr<const JacobiPreconditioner> jacobi_preconditioner(const LinearOperator& a,
                                                                  const JacobiOptions& options) {
  if (!a.is_square())
    throw ShapeError("jacobi_preconditioner: the operator must be square, got " + std::to_string(a.rows()) +
                     " x " + std::to_string(a.cols()));
  if (options.probes < 1)
    throw ArgumentError("jacobi_preconditioner: options.probes must be >= 1, got " +
                        std::to_string(options.probes));
  const std::size_t n = a.rows();
  const bool exact = n <= options.exact_max_size;
  Vector diagonal(n, 0.0);
  std::size_t products = 0;
  if (exact) {
    Vector probe(n, 0.0);
    Vector product(n);
    for (std::size_t i = 0; i < n; ++i) {
      probe[i] = 1.0;
      a.apply(probe, product);
      probe[i] = 0.0;
      diagonal[i] = product[i];
    }
    products = n;
  } else {
    DiagonalResult estimate = hutchinson_diagonal(a, {.probes = options.probes, .seed = options.seed});
    diagonal = std::move(estimate.diagonal);
    products = static_cast<std::size_t>(estimate.operator_products);
  }
  check_finite("jacobi_preconditioner: the diagonal of the operator", diagonal);
  if (!exact) {
    for (std::size_t i = 0; i < n; ++i)
      if (!(diagonal[i] > 0.0))
        throw NumericalError("jacobi_preconditioner: the estimated diagonal has " + std::to_string(diagonal[i]) +
                             " in row " + std::to_string(i) + " after " + std::to_string(options.probes) +
                             " probes; use more probes, or a larger exact_max_size for the exact diagonal");
  }
  auto m = std::shared_ptr<JacobiPreconditioner>(new JacobiPreconditioner(std::move(diagonal)));
  m->estimated_ = !exact;
  m->operator_products_ = products;
  return m;
}

std::shared_ptr<const JacobiPreconditioner> jacobi_preconditioner(const OperatorPtr& a,
                                                                  const JacobiOptions& options) {
  return jacobi_preconditioner(detail::checked_operator("jacobi_preconditioner", a), options);
}

}  // namespace frechet
