#include "frechet/optim/adam.hpp"

#include <cmath>
#include <string>

#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"

namespace frechet {
namespace {

void check_range(const char* what, double value, double low, double high, bool high_open) {
  const bool ok = std::isfinite(value) && value >= low && (high_open ? value < high : value <= high);
  if (!ok)
    throw ArgumentError(std::string(what) + " must lie in [" + std::to_string(low) + ", " + std::to_string(high) +
                        (high_open ? ")" : "]") + ", got " + std::to_string(value));
}

void check_positive(const char* what, double value) {
  if (!(value > 0.0) || !std::isfinite(value))
    throw ArgumentError(std::string(what) + " must be finite and > 0, got " + std::to_string(value));
}

void check_update(const char* who, std::size_t n, ConstVectorView gradient, std::size_t out, const char* out_name) {
  // Strings only on the throwing path: an update allocates nothing.
  if (gradient.size() != n) check_size((std::string(who) + ": size of the gradient").c_str(), n, gradient.size());
  if (out != n) check_size((std::string(who) + ": size of " + out_name).c_str(), n, out);
  if (!all_finite(gradient)) check_finite((std::string(who) + ": gradient").c_str(), gradient);
}

}  // namespace

Adam::Adam(std::size_t n, const AdamOptions& options) : options_(options), m_(n, 0.0), v_(n, 0.0) {
  check_positive("Adam: learning_rate", options.learning_rate);
  check_range("Adam: b1", options.b1, 0.0, 1.0, true);
  check_range("Adam: b2", options.b2, 0.0, 1.0, true);
  check_range("Adam: eps", options.eps, 0.0, HUGE_VAL, true);
  check_range("Adam: eps_root", options.eps_root, 0.0, HUGE_VAL, true);
  if (options.eps == 0.0 && options.eps_root == 0.0)
    throw ArgumentError("Adam: eps and eps_root are both 0, which divides by zero on a zero gradient");
}

void Adam::update(ConstVectorView gradient, VectorView updates) {
  check_update("Adam::update", m_.size(), gradient, updates.size(), "the updates");
  advance(gradient, updates, false);
}

void Adam::step(ConstVectorView gradient, VectorView x) {
  check_update("Adam::step", m_.size(), gradient, x.size(), "x");
  advance(gradient, x, true);
}

void Adam::advance(ConstVectorView gradient, VectorView out, bool add) {
  ++count_;
  b1_power_ *= options_.b1;
  b2_power_ *= options_.b2;
  const double b1 = options_.b1;
  const double b2 = options_.b2;
  const double m_correction = 1.0 / (1.0 - b1_power_);
  const double v_correction = 1.0 / (1.0 - b2_power_);
  for (std::size_t i = 0; i < m_.size(); ++i) {
    const double g = gradient[i];
    m_[i] = b1 * m_[i] + (1.0 - b1) * g;
    v_[i] = b2 * v_[i] + (1.0 - b2) * g * g;
    const double u = -options_.learning_rate * (m_[i] * m_correction) /
                     (std::sqrt(v_[i] * v_correction + options_.eps_root) + options_.eps);
    out[i] = add ? out[i] + u : u;
  }
}

Sgd::Sgd(std::size_t n, const SgdOptions& options) : options_(options), trace_(n, 0.0) {
  check_positive("Sgd: learning_rate", options.learning_rate);
  check_range("Sgd: momentum", options.momentum, 0.0, 1.0, true);
}

void Sgd::update(ConstVectorView gradient, VectorView updates) {
  check_update("Sgd::update", trace_.size(), gradient, updates.size(), "the updates");
  advance(gradient, updates, false);
}

void Sgd::step(ConstVectorView gradient, VectorView x) {
  check_update("Sgd::step", trace_.size(), gradient, x.size(), "x");
  advance(gradient, x, true);
}

void Sgd::advance(ConstVectorView gradient, VectorView out, bool add) {
  ++count_;
  const double mu = options_.momentum;
  for (std::size_t i = 0; i < trace_.size(); ++i) {
    trace_[i] = gradient[i] + mu * trace_[i];
    const double direction = options_.nesterov ? gradient[i] + mu * trace_[i] : trace_[i];
    const double u = -options_.learning_rate * direction;
    out[i] = add ? out[i] + u : u;
  }
}

}  // namespace frechet
