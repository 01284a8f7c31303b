#pragma once
/// \file
/// The 7-point Laplacian of laplacian_3d (6 on the diagonal, -1 for each neighbour, zero Dirichlet
/// boundary, x fastest) distributed in z-slabs: rank r owns the planes [k0, k1) that PETSc's default
/// partition of nz gives it (split_ownership), so its rows are a contiguous block of laplacian_3d's
/// rows and results compare with the serial operator directly.

#include <mpi.h>

#include <cstddef>
#include <memory>

#include "frechet/petsc/distributed_csr_matrix.hpp"

namespace frechet {

/// The assembled operator: a DistributedCsrMatrix whose halo is the plane below and the plane above
/// the slab. Collective. Throws ArgumentError for a zero dimension, more than 2^31 - 1 unknowns,
/// or more than 2^31 - 1 entries on one rank.
DistributedCsrMatrix distributed_laplacian_3d(MPI_Comm comm, std::size_t nx, std::size_t ny, std::size_t nz);

/// The matrix-free operator (no matrix stored): one pass over the slab per product, the two halo
/// planes exchanged by a VecScatter while the slab's inner planes are computed. Symmetric positive
/// definite, with diagonal() 6. Collective; products are not safe concurrently (one halo buffer).
std::shared_ptr<const DistributedOperator> distributed_laplacian_3d_operator(MPI_Comm comm, std::size_t nx,
                                                                            std::size_t ny, std::size_t nz);

}  // namespace frechet
