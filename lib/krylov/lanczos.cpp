#include "frechet/krylov/lanczos.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "core/blas.hpp"
#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "frechet/core/random.hpp"
#include "estimators.hpp"
#include "probes.hpp"
#include "row_block.hpp"
#include "small_eigen.hpp"
#include "solver_support.hpp"

namespace frechet {
namespace {

struct Settings {
  std::size_t count, m;
  int max_iterations;
};

// n is the global size: the operator's own rows for the whole block.
Settings checked_settings(const char* function, const LinearOperator& a, const LanczosOptions& o, std::size_t n) {
  const std::string name = function;
  detail::check_square(function, a);
  if (o.count < 1 || static_cast<std::size_t>(o.count) > n) {
    throw ArgumentError(name + ": options.count: expected 1 <= count <= n = " + std::to_string(n) +
                        ", got " + std::to_string(o.count));
  }
  const auto count = static_cast<std::size_t>(o.count);
  detail::check_tolerances(function, o.rtol, o.atol);
  if (o.basis_size < 0) {
    throw ArgumentError(name + ": options.basis_size: expected >= 0, got " + std::to_string(o.basis_size));
  }
  const std::size_t m = o.basis_size == 0 ? std::min(n, std::max<std::size_t>(2 * count + 10, 20))
                                          : std::min(n, static_cast<std::size_t>(o.basis_size));
  if (m < n && m <= count) {
    throw ArgumentError(name + ": options.basis_size: expected > count = " + std::to_string(count) +
                        " (or >= n), got " + std::to_string(o.basis_size));
  }
  if (o.max_iterations && *o.max_iterations < 1) {
    throw ArgumentError(name + ": options.max_iterations: expected >= 1, got " +
                        std::to_string(*o.max_iterations));
  }
  const int max_iterations =
      o.max_iterations ? *o.max_iterations : static_cast<int>(std::max<std::size_t>(1000, 30 * m));
  return {count, m, max_iterations};
}

// Orders the Ritz values (ascending in `values`) by the target: order[0..count) are the wanted ones.
void order_by_target(ConstVectorView values, EigenTarget target, std::vector<int>& order) {
  const int k = static_cast<int>(values.size());
  std::iota(order.begin(), order.begin() + k, 0);
  if (target == EigenTarget::largest) {
    std::reverse(order.begin(), order.begin() + k);
  } else if (target == EigenTarget::largest_magnitude) {
    std::stable_sort(order.begin(), order.begin() + k, [&](int i, int j) {
      return std::abs(values[static_cast<std::size_t>(i)]) > std::abs(values[static_cast<std::size_t>(j)]);
    });
  }
}

}  // namespace

namespace detail {

LanczosResult lanczos(const char* function, const LinearOperator& a, const LanczosOptions& options,
                      const RowBlock& split) {
  const std::string name = function;
  // n: this block's rows, the length of every stored vector; global_n: the operator's size.
  const std::size_t n = a.rows(), global_n = split.global_size;
  const Settings s = checked_settings(function, a, options, global_n);
  const std::size_t m = s.m, count = s.count;
  Random rng(options.seed);

  // Work space, allocated once: the basis V (n x (m+1)), the projected matrix T = V^T A V
  // ((m+1) x (m+1); row k holds the coupling of the next basis vector), its eigen-decomposition,
  // and a row block for the in-place restart V <- V S.
  Vector basis(n * (m + 1)), t((m + 1) * (m + 1)), h(m + 1), scratch(m + 1), wanted(m * m);
  constexpr std::size_t block = 256;
  Vector row_block(block * m);
  std::vector<int> order(m);
  detail::SmallSymmetricEigen eig(m);
  const std::size_t ld = m + 1;
  auto column = [&](std::size_t j) { return VectorView(basis).subspan(j * n, n); };
  auto tt = [&](std::size_t i, std::size_t j) -> double& { return t[i + j * ld]; };

  {
    const VectorView v0 = column(0);
    if (options.x0.empty()) {
      fill_probe(rng, ProbeDistribution::gaussian, v0, split);
    } else {
      copy(initial_guess(function, options.x0, n), v0);
    }
    const double norm = split.norm2(v0);
    if (norm == 0.0) throw ArgumentError(name + ": options.x0: expected a nonzero vector");
    scale(1.0 / norm, v0);
  }

  LanczosResult result;
  result.residual_history.reserve(static_cast<std::size_t>(std::min(s.max_iterations, 1 << 20)));
  std::size_t k = 0;          // processed basis vectors; column k is the next one
  double beta_last = 0.0;     // coupling of column k to the last processed one
  double norm_estimate = 0.0;  // largest |Ritz value| so far, an estimate of ||A||
  bool have_ritz = false;     // eig holds the decomposition of the current T
  Reason reason = Reason::max_iterations;

  for (;;) {
    const std::size_t j = k;
    const VectorView w = column(j + 1);
    a.apply(column(j), w);
    ++result.operator_products;
    orthogonalize_rows(basis.data(), n, j + 1, w, h, scratch, split);
    const double beta = split.norm2(w);
    if (!std::isfinite(beta) || !all_finite(ConstVectorView(h).first(j + 1))) {
      reason = Reason::non_finite;
      break;
    }
    // For symmetric A, v_i^T A v_j equals the coupling stored when v_j was made from A v_i.
    double scale_h = norm_estimate;
    for (std::size_t i = 0; i <= j; ++i) scale_h = std::max(scale_h, std::abs(h[i]));
    for (std::size_t i = 0; i < j; ++i) {
      if (std::abs(h[i] - tt(j, i)) > 1e-8 * scale_h) {
        throw ArgumentError(name + ": operator: expected a symmetric operator, but v_" + std::to_string(i) +
                            "^T A v_" + std::to_string(j) + " = " + std::to_string(h[i]) + " and v_" +
                            std::to_string(j) + "^T A v_" + std::to_string(i) + " = " +
                            std::to_string(tt(j, i)));
      }
    }
    for (std::size_t i = 0; i <= j; ++i) tt(i, j) = tt(j, i) = h[i];
    k = j + 1;
    have_ritz = false;

    // The next basis vector, with its coupling in row k of T. An invariant subspace (beta ~ 0)
    // continues with a fresh random direction, coupled to nothing.
    if (k < global_n) {
      const VectorView next = column(k);
      for (std::size_t i = 0; i < k; ++i) tt(k, i) = 0.0;
      if (beta > 1e-12 * scale_h) {
        scale(1.0 / beta, next);
        tt(k, j) = beta;
        beta_last = beta;
      } else {
        beta_last = 0.0;
        fill_probe(rng, ProbeDistribution::gaussian, next, split);
        orthogonalize_rows(basis.data(), n, k, next, h, scratch, split);
        const double fresh = split.norm2(next);
        scale(1.0 / fresh, next);
      }
    } else {
      beta_last = 0.0;  // the basis spans R^n: T has the exact eigenvalues
    }

    if (k >= count) {
      eig.compute(t.data(), ld, k);
      have_ritz = true;
      order_by_target(eig.values(), options.target, order);
      const ConstVectorView theta = eig.values();
      norm_estimate = std::max({norm_estimate, std::abs(theta[0]), std::abs(theta[k - 1])});
      double worst = 0.0;
      for (std::size_t i = 0; i < count; ++i)
        worst = std::max(worst, beta_last * std::abs(eig.vector(k - 1, static_cast<std::size_t>(order[i]))));
      result.residual_history.push_back(worst);
      if (options.monitor) options.monitor(result.operator_products, worst);
      if (worst <= std::max(options.rtol * norm_estimate, options.atol)) {
        reason = Reason::converged;
        break;
      }
    }
    if (result.operator_products >= s.max_iterations) break;
    if (k >= global_n) {  // unreachable in exact arithmetic: beta_last = 0 has converged above
      reason = Reason::breakdown;
      break;
    }

    if (k == m) {
      // Thick restart: keep the p best Ritz vectors Y = V S_p, then the next vector, whose coupling
      // to y_i is beta_last * s_{m-1,i} (the arrowhead row).
      const std::size_t p = std::min(m - 1, count + (m - count) / 2);
      for (std::size_t c = 0; c < p; ++c)
        for (std::size_t i = 0; i < m; ++i) wanted[i + c * m] = eig.vector(i, static_cast<std::size_t>(order[c]));
      for (std::size_t r0 = 0; r0 < n; r0 += block) {
        const std::size_t rows = std::min(block, n - r0);
        blas::gemm(function, Transpose::no, Transpose::no, rows, p, m, 1.0, basis.data() + r0, n,
                   wanted.data(), m, 0.0, row_block.data(), rows);
        for (std::size_t c = 0; c < p; ++c)
          std::copy_n(row_block.data() + c * rows, rows, basis.data() + r0 + c * n);
      }
      copy(column(m), column(p));
      const ConstVectorView theta = eig.values();
      std::fill(t.begin(), t.end(), 0.0);
      for (std::size_t c = 0; c < p; ++c) {
        tt(c, c) = theta[static_cast<std::size_t>(order[c])];
        tt(p, c) = beta_last * eig.vector(m - 1, static_cast<std::size_t>(order[c]));
      }
      k = p;
      have_ritz = false;
      ++result.restarts;
    }
  }

  // The wanted Ritz pairs of the current basis, and their true residuals.
  if (!have_ritz && k >= count && reason != Reason::non_finite) {
    eig.compute(t.data(), ld, k);
    order_by_target(eig.values(), options.target, order);
    have_ritz = true;
  }
  if (have_ritz) {
    for (std::size_t c = 0; c < count; ++c)
      for (std::size_t i = 0; i < k; ++i) wanted[i + c * k] = eig.vector(i, static_cast<std::size_t>(order[c]));
    result.eigenvectors = DenseMatrix(n, count);
    if (n > 0) {  // a block may hold no rows, and BLAS wants a leading dimension >= 1
      blas::gemm(function, Transpose::no, Transpose::no, n, count, k, 1.0, basis.data(), n, wanted.data(), k,
                 0.0, result.eigenvectors.data(), n);
    }
    result.eigenvalues.resize(count);
    result.residual_norms.resize(count);
    Vector ay(n);
    for (std::size_t c = 0; c < count; ++c) {
      const double theta = eig.values()[static_cast<std::size_t>(order[c])];
      result.eigenvalues[c] = theta;
      const ConstVectorView y = result.eigenvectors.col(c);
      a.apply(y, ay);
      result.residual_norms[c] = split.combine_norms(norm_of_difference(ay, theta, y));
    }
  }
  result.reason = reason;
  result.converged = reason == Reason::converged;
  return result;
}

}  // namespace detail

LanczosResult lanczos(const LinearOperator& a, const LanczosOptions& options) {
  return detail::lanczos("lanczos", a, options, detail::RowBlock::whole(a.rows()));
}

LanczosResult lanczos(const OperatorPtr& a, const LanczosOptions& options) {
  return lanczos(detail::checked_operator("lanczos", a), options);
}

}  // namespace frechet
