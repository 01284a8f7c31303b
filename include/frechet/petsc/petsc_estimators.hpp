#pragma once
/// \file
/// frechet's stochastic estimators (Hutchinson's trace and diagonal, Hutch++, stochastic Lanczos
/// quadrature) and Lanczos eigenvalues on an operator distributed by rows: the serial algorithms,
/// run on this rank's rows with their inner products summed over the ranks (MPI_Allreduce). PETSc
/// has no trace estimator, so these are frechet's own, one body for the serial and the distributed
/// method.
///
/// Each rank draws its entries of the global probe vector the serial estimator draws with the same
/// seed, so the estimate equals the serial one to round-off at any number of ranks. A Rademacher
/// probe costs each rank its own n entries and two jumps of the generator over the other ranks'
/// (Random::discard, logarithmic in N); a Gaussian one costs N normal draws (N global, n this
/// rank's): use Gaussian probes only where the product costs more than N normal draws. Every rank
/// must pass the same options (those that decide the probes and the iteration are compared by one
/// allreduce; a difference throws ArgumentError on every rank); the calls are collective.

#include <mpi.h>

#include <functional>

#include "frechet/krylov/hutchinson.hpp"
#include "frechet/krylov/hutchpp.hpp"
#include "frechet/krylov/lanczos.hpp"
#include "frechet/krylov/stochastic_lanczos_quadrature.hpp"
#include "frechet/linop/linear_operator.hpp"
#include "frechet/petsc/distributed_operator.hpp"

namespace frechet {

/// hutchinson_trace of the operator whose rows and columns are split over comm's ranks in
/// contiguous blocks, a this rank's block (a DistributedOperator, or a combinator of some); the
/// result is the same on every rank, and equals hutchinson_trace of the serial operator with the
/// same options to round-off. One reduction over the ranks, of all probes' samples, after the
/// last product. Throws ShapeError on every rank unless every rank's block is square, and what
/// hutchinson_trace throws for bad options.
TraceResult petsc_hutchinson_trace(const LinearOperator& a, MPI_Comm comm, const HutchinsonOptions& options = {});
/// petsc_hutchinson_trace(a, a.comm(), options).
TraceResult petsc_hutchinson_trace(const DistributedOperator& a, const HutchinsonOptions& options = {});

/// hutchinson_diagonal of the distributed operator: `diagonal` is this rank's part (the entries of
/// the rows it owns). No reduction: each rank's entries are the serial estimate's. Throws as
/// petsc_hutchinson_trace.
DiagonalResult petsc_hutchinson_diagonal(const LinearOperator& a, MPI_Comm comm,
                                         const HutchinsonOptions& options = {});
/// petsc_hutchinson_diagonal(a, a.comm(), options).
DiagonalResult petsc_hutchinson_diagonal(const DistributedOperator& a, const HutchinsonOptions& options = {});

/// hutchpp_trace of the distributed operator, its basis Q stored by rows (this rank's rows of the
/// m/3 columns). Q is built by classical Gram-Schmidt twice, column by column as in the serial
/// estimator, with one reduction of the coefficients per pass and one per norm: about 2m
/// reductions of at most m/3 numbers for m products. Throws as petsc_hutchinson_trace.
TraceResult petsc_hutchpp_trace(const LinearOperator& a, MPI_Comm comm, const HutchppOptions& options = {});
/// petsc_hutchpp_trace(a, a.comm(), options).
TraceResult petsc_hutchpp_trace(const DistributedOperator& a, const HutchppOptions& options = {});

/// lanczos_quadrature_trace of the distributed operator: the Lanczos vectors are split by rows,
/// alpha and beta reduced over the ranks (two reductions per step), and every rank computes the
/// same quadrature, so f is called with the same nodes on every rank (it must not throw on one rank
/// alone). Throws as petsc_hutchinson_trace.
TraceResult petsc_lanczos_quadrature_trace(const LinearOperator& a, MPI_Comm comm,
                                           const std::function<double(double)>& f,
                                           const LanczosQuadratureOptions& options = {});
/// petsc_lanczos_quadrature_trace(a, a.comm(), f, options).
TraceResult petsc_lanczos_quadrature_trace(const DistributedOperator& a, const std::function<double(double)>& f,
                                           const LanczosQuadratureOptions& options = {});

/// lanczos_quadrature_log_determinant of the distributed operator (NumericalError on every rank
/// for a Ritz value <= 0).
TraceResult petsc_lanczos_quadrature_log_determinant(const LinearOperator& a, MPI_Comm comm,
                                                     const LanczosQuadratureOptions& options = {});
/// petsc_lanczos_quadrature_log_determinant(a, a.comm(), options).
TraceResult petsc_lanczos_quadrature_log_determinant(const DistributedOperator& a,
                                                     const LanczosQuadratureOptions& options = {});

/// lanczos_quadrature_spectral_density of the distributed operator; the grid and density are the
/// same on every rank.
SpectralDensityResult petsc_lanczos_quadrature_spectral_density(const LinearOperator& a, MPI_Comm comm,
                                                                const SpectralDensityOptions& options = {});
/// petsc_lanczos_quadrature_spectral_density(a, a.comm(), options).
SpectralDensityResult petsc_lanczos_quadrature_spectral_density(const DistributedOperator& a,
                                                                const SpectralDensityOptions& options = {});

/// lanczos (thick-restart, extreme eigenpairs of symmetric A) on the distributed operator: the
/// eigenvalues and residual norms are the same on every rank, `eigenvectors` holds this rank's
/// rows. options.x0 is this rank's part, or empty on every rank (the start vector is then the
/// serial one's slice). Equals lanczos of the serial operator to round-off. Throws as
/// petsc_hutchinson_trace, and ShapeError or NonFiniteError on every rank when some rank's x0 has
/// the wrong size or is not finite.
LanczosResult petsc_lanczos(const LinearOperator& a, MPI_Comm comm, const LanczosOptions& options = {});
/// petsc_lanczos(a, a.comm(), options).
LanczosResult petsc_lanczos(const DistributedOperator& a, const LanczosOptions& options = {});

}  // namespace frechet
