#pragma once
/// \file
/// Finite-difference Laplacians on regular grids: the standard generated test problems.

#include <cstddef>

#include "frechet/linop/csr_matrix.hpp"

namespace frechet {

/// The 5-point Laplacian -u_xx - u_yy on an nx x ny grid of interior points with zero Dirichlet
/// boundary, unscaled (4 on the diagonal, -1 off it), numbered x fastest. Symmetric positive definite,
/// with eigenvalues 4 - 2 cos(i pi/(nx+1)) - 2 cos(j pi/(ny+1)).
CsrMatrix laplacian_2d(std::size_t nx, std::size_t ny);

/// The 7-point Laplacian on an nx x ny x nz grid with zero Dirichlet boundary, unscaled (6 on the
/// diagonal, -1 off it), numbered x fastest. Symmetric positive definite.
CsrMatrix laplacian_3d(std::size_t nx, std::size_t ny, std::size_t nz);

}  // namespace frechet
