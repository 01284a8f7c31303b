#pragma once
/// \file
/// What an optimiser minimises. There is one way in: an `Objective`, a plain struct of callables
/// over views (f and grad f together, and optionally f alone, H v and the dense Hessian), and one
/// `LeastSquaresObjective` for f(x) = 1/2 ||r(x)||_2^2 (the residuals, the dense Jacobian, the
/// Jacobian operator). Users with their own derivatives fill the structs directly; users of
/// frechet's AD write the function once, as a generic lambda (doc/ad.md), and call
/// `differentiable_objective(f)` or `differentiable_least_squares(r)`, which fill every field with
/// the AD layer's transforms.
///
/// The objectives built here keep their tapes between calls (value and gradient by one recording and
/// one reverse pass on a reused tape, H v by forward-over-reverse), so an optimiser's evaluations
/// allocate nothing once the tapes have grown. They are therefore not safe for concurrent calls
/// from several threads; copies share the tapes. The function object is kept by value (capture data
/// by value or through a std::shared_ptr, as for the operators of linop/implicit_operators.hpp).

#include <cstddef>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

#include "frechet/ad/transforms.hpp"
#include "frechet/core/blas1.hpp"
#include "frechet/core/dense_matrix.hpp"
#include "frechet/implicit/coloring.hpp"
#include "frechet/linop/csr_matrix.hpp"
#include "frechet/linop/implicit_operators.hpp"
#include "frechet/linop/linear_operator.hpp"

namespace frechet {

/// Returns f(x) and writes grad f(x) into `gradient` (x.size() entries).
using ValueAndGradientFunction = std::function<double(ConstVectorView x, VectorView gradient)>;
/// Returns f(x) alone.
using ValueFunction = std::function<double(ConstVectorView x)>;
/// Writes H(x) v into `product`.
using HessianVectorFunction = std::function<void(ConstVectorView x, ConstVectorView v, VectorView product)>;
/// Returns the dense n x n Hessian H(x).
using HessianFunction = std::function<DenseMatrix(ConstVectorView x)>;
/// Returns the n x n Hessian H(x) in CSR, symmetric; when its pattern is the same at every x (explicit
/// zeros kept), newton's sparse Cholesky analyses it once.
using SparseHessianFunction = std::function<CsrMatrix(ConstVectorView x)>;

/// A smooth function f: R^n -> R to minimise. Only `value_and_gradient` is required. A method that
/// needs a missing field throws ArgumentError naming it (Newton with Cholesky needs `hessian`, with
/// sparse Cholesky `sparse_hessian`, with CG and Newton-CG `hessian_vector`). Without `value`, trial
/// points that need f alone (the backtracking line search) call value_and_gradient, and count as
/// gradient evaluations too.
struct Objective {
  ValueAndGradientFunction value_and_gradient{};
  ValueFunction value{};                    ///< optional: f alone, cheaper than f and grad f
  HessianVectorFunction hessian_vector{};   ///< optional: H(x) v
  HessianFunction hessian{};                ///< optional: the dense Hessian
  SparseHessianFunction sparse_hessian{};   ///< optional: the sparse Hessian
};

/// Writes r(x) into `residuals` (resized to m).
using ResidualFunction = std::function<void(ConstVectorView x, Vector& residuals)>;
/// Returns the dense m x n Jacobian J(x) = dr/dx.
using JacobianFunction = std::function<DenseMatrix(ConstVectorView x)>;
/// Returns J(x) as an m x n operator (products J v and J^T u, the matrix never formed).
using JacobianOperatorFunction = std::function<OperatorPtr(ConstVectorView x)>;

/// A least-squares problem min_x f(x) = 1/2 ||r(x)||_2^2 with r: R^n -> R^m. `residuals` is
/// required; the dense Gauss-Newton and Levenberg-Marquardt steps need `jacobian`, the matrix-free
/// ones `jacobian_operator`.
struct LeastSquaresObjective {
  ResidualFunction residuals{};
  JacobianFunction jacobian{};
  JacobianOperatorFunction jacobian_operator{};
};

namespace detail {

/// The AD objective's state, shared by the callables that differentiable_objective returns.
template <class F>
struct DifferentiableState {
  explicit DifferentiableState(F function) : f(std::move(function)) {}
  F f;
  Tape<double> tape;             // value and gradient
  Vector adjoint;                // exchanges storage with the tape's adjoint array (Tape::take_adjoint)
  Tape<Dual<double>> dual_tape;  // Hessian-vector products
  DualVector<double> dual_adjoint;
  Vector point;                  // x as a Vector, for the plain evaluation of f
};

}  // namespace detail

/// The Objective of a scalar function written once as a generic lambda (doc/ad.md): f(x) by a
/// plain call, f and grad f by one recording and one reverse pass on a tape kept between calls,
/// H v by forward-over-reverse, the dense Hessian by one H v per column (`hessian` of the AD layer).
template <class F>
Objective differentiable_objective(F f) {
  auto state = std::make_shared<detail::DifferentiableState<F>>(std::move(f));
  Objective objective;
  objective.value_and_gradient = [state](ConstVectorView x, VectorView gradient) {
    check_size("objective: size of the gradient", x.size(), gradient.size());
    Tape<double>& tape = state->tape;
    tape.clear();
    const TapeVector<double> xv = tape.variable_view(x);
    const auto output = detail::tape_output<double>(state->f(xv));
    static_assert(!std::is_same_v<decltype(output), const TapeVector<double>>,
                  "frechet: an objective must be scalar-valued; for residuals call differentiable_least_squares");
    const TapeScalar<double>& y = output;
    const double value = y.value();
    if (y.is_constant()) {
      frechet::fill(gradient, 0.0);
    } else {
      tape.seed(y, 1.0);
      tape.backward();
      tape.take_adjoint(xv, state->adjoint);
      frechet::copy(state->adjoint, gradient);
    }
    tape.clear();  // forgets the borrowed x
    return value;
  };
  objective.value = [state](ConstVectorView x) {
    state->point.assign(x.begin(), x.end());
    return static_cast<double>(detail::plain_output(state->f(std::as_const(state->point))));
  };
  objective.hessian_vector = [state](ConstVectorView x, ConstVectorView v, VectorView product) {
    check_size("objective: size of the Hessian-vector product", x.size(), product.size());
    detail::record_hvp(state->dual_tape, state->f, x, v, state->dual_adjoint);
    frechet::copy(state->dual_adjoint.tangent, product);
  };
  objective.hessian = [state](ConstVectorView x) {
    state->point.assign(x.begin(), x.end());
    return frechet::hessian(state->f, state->point);
  };
  return objective;
}

/// differentiable_objective(f) with `sparse_hessian` filled too: the Hessian in CSR with the
/// structure of `hessian_pattern` (n x n, structurally symmetric, the diagonal included where H can be
/// nonzero; its values are ignored), by the implicit layer's sparse_hessian, one Hessian-vector
/// product per colour of the pattern's column colouring (computed here, once) and one that verifies
/// the result. Throws what column_coloring throws for a bad pattern; a pattern that misses a nonzero
/// of H makes sparse_hessian throw ArgumentError at the first evaluation.
template <class F>
Objective differentiable_objective(F f, const CsrMatrix& hessian_pattern) {
  Objective objective = differentiable_objective(f);
  auto pattern = std::make_shared<const CsrMatrix>(hessian_pattern);
  auto coloring = std::make_shared<const ColumnColoring>(column_coloring(*pattern));
  auto point = std::make_shared<Vector>();
  objective.sparse_hessian = [f = std::move(f), pattern, coloring, point](ConstVectorView x) {
    point->assign(x.begin(), x.end());
    return frechet::sparse_hessian(f, *point, *pattern, *coloring);
  };
  return objective;
}

/// The LeastSquaresObjective of residuals r(x) written once as a generic lambda returning a vector
/// (or a std::vector of its scalars): r by a plain call, the dense Jacobian by the AD layer's
/// `jacobian` (forward mode when n < m), the operator by `jacobian_operator`.
template <class R>
LeastSquaresObjective differentiable_least_squares(R r) {
  auto f = std::make_shared<R>(std::move(r));
  LeastSquaresObjective objective;
  objective.residuals = [f](ConstVectorView x, Vector& residuals) {
    const Vector point(x.begin(), x.end());
    residuals = Vector(detail::plain_output((*f)(point)));
  };
  objective.jacobian = [f](ConstVectorView x) { return frechet::jacobian(*f, Vector(x.begin(), x.end())); };
  objective.jacobian_operator = [f](ConstVectorView x) {
    return frechet::jacobian_operator([f](const auto& v) { return (*f)(v); }, Vector(x.begin(), x.end()));
  };
  return objective;
}

}  // namespace frechet
