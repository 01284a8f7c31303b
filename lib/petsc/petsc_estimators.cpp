#include "frechet/petsc/petsc_estimators.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

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

// options.x0 agreed over the ranks: empty on every rank, or this rank's part, finite, on every rank.
void check_start(const char* function, const LinearOperator& a, ConstVectorView x0, MPI_Comm comm) {
  bool finite = true;
  for (const double v : x0) finite = finite && std::isfinite(v);
  const int local[3] = {x0.empty() ? 1 : 0, !x0.empty() && x0.size() != a.rows() ? 1 : 0, finite ? 0 : 1};
  int global[3] = {0, 0, 0};
  MPI_Allreduce(local, global, 3, MPI_INT, MPI_SUM, comm);
  int ranks = 1;
  MPI_Comm_size(comm, &ranks);
  if ((global[0] != 0 && global[0] != ranks) || global[1] != 0) {
    throw ShapeError(std::string(function) + ": options.x0: expected this rank's part (its rows' entries) on every "
                     "rank or empty on every rank, got " + std::to_string(global[0]) + " empty and " +
                     std::to_string(global[1]) + " of the wrong size among " + std::to_string(ranks) + " ranks");
  }
  if (global[2] != 0) {
    throw NonFiniteError(std::string(function) + ": options.x0: expected finite entries, got a non-finite one on " +
                         std::to_string(global[2]) + " rank(s)");
  }
}

// One option as 64 bits, compared across the ranks (a double bit for bit; an unset optional as a
// value no set one takes).
struct OptionBits {
  const char* field;
  std::uint64_t bits;
};
OptionBits option(const char* field, std::uint64_t v) { return {field, v}; }
OptionBits option(const char* field, int v) { return {field, static_cast<std::uint64_t>(static_cast<std::int64_t>(v))}; }
OptionBits option(const char* field, double v) { return {field, std::bit_cast<std::uint64_t>(v)}; }
OptionBits option(const char* field, ProbeDistribution v) { return {field, static_cast<std::uint64_t>(v)}; }
OptionBits option(const char* field, const std::optional<double>& v) {
  return {field, v ? std::bit_cast<std::uint64_t>(*v) : ~std::uint64_t{0}};
}
OptionBits option(const char* field, const std::optional<int>& v) {
  return v ? option(field, *v) : OptionBits{field, std::uint64_t{1} << 63};
}

// The options that decide the probes, the number of products and the control flow must be the same
// on every rank: with a different seed the ranks would draw slices of different probes and return a
// silently wrong estimate, with a different count one rank would wait forever in a reduction. One
// allreduce of the values and their complements (max of ~v is ~min of v) finds any difference, and
// every rank throws the same error.
void check_same_options(const char* function, MPI_Comm comm, std::initializer_list<OptionBits> options) {
  std::vector<std::uint64_t> local;
  for (const OptionBits& o : options) local.push_back(o.bits);
  for (const OptionBits& o : options) local.push_back(~o.bits);
  std::vector<std::uint64_t> global(local.size());
  MPI_Allreduce(local.data(), global.data(), static_cast<int>(local.size()), MPI_UINT64_T, MPI_MAX, comm);
  std::size_t i = 0;
  for (const OptionBits& o : options) {
    if (global[i] != ~global[options.size() + i])
      throw ArgumentError(std::string(function) + ": options." + o.field +
                          ": expected the same value on every rank, got different values");
    ++i;
  }
}

void check_same_hutchinson_options(const char* function, MPI_Comm comm, const HutchinsonOptions& options) {
  check_same_options(function, comm, {option("probes", options.probes), option("distribution", options.distribution),
                                      option("seed", options.seed)});
}

void check_same_quadrature_options(const char* function, MPI_Comm comm, const LanczosQuadratureOptions& options) {
  check_same_options(function, comm, {option("probes", options.probes), option("lanczos_steps", options.lanczos_steps),
                                      option("distribution", options.distribution), option("seed", options.seed)});
}

}  // namespace

TraceResult petsc_hutchinson_trace(const LinearOperator& a, MPI_Comm comm, const HutchinsonOptions& options) {
  constexpr const char* name = "petsc_hutchinson_trace";
  check_same_hutchinson_options(name, comm, options);
  return detail::hutchinson_trace(name, a, options, row_block(name, a, comm));
}

TraceResult petsc_hutchinson_trace(const DistributedOperator& a, const HutchinsonOptions& options) {
  return petsc_hutchinson_trace(a, a.comm(), options);
}

DiagonalResult petsc_hutchinson_diagonal(const LinearOperator& a, MPI_Comm comm, const HutchinsonOptions& options) {
  constexpr const char* name = "petsc_hutchinson_diagonal";
  check_same_hutchinson_options(name, comm, options);
  return detail::hutchinson_diagonal(name, a, options, row_block(name, a, comm));
}

DiagonalResult petsc_hutchinson_diagonal(const DistributedOperator& a, const HutchinsonOptions& options) {
  return petsc_hutchinson_diagonal(a, a.comm(), options);
}

TraceResult petsc_hutchpp_trace(const LinearOperator& a, MPI_Comm comm, const HutchppOptions& options) {
  constexpr const char* name = "petsc_hutchpp_trace";
  check_same_options(name, comm, {option("operator_products", options.operator_products),
                                   option("distribution", options.distribution), option("seed", options.seed)});
  return detail::hutchpp_trace(name, a, options, row_block(name, a, comm));
}

TraceResult petsc_hutchpp_trace(const DistributedOperator& a, const HutchppOptions& options) {
  return petsc_hutchpp_trace(a, a.comm(), options);
}

TraceResult petsc_lanczos_quadrature_trace(const LinearOperator& a, MPI_Comm comm,
                                           const std::function<double(double)>& f,
                                           const LanczosQuadratureOptions& options) {
  constexpr const char* name = "petsc_lanczos_quadrature_trace";
  check_same_quadrature_options(name, comm, options);
  return detail::lanczos_quadrature_trace(name, a, f, options, row_block(name, a, comm));
}

TraceResult petsc_lanczos_quadrature_trace(const DistributedOperator& a, const std::function<double(double)>& f,
                                           const LanczosQuadratureOptions& options) {
  return petsc_lanczos_quadrature_trace(a, a.comm(), f, options);
}

TraceResult petsc_lanczos_quadrature_log_determinant(const LinearOperator& a, MPI_Comm comm,
                                                     const LanczosQuadratureOptions& options) {
  constexpr const char* name = "petsc_lanczos_quadrature_log_determinant";
  check_same_quadrature_options(name, comm, options);
  return detail::lanczos_quadrature_log_determinant(name, a, options, row_block(name, a, comm));
}

TraceResult petsc_lanczos_quadrature_log_determinant(const DistributedOperator& a,
                                                     const LanczosQuadratureOptions& options) {
  return petsc_lanczos_quadrature_log_determinant(a, a.comm(), options);
}

SpectralDensityResult petsc_lanczos_quadrature_spectral_density(const LinearOperator& a, MPI_Comm comm,
                                                                const SpectralDensityOptions& options) {
  constexpr const char* name = "petsc_lanczos_quadrature_spectral_density";
  check_same_options(name, comm, {option("probes", options.probes), option("lanczos_steps", options.lanczos_steps),
                                   option("sigma", options.sigma), option("points", options.points),
                                   option("lower", options.lower), option("upper", options.upper),
                                   option("distribution", options.distribution), option("seed", options.seed)});
  return detail::lanczos_quadrature_spectral_density(name, a, options, row_block(name, a, comm));
}

SpectralDensityResult petsc_lanczos_quadrature_spectral_density(const DistributedOperator& a,
                                                                const SpectralDensityOptions& options) {
  return petsc_lanczos_quadrature_spectral_density(a, a.comm(), options);
}

LanczosResult petsc_lanczos(const LinearOperator& a, MPI_Comm comm, const LanczosOptions& options) {
  constexpr const char* name = "petsc_lanczos";
  detail::RowBlock block = row_block(name, a, comm);
  check_start(name, a, options.x0, comm);
  check_same_options(name, comm, {option("count", options.count), option("target", static_cast<int>(options.target)),
                                  option("basis_size", options.basis_size), option("rtol", options.rtol),
                                  option("atol", options.atol), option("max_iterations", options.max_iterations),
                                  option("seed", options.seed)});
  return detail::lanczos(name, a, options, block);
}

LanczosResult petsc_lanczos(const DistributedOperator& a, const LanczosOptions& options) {
  return petsc_lanczos(a, a.comm(), options);
}

}  // namespace frechet
