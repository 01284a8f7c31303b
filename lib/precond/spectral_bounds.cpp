#include "spectral_bounds.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "frechet/core/error.hpp"
#include "frechet/krylov/lanczos.hpp"

namespace frechet::detail {
namespace {

// S A S as an operator for Lanczos; the work vector is per product (setup only, never in a solve).
class ScaledOperator final : public LinearOperator {
public:
  ScaledOperator(const LinearOperator& a, ConstVectorView scale)
      : LinearOperator(a.rows(), a.cols(), {.symmetric = true}), a_(a), scale_(scale) {}

private:
  void apply_impl(ConstVectorView x, VectorView y) const override {
    Vector sx(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) sx[i] = scale_[i] * x[i];
    a_.apply(sx, y);
    for (std::size_t i = 0; i < y.size(); ++i) y[i] *= scale_[i];
  }
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override { apply_impl(x, y); }

  const LinearOperator& a_;
  ConstVectorView scale_;
};

EigenvalueEstimate run(const char* what, const LinearOperator& a, EigenTarget target, int steps,
                       std::uint64_t seed) {
  const int n = static_cast<int>(std::min<std::size_t>(a.rows(), 1u << 30));
  const int m = std::max(1, std::min(steps, n));
  const LanczosResult result = lanczos(a, {.target = target, .basis_size = m, .rtol = 1e-3,
                                           .max_iterations = m, .seed = seed});
  if (result.eigenvalues.empty() || !std::isfinite(result.eigenvalues[0])) {
    throw NonFiniteError(std::string(what) + ": a product of the matrix with a Lanczos vector is not finite");
  }
  const double residual = result.residual_norms.empty() ? 0.0 : result.residual_norms[0];
  const double value =
      target == EigenTarget::largest ? result.eigenvalues[0] + residual : result.eigenvalues[0];
  return {value, result.operator_products + 1};
}

}  // namespace

EigenvalueEstimate estimate_largest_eigenvalue(const char* what, const LinearOperator& a,
                                               ConstVectorView scale, int steps, std::uint64_t seed) {
  if (scale.empty()) return run(what, a, EigenTarget::largest, steps, seed);
  const ScaledOperator scaled(a, scale);
  return run(what, scaled, EigenTarget::largest, steps, seed);
}

EigenvalueEstimate estimate_smallest_eigenvalue(const char* what, const LinearOperator& a, int steps,
                                                std::uint64_t seed) {
  return run(what, a, EigenTarget::smallest, steps, seed);
}

}  // namespace frechet::detail
