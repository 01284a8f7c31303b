// libFuzzer target: the AD layer recording random straight-line programs. Each input byte string is
// a program over a few registers (4 bytes a statement: operation, destination, two operands). It
// is run as plain doubles, recorded on the tape (value_and_grad) and pushed forward one direction
// at a time (jvp); the three must agree: the values to rounding, the tape's gradient with the
// forward-mode derivatives to a tolerance. A crash, a sanitizer report or a disagreement is a bug,
// except where the program's value or derivative is not determined by double precision at all
// (below).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <span>
#include <vector>

#include "frechet/ad/ad.hpp"

namespace {

using frechet::scalar_t;

// The operations of the AD tests' random programs. Most keep the registers bounded; a register
// squared again and again (operation 3 with one register) overflows, which every mode must report
// alike.
// With jitter > 0 every statement's result is scaled by 1 + jitter, standing for the rounding by
// which the modes may differ (below).
template <class V>
scalar_t<V> program(const V& x, std::span<const std::uint8_t> code, double jitter = 0.0) {
  using T = scalar_t<V>;
  std::vector<T> r;
  for (std::size_t i = 0; i < x.size(); ++i) r.push_back(x[i]);
  r.push_back(T(0.5));
  for (std::size_t p = 0; p + 4 <= code.size(); p += 4) {
    const std::size_t d = code[p + 1] % r.size(), a = code[p + 2] % r.size(), b = code[p + 3] % r.size();
    switch (code[p] % 16) {
      case 0: r[d] = 0.5 * (r[a] + r[b]); break;
      case 1: r[d] = r[a] - 0.5 * r[b]; break;
      case 2: r[d] = tanh(r[a] * r[b]); break;
      case 3: r[d] = sin(r[a]) + 0.5 * r[b] * r[a]; break;
      case 4: r[d] += 0.5 * sin(r[a] * r[b]); break;
      case 5: r[d] -= exp(0.1 * r[a]); break;
      case 6: r[d] = r[a]; break;
      case 7: r[d] += 0.1 * r[d] * cos(r[a]); break;
      case 8: r[d] = r[a] / (2.0 + r[b] * r[b]); break;
      case 9: r[d] += 0.01 * frechet::dot(x, x) * r[a]; break;
      case 10: {
        const auto e = r[a] * r[b];
        r[d] = 0.5 * tanh(e) + 0.1 * e * r[d];
        break;
      }
      case 11: r[d] *= 0.5 + 0.25 * cos(r[a]); break;
      case 12: r[d] /= 1.5 + sin(r[b]); break;
      case 13: r[d] = 0.5 * r[d] - (r[a] - r[b]) * 0.25; break;
      case 14: {
        const T kept = r[d];
        r[d] += 0.5 * r[a] * r[b];
        r[a] = 0.5 * kept + 0.25 * r[d];
        break;
      }
      case 15: r.push_back(r[d]); r[d] += 0.2 * r[a]; break;
    }
    if (jitter != 0.0) r[d] = r[d] * (1.0 + jitter);
  }
  T s = 0.0;
  for (const T& v : r) s += v;
  return s;
}

// A disagreement prints what disagreed before aborting, so that a CI log alone explains a finding.
void require(bool condition, const char* what, double expected, double got) {
  if (condition) return;
  std::fprintf(stderr, "fuzz_tape: %s: expected %.17g, got %.17g\n", what, expected, got);
  std::abort();
}

// The same value to rounding; an overflow (a register squared repeatedly) must give the same inf
// or NaN in every mode.
bool same_value(double expected, double got) {
  if (!std::isfinite(expected) || !std::isfinite(got)) {
    return std::isnan(expected) ? std::isnan(got) : expected == got;
  }
  return std::abs(got - expected) <= 1e-12 * (1.0 + std::abs(expected));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4 * 256) return 0;  // longer programs add nothing the shorter ones do not
  const std::span<const std::uint8_t> code(data, size);
  const frechet::Vector x{0.3, -1.2, 0.7};
  const auto f = [&](const auto& v) { return program(v, code); };
  const double plain = program(x, code);
  // The modes may round a register differently by an ulp (the tape preaccumulates statements, its
  // dot is a BLAS call), so they can be asked to agree to rounding only where rounding does not move
  // the result: where 8 ulps of x move the value by more than same_value allows, the program's value
  // is not determined by double precision, and it is skipped, not failed
  // (test/fuzz/corpus/tape/ill_conditioned_value.bin: a condition number of about 4e5).
  frechet::Vector nearby = x;
  for (double& v : nearby) v *= 1.0 + 8.0 * std::numeric_limits<double>::epsilon();
  const double moved_value = program(nearby, code);
  if (!same_value(plain, moved_value)) return 0;
  // Nor when the value hangs on the rounding of an intermediate rather than on x: the tape divides
  // by multiplying with the reciprocal, an ulp away from the plain quotient, and the cosine of a
  // register of 5e13 turns that ulp into a relative 1e-3
  // (test/fuzz/corpus/tape/rounding_of_an_intermediate.bin). Scaling every statement's result by
  // 1 + 8 eps shows it. A finite value that such a nudge turns into inf or NaN is not determined
  // either (test/fuzz/corpus/tape/overflow_under_rounding.bin: the exponential of a register that
  // hangs on the cosine of 1e13 makes a value of -6e98 as computed, NaN when nudged, and -3e138 in
  // quadruple precision).
  constexpr double jitter = 8.0 * std::numeric_limits<double>::epsilon();
  const double jittered_value = program(x, code, jitter);
  if (!same_value(plain, jittered_value)) return 0;
  const auto taped = frechet::value_and_grad(f, x);
  require(same_value(plain, taped.value), "value on the tape", plain, taped.value);
  // Forward and reverse mode sum the same partial products in different orders, so they differ by
  // rounding relative to the largest of those products, not to the derivative (a derivative that
  // cancels to 0 on the tape may be 1e14 in forward mode when the registers hold 1e30). The scale
  // is the largest value or derivative: a wrong recording is off by far more.
  frechet::Vector tangent(x.size());
  // A NaN or inf value (a register overflowed) leaves the derivatives of the registers that stayed
  // finite to compare, on their own scale.
  double scale = std::isfinite(plain) ? 1.0 + std::abs(plain) : 1.0;
  for (std::size_t j = 0; j < x.size(); ++j) {
    frechet::Vector e(x.size(), 0.0);
    e[j] = 1.0;
    const auto forward = frechet::jvp(f, x, e);
    require(same_value(plain, forward.value), "value in forward mode", plain, forward.value);
    tangent[j] = forward.tangent;
    if (std::isfinite(tangent[j])) scale = std::max(scale, std::abs(tangent[j]));
    if (std::isfinite(taped.gradient[j])) scale = std::max(scale, std::abs(taped.gradient[j]));
  }
  // Where moving x by a few ulps moves a derivative by more than the tolerance, double precision does
  // not determine that derivative (the sine of a register of 1e17 depends on bits below its rounding),
  // and the tape and forward mode, which may round a register differently by an ulp, cannot be asked to
  // agree. Such a program is skipped, not failed: in the replayed finding
  // test/fuzz/corpus/tape/ill_conditioned_derivative.bin a relative change of 1e-15 in x moves
  // d/dx1 by 5%, even in quadruple precision.
  for (std::size_t j = 0; j < x.size(); ++j) {
    frechet::Vector e(x.size(), 0.0);
    e[j] = 1.0;
    const double t = tangent[j];
    if (!std::isfinite(t)) continue;  // not compared below
    const auto stays_near = [&](double nudged) { return std::abs(nudged - t) <= 1e-8 * scale; };
    if (!stays_near(frechet::jvp(f, nearby, e).tangent)) return 0;
    const auto jittered = [&](const auto& v) { return program(v, code, jitter); };
    if (!stays_near(frechet::jvp(jittered, x, e).tangent)) return 0;
  }
  for (std::size_t j = 0; j < x.size(); ++j) {
    // A derivative past the double range may be inf in one mode and NaN in the other (0 * inf
    // meets the partials in another order): only finite derivatives are compared.
    const double g = taped.gradient[j], t = tangent[j];
    if (std::isfinite(g) && std::isfinite(t)) {
      require(std::abs(t - g) <= 1e-8 * scale, "gradient against forward mode", t, g);
    }
  }
  return 0;
}
