#include "frechet/optim/bfgs.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "frechet/core/blas1.hpp"
#include "core/parallel.hpp"
#include "frechet/core/error.hpp"
#include "optimize_support.hpp"

namespace frechet {
namespace {

constexpr double epsilon = std::numeric_limits<double>::epsilon();

constexpr auto parallel_length = static_cast<std::ptrdiff_t>(detail::parallel_min_entries);

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

/// dst = c (src + a x), returning w^T dst: one pass over n for each step of the fused two-loop
/// recursion (src may be dst; w is neither).
double scaled_axpy_dot(double c, ConstVectorView src, double a, ConstVectorView x, VectorView dst, ConstVectorView w) {
  const auto n = static_cast<std::ptrdiff_t>(dst.size());
  const double* sp = src.data();
  const double* xp = x.data();
  const double* wp = w.data();
  double* dp = dst.data();
  double sum = 0.0;
#pragma omp parallel for simd reduction(+ : sum) schedule(static) if (n >= parallel_length)
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    const double v = c * (sp[i] + a * xp[i]);
    dp[i] = v;
    sum += wp[i] * v;
  }
  return sum;
}

/// d = -g, returning g^T d.
double steepest_descent(ConstVectorView g, VectorView d) { return scaled_axpy_dot(-1.0, g, 0.0, g, d, g); }

/// The products of a new pair that the updates test and use.
struct PairProducts {
  double ys = 0.0;
  double yy = 0.0;
  double ss = 0.0;
  bool curvature_holds() const { return ys > epsilon * std::sqrt(ss) * std::sqrt(yy); }
};

/// s = alpha d and y = g - g_previous, with y^T s, y^T y and s^T s, in one pass.
PairProducts form_pair(double alpha, ConstVectorView d, ConstVectorView g, ConstVectorView g_previous, VectorView s,
                       VectorView y) {
  const auto n = static_cast<std::ptrdiff_t>(d.size());
  const double* dp = d.data();
  const double* gp = g.data();
  const double* op = g_previous.data();
  double* sp = s.data();
  double* yp = y.data();
  double ys = 0.0;
  double yy = 0.0;
  double ss = 0.0;
#pragma omp parallel for simd reduction(+ : ys, yy, ss) schedule(static) if (n >= parallel_length)
  for (std::ptrdiff_t i = 0; i < n; ++i) {
    const double si = alpha * dp[i];
    const double yi = gp[i] - op[i];
    sp[i] = si;
    yp[i] = yi;
    ys += yi * si;
    yy += yi * yi;
    ss += si * si;
  }
  return {ys, yy, ss};
}

/// The last m pairs (s, y) of L-BFGS and the two-loop recursion (Nocedal and Wright, Algorithm 7.4),
/// fused so that each pair costs one pass over n in each loop: the update of q by one pair and the
/// inner product with the next pair share a pass, as do the scaling by H_0 = gamma I and the last
/// update with -q and g^T d. A pass reads three vectors and writes one, against two passes (a dot and
/// an axpy, five vector reads and a write) unfused. The pairs live in a ring of m + 1 columns: the
/// spare column receives the next pair, so a pair refused by the curvature test overwrites nothing.
class LbfgsMemory {
public:
  LbfgsMemory(std::size_t n, int m)
      : s_(n, static_cast<std::size_t>(m) + 1), y_(n, static_cast<std::size_t>(m) + 1), rho_(s_.cols()),
        alpha_(s_.cols()), beta_(s_.cols()), capacity_(static_cast<std::size_t>(m)) {}

  /// The columns the next pair is to be formed in.
  VectorView next_s() { return s_.col(head_); }
  VectorView next_y() { return y_.col(head_); }

  /// Keeps the pair formed in next_s()/next_y() if the curvature condition holds (dropping the oldest
  /// when m are kept); returns whether it did.
  bool push(const PairProducts& p) {
    if (!p.curvature_holds()) return false;
    rho_[head_] = 1.0 / p.ys;
    gamma_ = p.ys / p.yy;
    head_ = (head_ + 1) % s_.cols();
    count_ = std::min(count_ + 1, capacity_);
    return true;
  }
  void clear() {
    count_ = 0;
    gamma_ = 1.0;
  }

  /// d = -H g; returns g^T d. 2 count + 1 passes over n (one with no pairs).
  double direction(ConstVectorView g, VectorView d) {
    if (count_ == 0) return scaled_axpy_dot(-gamma_, g, 0.0, g, d, g);
    // k = 0 is the newest pair. First loop, newest to oldest: alpha_k = rho_k s_k^T q, q -= alpha_k y_k.
    alpha_[slot(0)] = rho_[slot(0)] * dot(s_.col(slot(0)), g);
    for (std::size_t k = 0; k < count_; ++k) {
      const std::size_t i = slot(k);
      const bool last = k + 1 == count_;
      // The last pass also scales by gamma and starts the second loop with beta of the oldest pair.
      const std::size_t next = last ? i : slot(k + 1);
      const double product = scaled_axpy_dot(last ? gamma_ : 1.0, k == 0 ? g : ConstVectorView(d), -alpha_[i],
                                             y_.col(i), d, last ? y_.col(i) : s_.col(next));
      if (last) {
        beta_[i] = rho_[i] * product;
      } else {
        alpha_[next] = rho_[next] * product;
      }
    }
    // Second loop, oldest to newest: beta_k = rho_k y_k^T q, q += (alpha_k - beta_k) s_k; the last pass
    // negates q and returns g^T d.
    double slope = 0.0;
    for (std::size_t k = count_; k-- > 0;) {
      const std::size_t i = slot(k);
      const double product = scaled_axpy_dot(k == 0 ? -1.0 : 1.0, d, alpha_[i] - beta_[i], s_.col(i), d,
                                             k == 0 ? g : y_.col(slot(k - 1)));
      if (k == 0) {
        slope = product;
      } else {
        beta_[slot(k - 1)] = rho_[slot(k - 1)] * product;
      }
    }
    return slope;
  }

private:
  std::size_t slot(std::size_t k) const { return (head_ + s_.cols() - 1 - k) % s_.cols(); }

  DenseMatrix s_;
  DenseMatrix y_;
  Vector rho_;
  Vector alpha_;
  Vector beta_;
  std::size_t capacity_;
  std::size_t head_ = 0;  // the spare column
  std::size_t count_ = 0;
  double gamma_ = 1.0;
};

/// The loop BFGS and L-BFGS share: `direction(g, d)` writes d = -H g and returns g^T d, `reset()`
/// forgets H, `pair()` gives the two vectors the next (s, y) is formed in, and `update(s, y,
/// products, identity)` folds it in.
template <class Direction, class Reset, class Pair, class Update>
OptimizeResult quasi_newton(const char* method, const Objective& objective, ConstVectorView x0,
                            const OptimizeOptions& options, Direction direction, Reset reset, Pair pair,
                            Update update) {
  if (!objective.value_and_gradient) throw ArgumentError(std::string(method) + ": the objective has no value_and_gradient");
  const std::size_t n = x0.size();
  detail::OptimizeRun run(method, options, x0, std::max(200, 20 * static_cast<int>(std::min<std::size_t>(n, 1 << 20))));
  OptimizeResult& r = run.result();
  const detail::CountedObjective f(objective, r);
  if (auto done = run.start_at_x0(f)) return *std::move(done);

  detail::DirectionSearch search(run, f);
  Vector d(n);
  const bool needs_x_norm = options.stopping_rule == StoppingRule::step_norm;
  bool identity = true;  // H is the identity: the first iteration, or just after a reset
  while (r.iterations < run.max_iterations()) {
    double slope = direction(r.gradient, d);
    if (!(slope < 0.0) && !identity) {
      // Rounding can spoil H's definiteness in long runs: restart from steepest descent.
      reset();
      identity = true;
      slope = steepest_descent(r.gradient, d);
    }
    if (!(slope < 0.0))
      return run.finish(Reason::not_descent, detail::failure_message(method, Reason::not_descent,
                                                                     "g^T d is not negative", r.iterations));
    const double x_norm = needs_x_norm ? norm2(r.x) : 0.0;
    const double value = r.value;
    LineSearchResult ls = search.search(d, slope, identity ? std::min(1.0, 1.0 / r.gradient_norm) : 1.0);
    if (!ls.converged && ls.point.step == 0.0 && !identity) {
      reset();
      identity = true;
      ls = search.search(d, steepest_descent(r.gradient, d), std::min(1.0, 1.0 / r.gradient_norm));
    }
    if (ls.point.step > 0.0) ++r.iterations;
    if (!ls.converged) {
      return run.finish(ls.reason, detail::failure_message(method, ls.reason,
                                                           "the line search ended after " +
                                                               std::to_string(ls.evaluations) + " evaluations",
                                                           r.iterations));
    }
    // A finite gradient norm implies finite entries; only an infinite norm needs the full test.
    if (!std::isfinite(r.value) || (!std::isfinite(r.gradient_norm) && !all_finite(r.gradient)))
      return run.finish(Reason::non_finite, detail::failure_message(method, Reason::non_finite,
                                                                    "f or its gradient is not finite", r.iterations));
    const auto [s, y] = pair();
    const PairProducts products = form_pair(ls.point.step, d, r.gradient, search.previous_gradient(), s, y);
    if (update(s, y, products, identity)) identity = false;
    if (run.accept(std::sqrt(products.ss), x_norm, value)) return run.finish(Reason::converged);
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
  Vector s(n);
  Vector y(n);
  return quasi_newton(
      "bfgs", objective, x0, options,
      [&](ConstVectorView g, VectorView d) {
        multiply(h, g, d);
        scale(-1.0, d);
        return dot(g, d);
      },
      [&] { set_scaled_identity(h, 1.0); }, [&] { return std::pair<VectorView, VectorView>(s, y); },
      [&](ConstVectorView s, ConstVectorView y, const PairProducts& p, bool identity) {
        if (identity && p.curvature_holds()) set_scaled_identity(h, p.ys / p.yy);
        return bfgs_inverse_update(h, s, y);
      });
}

OptimizeResult lbfgs(const Objective& objective, ConstVectorView x0, const OptimizeOptions& options) {
  detail::check_optimize_options("lbfgs", options, quasi_newton_fields | detail::OptionField::memory);
  detail::check_start("lbfgs", x0);
  LbfgsMemory memory(x0.size(), options.memory);
  return quasi_newton(
      "lbfgs", objective, x0, options, [&](ConstVectorView g, VectorView d) { return memory.direction(g, d); },
      [&] { memory.clear(); }, [&] { return std::pair<VectorView, VectorView>(memory.next_s(), memory.next_y()); },
      [&](ConstVectorView, ConstVectorView, const PairProducts& p, bool) { return memory.push(p); });
}

}  // namespace frechet
