#include "frechet/optim/bfgs.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "optimize_support.hpp"

namespace frechet {
namespace {

constexpr double epsilon = std::numeric_limits<double>::epsilon();

bool curvature_holds(double ys, ConstVectorView s, ConstVectorView y) {
  return ys > epsilon * norm2(s) * norm2(y);
}

/// y = H x for the symmetric n x n H.
void multiply(const DenseMatrix& h, ConstVectorView x, VectorView y) {
  fill(y, 0.0);
  for (std::size_t j = 0; j < h.cols(); ++j) axpy(x[j], h.col(j), y);
}

void set_scaled_identity(DenseMatrix& h, double gamma) {
  fill(h.values(), 0.0);
  for (std::size_t i = 0; i < h.rows(); ++i) h(i, i) = gamma;
}

/// The two-loop recursion (Nocedal and Wright, Algorithm 7.4) over the stored pairs, newest at
/// (head - 1) mod m: q <- H q.
class LbfgsMemory {
public:
  LbfgsMemory(std::size_t n, int m) : s_(n, m), y_(n, m), rho_(m), alpha_(m) {}

  /// Stores (s, y) if the curvature condition holds; returns whether it did.
  bool push(ConstVectorView s, ConstVectorView y) {
    const double ys = dot(y, s);
    if (!curvature_holds(ys, s, y)) return false;
    const std::size_t slot = head_;
    copy(s, s_.col(slot));
    copy(y, y_.col(slot));
    rho_[slot] = 1.0 / ys;
    gamma_ = ys / dot(y, y);
    head_ = (head_ + 1) % s_.cols();
    count_ = std::min(count_ + 1, s_.cols());
    return true;
  }
  void clear() { count_ = 0; head_ = 0; gamma_ = 1.0; }
  std::size_t size() const { return count_; }

  void apply(VectorView q) {
    const std::size_t m = s_.cols();
    for (std::size_t k = 0; k < count_; ++k) {
      const std::size_t i = (head_ + m - 1 - k) % m;
      alpha_[i] = rho_[i] * dot(s_.col(i), q);
      axpy(-alpha_[i], y_.col(i), q);
    }
    scale(gamma_, q);
    for (std::size_t k = count_; k-- > 0;) {
      const std::size_t i = (head_ + m - 1 - k) % m;
      const double beta = rho_[i] * dot(y_.col(i), q);
      axpy(alpha_[i] - beta, s_.col(i), q);
    }
  }

private:
  DenseMatrix s_;
  DenseMatrix y_;
  Vector rho_;
  Vector alpha_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  double gamma_ = 1.0;
};

/// The loop BFGS and L-BFGS share; `direction(g, d)` writes d = -H g, `reset()` forgets H, and
/// `update(s, y)` folds in a step.
template <class Direction, class Reset, class Update>
OptimizeResult quasi_newton(const char* method, const Objective& objective, ConstVectorView x0,
                            const OptimizeOptions& options, Direction direction, Reset reset, Update update) {
  if (!objective.value_and_gradient) throw ArgumentError(std::string(method) + ": the objective has no value_and_gradient");
  const std::size_t n = x0.size();
  detail::OptimizeRun run(method, options, x0, std::max(200, 20 * static_cast<int>(std::min<std::size_t>(n, 1 << 20))));
  OptimizeResult& r = run.result();
  const detail::CountedObjective f(objective, r);
  if (auto done = run.start_at_x0(f)) return *std::move(done);

  detail::DirectionSearch search(run, f);
  Vector d(n);
  Vector s(n);
  Vector y(n);
  bool identity = true;  // H is the identity: the first iteration, or just after a reset
  while (r.iterations < run.max_iterations()) {
    direction(r.gradient, d);
    double slope = dot(r.gradient, d);
    if (!(slope < 0.0) && !identity) {
      // Rounding can spoil H's definiteness in long runs: restart from steepest descent.
      reset();
      identity = true;
      copy(r.gradient, d);
      scale(-1.0, d);
      slope = dot(r.gradient, d);
    }
    if (!(slope < 0.0))
      return run.finish(Reason::not_descent, detail::failure_message(method, Reason::not_descent,
                                                                     "g^T d is not negative", r.iterations));
    const double x_norm = norm2(r.x);
    const double value = r.value;
    copy(r.gradient, y);
    LineSearchResult ls = search.search(d, slope, identity ? std::min(1.0, 1.0 / norm2(r.gradient)) : 1.0);
    if (!ls.converged && ls.point.step == 0.0 && !identity) {
      reset();
      identity = true;
      copy(r.gradient, d);
      scale(-1.0, d);
      ls = search.search(d, -dot(d, d), std::min(1.0, 1.0 / norm2(r.gradient)));
    }
    if (ls.point.step > 0.0) ++r.iterations;
    if (!ls.converged) {
      return run.finish(ls.reason, detail::failure_message(method, ls.reason,
                                                           "the line search ended after " +
                                                               std::to_string(ls.evaluations) + " evaluations",
                                                           r.iterations));
    }
    if (!std::isfinite(r.value) || !all_finite(r.gradient))
      return run.finish(Reason::non_finite, detail::failure_message(method, Reason::non_finite,
                                                                    "f or its gradient is not finite", r.iterations));
    // s = alpha d, y = g_{k+1} - g_k.
    copy(d, s);
    scale(ls.point.step, s);
    axpby(1.0, r.gradient, -1.0, y);
    if (update(s, y, identity)) identity = false;
    if (run.accept(ls.point.step * norm2(d), x_norm, value)) return run.finish(Reason::converged);
  }
  return run.finish(Reason::max_iterations);
}

constexpr unsigned quasi_newton_fields = static_cast<unsigned>(detail::OptionField::line_search);

}  // namespace

bool bfgs_inverse_update(DenseMatrix& h, ConstVectorView s, ConstVectorView y) {
  const std::size_t n = h.rows();
  check_size("bfgs_inverse_update: columns of H", n, h.cols());
  check_size("bfgs_inverse_update: size of s", n, s.size());
  check_size("bfgs_inverse_update: size of y", n, y.size());
  const double ys = dot(y, s);
  if (!curvature_holds(ys, s, y)) return false;
  const double rho = 1.0 / ys;
  Vector hy(n);
  multiply(h, y, hy);
  const double c = rho * (1.0 + rho * dot(y, hy));
  // H + c s s^T - rho (H y s^T + s y^T H) on the upper triangle, mirrored: computed entry by entry,
  // (i, j) and (j, i) would round differently and H would drift from symmetry.
  for (std::size_t j = 0; j < n; ++j) {
    for (std::size_t i = 0; i <= j; ++i) {
      h(i, j) += c * s[i] * s[j] - rho * (hy[i] * s[j] + s[i] * hy[j]);
      h(j, i) = h(i, j);
    }
  }
  return true;
}

OptimizeResult bfgs(const Objective& objective, ConstVectorView x0, const OptimizeOptions& options) {
  detail::check_optimize_options("bfgs", options, quasi_newton_fields);
  detail::check_start("bfgs", x0);
  const std::size_t n = x0.size();
  DenseMatrix h = DenseMatrix::identity(n);
  return quasi_newton(
      "bfgs", objective, x0, options,
      [&](ConstVectorView g, VectorView d) {
        multiply(h, g, d);
        scale(-1.0, d);
      },
      [&] { set_scaled_identity(h, 1.0); },
      [&](ConstVectorView s, ConstVectorView y, bool identity) {
        if (identity && curvature_holds(dot(y, s), s, y)) set_scaled_identity(h, dot(y, s) / dot(y, y));
        return bfgs_inverse_update(h, s, y);
      });
}

OptimizeResult lbfgs(const Objective& objective, ConstVectorView x0, const OptimizeOptions& options) {
  detail::check_optimize_options("lbfgs", options, quasi_newton_fields | detail::OptionField::memory);
  detail::check_start("lbfgs", x0);
  LbfgsMemory memory(x0.size(), options.memory);
  return quasi_newton(
      "lbfgs", objective, x0, options,
      [&](ConstVectorView g, VectorView d) {
        copy(g, d);
        memory.apply(d);
        scale(-1.0, d);
      },
      [&] { memory.clear(); },
      [&](ConstVectorView s, ConstVectorView y, bool) { return memory.push(s, y); });
}

}  // namespace frechet
