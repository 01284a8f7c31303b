#pragma once
// The unconstrained test problems of J. J. Moré, B. S. Garbow and K. E. Hillstrom, "Testing
// unconstrained optimization software", ACM Trans. Math. Software 7(1), 17-41, 1981: each is a
// sum of squares f(x) = sum_{i=1}^m f_i(x)^2 of residuals f_i, entered from the paper's
// definitions, with its standard starting point and the minimum value the paper reports. The
// residuals are templated on the array type, so the AD layer differentiates them (doc/ad.md).
// Shared by test/optim and apps/bench/optim.cpp.

#include <cmath>
#include <cstddef>
#include <numbers>
#include <string>
#include <vector>

#include "frechet/ad/ad.hpp"

namespace frechet::mgh {

/// The extended Rosenbrock function (problem 21) written with scalar operations, as a user would:
/// n / 2 decoupled copies of Rosenbrock's function, a block-diagonal Hessian.
template <class V> scalar_t<V> extended_rosenbrock(const V& x) {
  using T = scalar_t<V>;
  T f = 0.0;
  for (std::size_t i = 0; i + 1 < x.size(); i += 2) {
    const T a = x[i + 1] - x[i] * x[i];
    const T b = 1.0 - x[i];
    f += 100.0 * a * a + b * b;
  }
  return f;
}

/// One problem at one size: number (1-35, as in the paper), name, n, m, x0, the minimum value
/// f* of sum f_i^2 the paper reports for this n, and the other local minima it reports.
struct Problem {
  int number = 0;
  std::string name;
  std::size_t n = 0;
  std::size_t m = 0;
  Vector x0;
  double f_star = 0.0;
  std::vector<double> local_minima{};
};

namespace data {
inline const double bard_y[15] = {0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39,
                                  0.37, 0.58, 0.73, 0.96, 1.34, 2.10, 4.39};
inline const double gaussian_y[15] = {0.0009, 0.0044, 0.0175, 0.0540, 0.1295, 0.2420, 0.3521, 0.3989,
                                      0.3521, 0.2420, 0.1295, 0.0540, 0.0175, 0.0044, 0.0009};
inline const double meyer_y[16] = {34780, 28610, 23650, 19630, 16370, 13720, 11540, 9744,
                                   8261,  7030,  6005,  5147,  4427,  3820,  3307,  2872};
inline const double kowalik_y[11] = {0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627,
                                     0.0456, 0.0342, 0.0323, 0.0235, 0.0246};
inline const double kowalik_u[11] = {4.0, 2.0, 1.0, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625};
inline const double osborne1_y[33] = {0.844, 0.908, 0.932, 0.936, 0.925, 0.908, 0.881, 0.850, 0.818, 0.784, 0.751,
                                      0.718, 0.685, 0.658, 0.628, 0.603, 0.580, 0.558, 0.538, 0.522, 0.506, 0.490,
                                      0.478, 0.467, 0.457, 0.448, 0.438, 0.431, 0.424, 0.420, 0.414, 0.411, 0.406};
inline const double osborne2_y[65] = {
    1.366, 1.191, 1.112, 1.013, 0.991, 0.885, 0.831, 0.847, 0.786, 0.725, 0.746, 0.679, 0.608,
    0.655, 0.616, 0.606, 0.602, 0.626, 0.651, 0.724, 0.649, 0.649, 0.694, 0.644, 0.624, 0.661,
    0.612, 0.558, 0.533, 0.495, 0.500, 0.423, 0.395, 0.375, 0.372, 0.391, 0.396, 0.405, 0.428,
    0.429, 0.523, 0.562, 0.607, 0.653, 0.672, 0.708, 0.633, 0.668, 0.645, 0.632, 0.591, 0.559,
    0.597, 0.625, 0.739, 0.710, 0.729, 0.720, 0.636, 0.581, 0.428, 0.292, 0.162, 0.098, 0.054};
}  // namespace data

/// The residuals f_1, ..., f_m of problem `number` at x (x.size() = n).
template <class V>
std::vector<scalar_t<V>> residuals(int number, std::size_t m, const V& x) {
  using T = scalar_t<V>;
  using std::atan;
  using std::abs;
  using std::cos;
  using std::exp;
  using std::pow;
  using std::sin;
  using std::sqrt;
  const std::size_t n = x.size();
  std::vector<T> f(m, T(0.0));
  switch (number) {
    case 1:  // Rosenbrock
      f[0] = 10.0 * (x[1] - x[0] * x[0]);
      f[1] = 1.0 - x[0];
      break;
    case 2:  // Freudenstein and Roth
      f[0] = -13.0 + x[0] + ((5.0 - x[1]) * x[1] - 2.0) * x[1];
      f[1] = -29.0 + x[0] + ((x[1] + 1.0) * x[1] - 14.0) * x[1];
      break;
    case 3:  // Powell badly scaled
      f[0] = 1e4 * x[0] * x[1] - 1.0;
      f[1] = exp(-x[0]) + exp(-x[1]) - 1.0001;
      break;
    case 4:  // Brown badly scaled
      f[0] = x[0] - 1e6;
      f[1] = x[1] - 2e-6;
      f[2] = x[0] * x[1] - 2.0;
      break;
    case 5: {  // Beale
      const double y[3] = {1.5, 2.25, 2.625};
      for (std::size_t i = 0; i < 3; ++i) f[i] = y[i] - x[0] * (1.0 - pow(x[1], static_cast<int>(i + 1)));
      break;
    }
    case 6:  // Jennrich and Sampson
      for (std::size_t i = 0; i < m; ++i) {
        const double k = static_cast<double>(i + 1);
        f[i] = 2.0 + 2.0 * k - (exp(k * x[0]) + exp(k * x[1]));
      }
      break;
    case 7: {  // Helical valley
      const double two_pi = 2.0 * std::numbers::pi;
      T theta = atan(x[1] / x[0]) / two_pi;
      if (x[0] < 0.0) theta = theta + 0.5;
      f[0] = 10.0 * (x[2] - 10.0 * theta);
      f[1] = 10.0 * (sqrt(x[0] * x[0] + x[1] * x[1]) - 1.0);
      f[2] = x[2];
      break;
    }
    case 8:  // Bard
      for (std::size_t i = 0; i < 15; ++i) {
        const double u = static_cast<double>(i + 1);
        const double v = 16.0 - u;
        const double w = std::min(u, v);
        f[i] = data::bard_y[i] - (x[0] + u / (v * x[1] + w * x[2]));
      }
      break;
    case 9:  // Gaussian
      for (std::size_t i = 0; i < 15; ++i) {
        const double t = (8.0 - static_cast<double>(i + 1)) / 2.0;
        f[i] = x[0] * exp(-x[1] * (t - x[2]) * (t - x[2]) / 2.0) - data::gaussian_y[i];
      }
      break;
    case 10:  // Meyer
      for (std::size_t i = 0; i < 16; ++i) {
        const double t = 45.0 + 5.0 * static_cast<double>(i + 1);
        f[i] = x[0] * exp(x[1] / (t + x[2])) - data::meyer_y[i];
      }
      break;
    case 11:  // Gulf research and development
      for (std::size_t i = 0; i < m; ++i) {
        const double t = static_cast<double>(i + 1) / 100.0;
        const double y = 25.0 + std::pow(-50.0 * std::log(t), 2.0 / 3.0);
        f[i] = exp(-pow(abs(y - x[1]), x[2]) / x[0]) - t;
      }
      break;
    case 12:  // Box three-dimensional
      for (std::size_t i = 0; i < m; ++i) {
        const double t = 0.1 * static_cast<double>(i + 1);
        f[i] = exp(-t * x[0]) - exp(-t * x[1]) - x[2] * (std::exp(-t) - std::exp(-10.0 * t));
      }
      break;
    case 13:  // Powell singular
    case 22:  // Extended Powell singular
      for (std::size_t j = 0; j + 3 < n; j += 4) {
        f[j] = x[j] + 10.0 * x[j + 1];
        f[j + 1] = std::sqrt(5.0) * (x[j + 2] - x[j + 3]);
        f[j + 2] = (x[j + 1] - 2.0 * x[j + 2]) * (x[j + 1] - 2.0 * x[j + 2]);
        f[j + 3] = std::sqrt(10.0) * (x[j] - x[j + 3]) * (x[j] - x[j + 3]);
      }
      break;
    case 14:  // Wood
      f[0] = 10.0 * (x[1] - x[0] * x[0]);
      f[1] = 1.0 - x[0];
      f[2] = std::sqrt(90.0) * (x[3] - x[2] * x[2]);
      f[3] = 1.0 - x[2];
      f[4] = std::sqrt(10.0) * (x[1] + x[3] - 2.0);
      f[5] = (x[1] - x[3]) / std::sqrt(10.0);
      break;
    case 15:  // Kowalik and Osborne
      for (std::size_t i = 0; i < 11; ++i) {
        const double u = data::kowalik_u[i];
        f[i] = data::kowalik_y[i] - x[0] * (u * u + u * x[1]) / (u * u + u * x[2] + x[3]);
      }
      break;
    case 16:  // Brown and Dennis
      for (std::size_t i = 0; i < m; ++i) {
        const double t = static_cast<double>(i + 1) / 5.0;
        const T a = x[0] + t * x[1] - std::exp(t);
        const T b = x[2] + x[3] * std::sin(t) - std::cos(t);
        f[i] = a * a + b * b;
      }
      break;
    case 17:  // Osborne 1
      for (std::size_t i = 0; i < 33; ++i) {
        const double t = 10.0 * static_cast<double>(i);
        f[i] = data::osborne1_y[i] - (x[0] + x[1] * exp(-t * x[3]) + x[2] * exp(-t * x[4]));
      }
      break;
    case 18:  // Biggs EXP6
      for (std::size_t i = 0; i < m; ++i) {
        const double t = 0.1 * static_cast<double>(i + 1);
        const double y = std::exp(-t) - 5.0 * std::exp(-10.0 * t) + 3.0 * std::exp(-4.0 * t);
        f[i] = x[2] * exp(-t * x[0]) - x[3] * exp(-t * x[1]) + x[5] * exp(-t * x[4]) - y;
      }
      break;
    case 19:  // Osborne 2
      for (std::size_t i = 0; i < 65; ++i) {
        const double t = static_cast<double>(i) / 10.0;
        f[i] = data::osborne2_y[i] -
               (x[0] * exp(-t * x[4]) + x[1] * exp(-(t - x[8]) * (t - x[8]) * x[5]) +
                x[2] * exp(-(t - x[9]) * (t - x[9]) * x[6]) + x[3] * exp(-(t - x[10]) * (t - x[10]) * x[7]));
      }
      break;
    case 20:  // Watson
      for (std::size_t i = 0; i < 29; ++i) {
        const double t = static_cast<double>(i + 1) / 29.0;
        T s1 = 0.0;
        double power = 1.0;  // t^{j-2} for j = 2, ...
        for (std::size_t j = 1; j < n; ++j) {
          s1 += static_cast<double>(j) * power * x[j];
          power *= t;
        }
        T s2 = 0.0;
        power = 1.0;  // t^{j-1} for j = 1, ...
        for (std::size_t j = 0; j < n; ++j) {
          s2 += power * x[j];
          power *= t;
        }
        f[i] = s1 - s2 * s2 - 1.0;
      }
      f[29] = x[0];
      f[30] = x[1] - x[0] * x[0] - 1.0;
      break;
    case 21:  // Extended Rosenbrock
      for (std::size_t j = 0; j + 1 < n; j += 2) {
        f[j] = 10.0 * (x[j + 1] - x[j] * x[j]);
        f[j + 1] = 1.0 - x[j];
      }
      break;
    case 23: {  // Penalty I
      const double a = std::sqrt(1e-5);
      T s = 0.0;
      for (std::size_t j = 0; j < n; ++j) {
        f[j] = a * (x[j] - 1.0);
        s += x[j] * x[j];
      }
      f[n] = s - 0.25;
      break;
    }
    case 24: {  // Penalty II
      const double a = std::sqrt(1e-5);
      f[0] = x[0] - 0.2;
      for (std::size_t i = 1; i < n; ++i) {
        const double y = std::exp(static_cast<double>(i + 1) / 10.0) + std::exp(static_cast<double>(i) / 10.0);
        f[i] = a * (exp(x[i] / 10.0) + exp(x[i - 1] / 10.0) - y);
      }
      for (std::size_t i = n; i < 2 * n - 1; ++i) f[i] = a * (exp(x[i - n + 1] / 10.0) - std::exp(-0.1));
      T s = 0.0;
      for (std::size_t j = 0; j < n; ++j) s += static_cast<double>(n - j) * x[j] * x[j];
      f[2 * n - 1] = s - 1.0;
      break;
    }
    case 25: {  // Variably dimensioned
      T s = 0.0;
      for (std::size_t j = 0; j < n; ++j) {
        f[j] = x[j] - 1.0;
        s += static_cast<double>(j + 1) * (x[j] - 1.0);
      }
      f[n] = s;
      f[n + 1] = s * s;
      break;
    }
    case 26: {  // Trigonometric
      T s = 0.0;
      for (std::size_t j = 0; j < n; ++j) s += cos(x[j]);
      for (std::size_t i = 0; i < n; ++i)
        f[i] = static_cast<double>(n) - s + static_cast<double>(i + 1) * (1.0 - cos(x[i])) - sin(x[i]);
      break;
    }
    case 27: {  // Brown almost-linear
      T s = 0.0;
      T product = 1.0;
      for (std::size_t j = 0; j < n; ++j) {
        s += x[j];
        product = product * x[j];
      }
      for (std::size_t i = 0; i + 1 < n; ++i) f[i] = x[i] + s - static_cast<double>(n + 1);
      f[n - 1] = product - 1.0;
      break;
    }
    case 28: {  // Discrete boundary value
      const double h = 1.0 / static_cast<double>(n + 1);
      for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i + 1) * h;
        const T u = x[i] + t + 1.0;
        T fi = 2.0 * x[i] + h * h * u * u * u / 2.0;
        if (i > 0) fi = fi - x[i - 1];
        if (i + 1 < n) fi = fi - x[i + 1];
        f[i] = fi;
      }
      break;
    }
    case 29: {  // Discrete integral equation
      const double h = 1.0 / static_cast<double>(n + 1);
      for (std::size_t i = 0; i < n; ++i) {
        const double ti = static_cast<double>(i + 1) * h;
        T lower = 0.0;
        T upper = 0.0;
        for (std::size_t j = 0; j < n; ++j) {
          const double tj = static_cast<double>(j + 1) * h;
          const T u = x[j] + tj + 1.0;
          if (j <= i) {
            lower += tj * u * u * u;
          } else {
            upper += (1.0 - tj) * u * u * u;
          }
        }
        f[i] = x[i] + h * ((1.0 - ti) * lower + ti * upper) / 2.0;
      }
      break;
    }
    case 30:  // Broyden tridiagonal
      for (std::size_t i = 0; i < n; ++i) {
        T fi = (3.0 - 2.0 * x[i]) * x[i] + 1.0;
        if (i > 0) fi = fi - x[i - 1];
        if (i + 1 < n) fi = fi - 2.0 * x[i + 1];
        f[i] = fi;
      }
      break;
    case 31:  // Broyden banded (ml = 5, mu = 1)
      for (std::size_t i = 0; i < n; ++i) {
        T fi = x[i] * (2.0 + 5.0 * x[i] * x[i]) + 1.0;
        const std::size_t lo = i >= 5 ? i - 5 : 0;
        const std::size_t hi = std::min(n - 1, i + 1);
        for (std::size_t j = lo; j <= hi; ++j)
          if (j != i) fi = fi - x[j] * (1.0 + x[j]);
        f[i] = fi;
      }
      break;
    case 32: {  // Linear function, full rank
      T s = 0.0;
      for (std::size_t j = 0; j < n; ++j) s += x[j];
      const double c = 2.0 / static_cast<double>(m);
      for (std::size_t i = 0; i < m; ++i) {
        if (i < n) {
          f[i] = x[i] - c * s - 1.0;
        } else {
          f[i] = -c * s - 1.0;
        }
      }
      break;
    }
    case 33: {  // Linear function, rank 1
      T s = 0.0;
      for (std::size_t j = 0; j < n; ++j) s += static_cast<double>(j + 1) * x[j];
      for (std::size_t i = 0; i < m; ++i) f[i] = static_cast<double>(i + 1) * s - 1.0;
      break;
    }
    case 34: {  // Linear function, rank 1 with zero columns and rows
      T s = 0.0;
      for (std::size_t j = 1; j + 1 < n; ++j) s += static_cast<double>(j + 1) * x[j];
      f[0] = T(-1.0);
      for (std::size_t i = 1; i + 1 < m; ++i) f[i] = static_cast<double>(i) * s - 1.0;
      f[m - 1] = T(-1.0);
      break;
    }
    case 35: {  // Chebyquad: shifted Chebyshev polynomials T_i(2x - 1) by their recurrence
      for (std::size_t j = 0; j < n; ++j) {
        const T z = 2.0 * x[j] - 1.0;
        T previous = 1.0;
        T current = z;
        for (std::size_t i = 0; i < m; ++i) {
          f[i] += current;
          const T next = 2.0 * z * current - previous;
          previous = current;
          current = next;
        }
      }
      for (std::size_t i = 0; i < m; ++i) {
        const std::size_t k = i + 1;
        const double y = k % 2 == 1 ? 0.0 : -1.0 / static_cast<double>(k * k - 1);
        f[i] = f[i] / static_cast<double>(n) - y;
      }
      break;
    }
    default:
      throw ArgumentError("mgh::residuals: no problem number " + std::to_string(number));
  }
  return f;
}

/// The residuals of `problem` as a generic lambda (for differentiable_least_squares).
inline auto residual_function(const Problem& problem) {
  return [number = problem.number, m = problem.m](const auto& x) { return residuals(number, m, x); };
}

/// f = sum f_i^2 of `problem` as a generic lambda (for differentiable_objective).
inline auto objective_function(const Problem& problem) {
  return [number = problem.number, m = problem.m](const auto& x) {
    using T = scalar_t<decltype(x)>;
    const auto f = residuals(number, m, x);
    T s = 0.0;
    for (const auto& fi : f) s += fi * fi;
    return s;
  };
}

/// The 35 problems, the variable-dimension ones at the sizes the paper reports f* for.
inline std::vector<Problem> problems() {
  std::vector<Problem> p;
  const auto add = [&](int number, std::string name, std::size_t n, std::size_t m, Vector x0, double f_star,
                       std::vector<double> local = {}) {
    p.push_back(Problem{number, std::move(name), n, m, std::move(x0), f_star, std::move(local)});
  };
  const auto constant = [](std::size_t n, double v) { return Vector(n, v); };
  add(1, "rosenbrock", 2, 2, {-1.2, 1.0}, 0.0);
  add(2, "freudenstein_roth", 2, 2, {0.5, -2.0}, 0.0, {48.9842});
  add(3, "powell_badly_scaled", 2, 2, {0.0, 1.0}, 0.0);
  add(4, "brown_badly_scaled", 2, 3, {1.0, 1.0}, 0.0);
  add(5, "beale", 2, 3, {1.0, 1.0}, 0.0);
  add(6, "jennrich_sampson", 2, 10, {0.3, 0.4}, 124.362);
  add(7, "helical_valley", 3, 3, {-1.0, 0.0, 0.0}, 0.0);
  add(8, "bard", 3, 15, {1.0, 1.0, 1.0}, 8.21487e-3, {17.4286});
  add(9, "gaussian", 3, 15, {0.4, 1.0, 0.0}, 1.12793e-8);
  add(10, "meyer", 3, 16, {0.02, 4000.0, 250.0}, 87.9458);
  add(11, "gulf", 3, 99, {5.0, 2.5, 0.15}, 0.0);
  add(12, "box_3d", 3, 10, {0.0, 10.0, 20.0}, 0.0);
  add(13, "powell_singular", 4, 4, {3.0, -1.0, 0.0, 1.0}, 0.0);
  add(14, "wood", 4, 6, {-3.0, -1.0, -3.0, -1.0}, 0.0);
  add(15, "kowalik_osborne", 4, 11, {0.25, 0.39, 0.415, 0.39}, 3.07505e-4, {1.02734e-3});
  add(16, "brown_dennis", 4, 20, {25.0, 5.0, -5.0, -1.0}, 85822.2);
  add(17, "osborne_1", 5, 33, {0.5, 1.5, -1.0, 0.01, 0.02}, 5.46489e-5);
  add(18, "biggs_exp6", 6, 13, {1.0, 2.0, 1.0, 1.0, 1.0, 1.0}, 0.0, {5.65565e-3});
  add(19, "osborne_2", 11, 65, {1.3, 0.65, 0.65, 0.7, 0.6, 3.0, 5.0, 7.0, 2.0, 4.5, 5.5}, 4.01377e-2);
  add(20, "watson", 6, 31, constant(6, 0.0), 2.28767e-3);
  {
    Vector x0(10);
    for (std::size_t j = 0; j < 10; j += 2) {
      x0[j] = -1.2;
      x0[j + 1] = 1.0;
    }
    add(21, "extended_rosenbrock", 10, 10, x0, 0.0);
  }
  {
    Vector x0(12);
    for (std::size_t j = 0; j < 12; j += 4) {
      x0[j] = 3.0;
      x0[j + 1] = -1.0;
      x0[j + 2] = 0.0;
      x0[j + 3] = 1.0;
    }
    add(22, "extended_powell_singular", 12, 12, x0, 0.0);
  }
  {
    Vector x0(10);
    for (std::size_t j = 0; j < 10; ++j) x0[j] = static_cast<double>(j + 1);
    add(23, "penalty_1", 10, 11, x0, 7.08765e-5);
  }
  add(24, "penalty_2", 10, 20, constant(10, 0.5), 2.93660e-4);
  {
    Vector x0(10);
    for (std::size_t j = 0; j < 10; ++j) x0[j] = 1.0 - static_cast<double>(j + 1) / 10.0;
    add(25, "variably_dimensioned", 10, 12, x0, 0.0);
  }
  add(26, "trigonometric", 10, 10, constant(10, 0.1), 0.0, {2.79506e-5});
  add(27, "brown_almost_linear", 10, 10, constant(10, 0.5), 0.0, {1.0});
  {
    const double h = 1.0 / 11.0;
    Vector x0(10);
    for (std::size_t j = 0; j < 10; ++j) {
      const double t = static_cast<double>(j + 1) * h;
      x0[j] = t * (t - 1.0);
    }
    add(28, "discrete_boundary_value", 10, 10, x0, 0.0);
    add(29, "discrete_integral_equation", 10, 10, x0, 0.0);
  }
  add(30, "broyden_tridiagonal", 10, 10, constant(10, -1.0), 0.0);
  add(31, "broyden_banded", 10, 10, constant(10, -1.0), 0.0);
  add(32, "linear_full_rank", 10, 20, constant(10, 1.0), 10.0);
  add(33, "linear_rank_1", 10, 20, constant(10, 1.0), 20.0 * 19.0 / (2.0 * 41.0));
  add(34, "linear_rank_1_zero", 10, 20, constant(10, 1.0), (400.0 + 60.0 - 6.0) / (2.0 * 37.0));
  {
    Vector x0(8);
    for (std::size_t j = 0; j < 8; ++j) x0[j] = static_cast<double>(j + 1) / 9.0;
    add(35, "chebyquad", 8, 8, x0, 3.51687e-3);
  }
  return p;
}

}  // namespace frechet::mgh
