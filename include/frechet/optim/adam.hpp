#pragma once
/// \file
/// Adam as a step-wise optimiser for training loops: the caller computes a (stochastic) gradient
/// and calls update(), like Optax's `update` (optax.adam) followed by `apply_updates`.
///
/// Reference: D. P. Kingma and J. Ba, "Adam: a method for stochastic optimization", ICLR 2015, in
/// the form Optax implements (scale_by_adam, then scale by -learning_rate): with t the number of
/// updates so far, counting this one,
///     m_t = b1 m_{t-1} + (1 - b1) g_t          v_t = b2 v_{t-1} + (1 - b2) g_t^2
///     m^_t = m_t / (1 - b1^t)                  v^_t = v_t / (1 - b2^t)
///     u_t = -learning_rate m^_t / (sqrt(v^_t + eps_root) + eps)
/// entrywise, from m_0 = v_0 = 0.

#include <cstddef>

#include "frechet/core/vector.hpp"

namespace frechet {

/// Adam's constants, defaulting to Optax's.
struct AdamOptions {
  double learning_rate = 1e-3;  ///< > 0
  double b1 = 0.9;              ///< in [0, 1)
  double b2 = 0.999;            ///< in [0, 1)
  double eps = 1e-8;            ///< >= 0, added outside the square root
  double eps_root = 0.0;        ///< >= 0, added inside the square root
};

/// The state of Adam for n parameters (m, v and the count t). update() allocates nothing.
class Adam {
public:
  /// Throws ArgumentError for constants outside their ranges (named in AdamOptions).
  explicit Adam(std::size_t n, const AdamOptions& options = {});
  /// Writes the update u_t for the gradient g_t into `updates` (the parameters become x + u_t).
  /// Throws ShapeError for sizes other than n, NonFiniteError for a non-finite gradient (the state is
  /// then unchanged).
  void update(ConstVectorView gradient, VectorView updates);
  /// x += u_t: update() and Optax's apply_updates in one call.
  void step(ConstVectorView gradient, VectorView x);
  /// The number of updates t so far.
  long count() const noexcept { return count_; }
  const Vector& first_moment() const noexcept { return m_; }   ///< m_t
  const Vector& second_moment() const noexcept { return v_; }  ///< v_t
  const AdamOptions& options() const noexcept { return options_; }

private:
  void advance(ConstVectorView gradient, VectorView out, bool add);  // out = u_t, or out += u_t

  AdamOptions options_;
  Vector m_;
  Vector v_;
  long count_ = 0;
  double b1_power_ = 1.0;  // b1^t
  double b2_power_ = 1.0;  // b2^t
};

/// Stochastic gradient descent with optional (Nesterov) momentum, as Optax's sgd: with the trace
/// tr_t = g_t + momentum tr_{t-1} (tr_0 = 0), the update is u_t = -learning_rate tr_t, or
/// u_t = -learning_rate (g_t + momentum tr_t) with Nesterov's momentum.
struct SgdOptions {
  double learning_rate = 1e-2;  ///< > 0
  double momentum = 0.0;        ///< in [0, 1); 0 is plain SGD
  bool nesterov = false;
};

/// The state of SGD for n parameters (the momentum trace). update() allocates nothing.
class Sgd {
public:
  /// Throws ArgumentError for constants outside their ranges.
  explicit Sgd(std::size_t n, const SgdOptions& options = {});
  /// Writes u_t for the gradient g_t into `updates`; throws as Adam::update.
  void update(ConstVectorView gradient, VectorView updates);
  /// x += u_t.
  void step(ConstVectorView gradient, VectorView x);
  long count() const noexcept { return count_; }
  const Vector& trace() const noexcept { return trace_; }

private:
  void advance(ConstVectorView gradient, VectorView out, bool add);

  SgdOptions options_;
  Vector trace_;
  long count_ = 0;
};

}  // namespace frechet
