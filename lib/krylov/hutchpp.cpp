#include "frechet/krylov/hutchpp.hpp"

#include <cmath>

#include "frechet/core/blas1.hpp"
#include "orthogonalize.hpp"
#include "probes.hpp"
#include "solver_support.hpp"

namespace frechet {

TraceResult hutchpp_trace(const LinearOperator& a, const HutchppOptions& options) {
  detail::check_square("hutchpp_trace", a);
  detail::check_at_least("hutchpp_trace", "operator_products", options.operator_products, 6);
  const std::size_t n = a.rows();
  // A sketch of more than n columns cannot add rank.
  const std::size_t sketch = std::min(static_cast<std::size_t>(options.operator_products / 3), n);
  const int residual_probes = options.operator_products - 2 * static_cast<int>(sketch);
  Random rng(options.seed);
  TraceResult result;

  // Q: an orthonormal basis of A S, built column by column; a column that is (numerically) in the
  // span of the previous ones is dropped, so Q has rank(A S) columns.
  Vector q(n * sketch), z(n), az(n), h(sketch + 1), scratch(sketch + 1);
  std::size_t rank = 0;
  for (std::size_t j = 0; j < sketch; ++j) {
    detail::fill_probe(rng, options.distribution, z);
    const VectorView column = VectorView(q).subspan(rank * n, n);
    a.apply(z, column);
    ++result.operator_products;
    const double before = norm2(column);
    const double after = detail::orthogonalize(q.data(), n, rank, column, h, scratch);
    if (after > 1e-12 * before && after > 0.0) {
      scale(1.0 / after, column);
      ++rank;
    }
  }

  // The exact part: tr(Q^T A Q).
  double exact_part = 0.0;
  for (std::size_t j = 0; j < rank; ++j) {
    const ConstVectorView qj = ConstVectorView(q).subspan(j * n, n);
    a.apply(qj, az);
    ++result.operator_products;
    exact_part += dot(qj, az);
  }

  // Hutchinson on (I - Q Q^T) A (I - Q Q^T): with g' = (I - Q Q^T) g the sample is g'^T A g'.
  detail::RunningMoments moments(residual_probes);
  for (int k = 0; k < residual_probes; ++k) {
    detail::fill_probe(rng, options.distribution, z);
    detail::orthogonalize(q.data(), n, rank, z, h, scratch);
    a.apply(z, az);
    ++result.operator_products;
    moments.add(dot(z, az));
  }
  result.estimate = exact_part + moments.mean();
  moments.finish(result);
  return result;
}

TraceResult hutchpp_trace(const OperatorPtr& a, const HutchppOptions& options) {
  return hutchpp_trace(detail::checked_operator("hutchpp_trace", a), options);
}

}  // namespace frechet
