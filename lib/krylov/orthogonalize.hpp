#pragma once
// Orthogonalisation against a basis stored column by column. Internal.

#include <cstddef>

#include "frechet/core/vector.hpp"

namespace frechet::detail {

/// h[0..k) = V^T w for the k columns of `basis` (n x k, column-major, leading dimension n). Threaded
/// under the library's thread policy (core/parallel.hpp), not BLAS's own pool, and with the same bits
/// on any team.
void basis_dots(const double* basis, std::size_t n, std::size_t k, ConstVectorView w, VectorView h);

/// w += alpha V y for the k columns of `basis`; threaded and deterministic as basis_dots.
void basis_axpy(double alpha, const double* basis, std::size_t n, std::size_t k, ConstVectorView y, VectorView w);

/// Makes w orthogonal to the k orthonormal columns of `basis` (n x k, column-major, leading dimension
/// n) by classical Gram-Schmidt applied twice (CGS2, "twice is enough": Giraud, Langou, Rozloznik
/// 2005), each pass a basis_dots and a basis_axpy. Writes the projection coefficients basis^T w (both passes
/// summed) to h[0..k) and returns ||w||_2 afterwards; `scratch` needs k entries.
double orthogonalize(const double* basis, std::size_t n, std::size_t k, VectorView w, VectorView h,
                     VectorView scratch);

}  // namespace frechet::detail
