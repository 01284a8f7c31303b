#pragma once
// The stochastic estimators and Lanczos on a block of rows: the one body of each, which the public
// functions call with all rows (RowBlock::whole) and lib/petsc's petsc_* functions with this rank's
// rows and MPI's reduction. `function` names the caller in error messages. Every reduction of a
// block goes through RowBlock, and every probe is the block's slice of the global probe, so the
// bodies compute on any split what they compute on one process, to round-off. Internal.

#include <functional>

#include "frechet/krylov/hutchinson.hpp"
#include "frechet/krylov/hutchpp.hpp"
#include "frechet/krylov/lanczos.hpp"
#include "frechet/krylov/stochastic_lanczos_quadrature.hpp"
#include "probes.hpp"

namespace frechet::detail {

/// hutchinson_trace on the block: one reduction, of the probes' partial samples, at the end.
TraceResult hutchinson_trace(const char* function, const LinearOperator& a, const HutchinsonOptions& options,
                             const RowBlock& block);
/// hutchinson_diagonal on the block (the block's entries of the diagonal): no reduction.
DiagonalResult hutchinson_diagonal(const char* function, const LinearOperator& a, const HutchinsonOptions& options,
                                   const RowBlock& block);
/// hutchpp_trace on the block: Gram-Schmidt with a reduction per pass.
TraceResult hutchpp_trace(const char* function, const LinearOperator& a, const HutchppOptions& options,
                          const RowBlock& block);
/// lanczos_quadrature_trace on the block: two reductions per Lanczos step.
TraceResult lanczos_quadrature_trace(const char* function, const LinearOperator& a,
                                     const std::function<double(double)>& f, const LanczosQuadratureOptions& options,
                                     const RowBlock& block);
/// lanczos_quadrature_log_determinant on the block.
TraceResult lanczos_quadrature_log_determinant(const char* function, const LinearOperator& a,
                                               const LanczosQuadratureOptions& options, const RowBlock& block);
/// lanczos_quadrature_spectral_density on the block.
SpectralDensityResult lanczos_quadrature_spectral_density(const char* function, const LinearOperator& a,
                                                          const SpectralDensityOptions& options,
                                                          const RowBlock& block);

/// lanczos on the block: the basis stored by the block's rows (eigenvectors too), the Gram-Schmidt
/// coefficients and norms reduced over the blocks, the start vector the block's slice of the
/// global one; options.x0 is the block's part.
LanczosResult lanczos(const char* function, const LinearOperator& a, const LanczosOptions& options,
                      const RowBlock& block);

}  // namespace frechet::detail
