#include "orthogonalize.hpp"

#include "core/blas.hpp"
#include "frechet/core/blas1.hpp"

namespace frechet::detail {

double orthogonalize(const double* basis, std::size_t n, std::size_t k, VectorView w, VectorView h,
                     VectorView scratch) {
  if (k == 0) return norm2(w);
  constexpr const char* what = "orthogonalize";
  // First pass: h = V^T w; w -= V h.
  blas::gemv(what, Transpose::yes, n, k, 1.0, basis, n, w.data(), 0.0, h.data());
  blas::gemv(what, Transpose::no, n, k, -1.0, basis, n, h.data(), 1.0, w.data());
  // Second pass removes what rounding left of the components along V.
  blas::gemv(what, Transpose::yes, n, k, 1.0, basis, n, w.data(), 0.0, scratch.data());
  blas::gemv(what, Transpose::no, n, k, -1.0, basis, n, scratch.data(), 1.0, w.data());
  for (std::size_t i = 0; i < k; ++i) h[i] += scratch[i];
  return norm2(w);
}

}  // namespace frechet::detail
