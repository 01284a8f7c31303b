#include "frechet/petsc/petsc_estimators.hpp"

#include <cstdint>
#include <string>

#include "frechet/core/error.hpp"
#include "krylov/estimators.hpp"

namespace frechet {
namespace {

// This rank's rows of a as a block of the global operator, once every rank has agreed that its
// block is square (a rank that threw alone would leave the others waiting in the first reduction).
// The reduction is MPI_Allreduce, which gives every rank the same sums, so every rank takes the
// same decisions (Hutch++'s rank test, Lanczos' early stop) and returns the same result.
detail::RowBlock row_block(const char* function, const LinearOperator& a, MPI_Comm comm) {
  const std::uint64_t local[3] = {a.rows(), a.cols(), a.rows() == a.cols() ? 0U : 1U};
  std::uint64_t global[3] = {0, 0, 0};
  MPI_Allreduce(local, global, 3, MPI_UINT64_T, MPI_SUM, comm);
  if (global[2] != 0) {
    throw ShapeError(std::string(function) + ": operator: expected a square operator whose rows and columns are "
                     "split alike over the ranks, got " + std::to_string(global[0]) + " x " +
                     std::to_string(global[1]) + " with rows != columns on " + std::to_string(global[2]) +
                     " rank(s)");
  }
  std::uint64_t before = 0;
  MPI_Exscan(&local[0], &before, 1, MPI_UINT64_T, MPI_SUM, comm);
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  return {.offset = rank == 0 ? 0 : before,  // MPI_Exscan leaves rank 0's result undefined
          .global_size = global[0],
          .sum = [comm](VectorView partial) {
            MPI_Allreduce(MPI_IN_PLACE, partial.data(), static_cast<int>(partial.size()), MPI_DOUBLE, MPI_SUM, comm);
          }};
}

}  // namespace

TraceResult petsc_hutchinson_trace(const LinearOperator& a, MPI_Comm comm, const HutchinsonOptions& options) {
  constexpr const char* name = "petsc_hutchinson_trace";
  return detail::hutchinson_trace(name, a, options, row_block(name, a, comm));
}

TraceResult petsc_hutchinson_trace(const DistributedOperator& a, const HutchinsonOptions& options) {
  return petsc_hutchinson_trace(a, a.comm(), options);
}

DiagonalResult petsc_hutchinson_diagonal(const LinearOperator& a, MPI_Comm comm, const HutchinsonOptions& options) {
  constexpr const char* name = "petsc_hutchinson_diagonal";
  return detail::hutchinson_diagonal(name, a, options, row_block(name, a, comm));
}

DiagonalResult petsc_hutchinson_diagonal(const DistributedOperator& a, const HutchinsonOptions& options) {
  return petsc_hutchinson_diagonal(a, a.comm(), options);
}

TraceResult petsc_hutchpp_trace(const LinearOperator& a, MPI_Comm comm, const HutchppOptions& options) {
  constexpr const char* name = "petsc_hutchpp_trace";
  return detail::hutchpp_trace(name, a, options, row_block(name, a, comm));
}

TraceResult petsc_hutchpp_trace(const DistributedOperator& a, const HutchppOptions& options) {
  return petsc_hutchpp_trace(a, a.comm(), options);
}

TraceResult petsc_lanczos_quadrature_trace(const LinearOperator& a, MPI_Comm comm,
                                           const std::function<double(double)>& f,
                                           const LanczosQuadratureOptions& options) {
  constexpr const char* name = "petsc_lanczos_quadrature_trace";
  return detail::lanczos_quadrature_trace(name, a, f, options, row_block(name, a, comm));
}

TraceResult petsc_lanczos_quadrature_trace(const DistributedOperator& a, const std::function<double(double)>& f,
                                           const LanczosQuadratureOptions& options) {
  return petsc_lanczos_quadrature_trace(a, a.comm(), f, options);
}

TraceResult petsc_lanczos_quadrature_log_determinant(const LinearOperator& a, MPI_Comm comm,
                                                     const LanczosQuadratureOptions& options) {
  constexpr const char* name = "petsc_lanczos_quadrature_log_determinant";
  return detail::lanczos_quadrature_log_determinant(name, a, options, row_block(name, a, comm));
}

TraceResult petsc_lanczos_quadrature_log_determinant(const DistributedOperator& a,
                                                     const LanczosQuadratureOptions& options) {
  return petsc_lanczos_quadrature_log_determinant(a, a.comm(), options);
}

SpectralDensityResult petsc_lanczos_quadrature_spectral_density(const LinearOperator& a, MPI_Comm comm,
                                                                const SpectralDensityOptions& options) {
  constexpr const char* name = "petsc_lanczos_quadrature_spectral_density";
  return detail::lanczos_quadrature_spectral_density(name, a, options, row_block(name, a, comm));
}

SpectralDensityResult petsc_lanczos_quadrature_spectral_density(const DistributedOperator& a,
                                                                const SpectralDensityOptions& options) {
  return petsc_lanczos_quadrature_spectral_density(a, a.comm(), options);
}

}  // namespace frechet
