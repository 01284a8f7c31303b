// What the source files of the jh-theory demo app share: the comparison helpers and the sections each
// file reproduces. Not part of the library.

#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include "frechet/frechet.hpp"
#include "matrix_helpers.hpp"
#include "report.hpp"

namespace jh_theory {

using frechet::ConstVectorView;
using frechet::DenseMatrix;
using frechet::Vector;
using frechet::demo::format;

// ||a - b||_inf / max(||b||_inf, tiny)
inline double distance(ConstVectorView a, ConstVectorView b) {
  double d = 0.0, s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    d = std::max(d, std::abs(a[i] - b[i]));
    s = std::max(s, std::abs(b[i]));
  }
  return d / std::max(s, 1e-300);
}

// numpy.allclose(got, expected, atol=atol, rtol=rtol)
inline bool allclose(ConstVectorView got, ConstVectorView expected, double atol, double rtol = 1e-5) {
  for (std::size_t i = 0; i < got.size(); ++i)
    if (!(std::abs(got[i] - expected[i]) <= atol + rtol * std::abs(expected[i]))) return false;
  return true;
}

using frechet::demo::matrix;

// The sections the other source files reproduce, called in order by main (jh_theory.cpp, sections 1-5).

/// Sections 6-13 (jh_theory_hessians.cpp): Hessians and Clairaut, critical points, Taylor models, Newton
/// against gradient descent, a small MLP's Hessian spectrum, HVPs, the stability threshold, SAM sharpness.
void hessian_sections(frechet::demo::Report& report);

/// Sections 14-21 (jh_theory_curvature.cpp): K-FAC, the coupling layer's log-determinant, gradient checking, residual Jacobians,
/// condition number against the GD rate, the rank of a LoRA gradient, the unit-normalisation Jacobian,
/// power iteration with HVPs.
void curvature_sections(frechet::demo::Report& report);

}  // namespace jh_theory
