#include "frechet/krylov/hutchpp.hpp"

#include <algorithm>
#include <cmath>

#include "estimators.hpp"
#include "frechet/core/blas1.hpp"
#include "probes.hpp"
#include "row_block.hpp"
#include "solver_support.hpp"

namespace frechet {
namespace detail {

// Block Gram-Schmidt in one reduction per block (Cholesky QR twice) would take fewer reductions, but
// it squares the condition number of A S, and A S of a matrix with a decaying spectrum, Hutch++'s
// case, is ill-conditioned; column by column it keeps orthogonalize's rank test and its results.
TraceResult hutchpp_trace(const char* function, const LinearOperator& a, const HutchppOptions& options,
                          const RowBlock& block) {
  check_square(function, a);
  check_at_least(function, "operator_products", options.operator_products, 6);
  const std::size_t n = a.rows();
  // A sketch of more than n columns cannot add rank.
  const std::size_t sketch =
      std::min(static_cast<std::size_t>(options.operator_products / 3), block.global_size);
  const int residual_probes = options.operator_products - 2 * static_cast<int>(sketch);
  Random rng(options.seed);
  TraceResult result;

  // Q: an orthonormal basis of A S, built column by column; a column that is (numerically) in the
  // span of the previous ones is dropped, so Q has rank(A S) columns.
  Vector q(n * sketch), z(n), az(n), h(sketch + 1), scratch(sketch + 1);
  std::size_t rank = 0;
  for (std::size_t j = 0; j < sketch; ++j) {
    fill_probe(rng, options.distribution, z, block);
    const VectorView column = VectorView(q).subspan(rank * n, n);
    a.apply(z, column);
    ++result.operator_products;
    const double before = block.norm2(column);
    orthogonalize_rows(q.data(), n, rank, column, h, scratch, block);
    const double after = block.norm2(column);
    if (after > 1e-12 * before && after > 0.0) {
      scale(1.0 / after, column);
      ++rank;
    }
  }

  // The exact part: tr(Q^T A Q), its terms summed over the blocks in one reduction.
  Vector exact_terms(rank);
  for (std::size_t j = 0; j < rank; ++j) {
    const ConstVectorView qj = ConstVectorView(q).subspan(j * n, n);
    a.apply(qj, az);
    ++result.operator_products;
    exact_terms[j] = dot(qj, az);
  }
  block.reduce(exact_terms);
  double exact_part = 0.0;
  for (const double term : exact_terms) exact_part += term;

  // Hutchinson on (I - Q Q^T) A (I - Q Q^T): with g' = (I - Q Q^T) g the sample is g'^T A g'.
  Vector samples(static_cast<std::size_t>(residual_probes));
  for (std::size_t k = 0; k < samples.size(); ++k) {
    fill_probe(rng, options.distribution, z, block);
    orthogonalize_rows(q.data(), n, rank, z, h, scratch, block);
    a.apply(z, az);
    ++result.operator_products;
    samples[k] = dot(z, az);
  }
  block.reduce(samples);
  RunningMoments moments(residual_probes);
  for (const double sample : samples) moments.add(sample);
  result.estimate = exact_part + moments.mean();
  moments.finish(result);
  return result;
}

}  // namespace detail

TraceResult hutchpp_trace(const LinearOperator& a, const HutchppOptions& options) {
  return detail::hutchpp_trace("hutchpp_trace", a, options, detail::RowBlock::whole(a.rows()));
}

TraceResult hutchpp_trace(const OperatorPtr& a, const HutchppOptions& options) {
  return hutchpp_trace(detail::checked_operator("hutchpp_trace", a), options);
}

}  // namespace frechet
