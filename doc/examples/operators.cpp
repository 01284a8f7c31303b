// doc/guide.md, "Build operators": a sparse matrix from a Matrix Market file, a dense matrix, and
// operators composed from them without forming a matrix.
#include <cmath>
#include <cstdio>

#include "frechet/frechet.hpp"

int main(int argc, char** argv) {
  using namespace frechet;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s FILE.mtx\n", argv[0]);
    return 2;
  }
  const SparseMatrixFile file = read_matrix_market(argv[1]);  // symmetric storage is mirrored
  const CsrMatrix& k = file.matrix;
  std::printf("K: %zu x %zu, %zu entries in the file, %zu stored, symmetric %d\n", k.rows(), k.cols(),
              file.header.entries, k.nnz(), k.is_symmetric());

  DenseMatrix m(2, 2);  // column-major, filled entry by entry
  m(0, 0) = 2.0, m(0, 1) = 1.0, m(1, 0) = 0.0, m(1, 1) = 3.0;

  const OperatorPtr ks = sparse_operator(k);    // shared, so that the combinators need no copy
  const OperatorPtr ms = dense_operator(m);
  const OperatorPtr big = kron(ms, ks);         // B = M (x) K, 12 x 12: vec(K X M^T)
  const OperatorPtr by_hand = compose(transposed(big), big);  // B^T B: right products, no traits
  const OperatorPtr a = shifted(normal_operator(big), 0.5);    // B^T B + I/2, declared SPD
  std::printf("compose(transposed(B), B): symmetric %d\n", by_hand->is_symmetric());
  std::printf("shifted(normal_operator(B), 0.5): %zu x %zu, symmetric %d, positive definite %d\n",
              a->rows(), a->cols(), a->is_symmetric(), a->is_positive_definite());

  // A product checked against the matrices formed densely.
  const DenseMatrix b = frechet::kron(m, k.to_dense());
  Vector x(a->cols());
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(static_cast<double>(i));
  const Vector y = a->apply(x);
  Vector error = matvec_transpose(b, matvec(b, x));  // B^T B x + x/2 - y
  axpy(0.5, x, error);
  axpy(-1.0, y, error);
  Vector error_by_hand = by_hand->apply(x);          // compose's product, the same numbers
  axpy(0.5, x, error_by_hand);
  axpy(-1.0, y, error_by_hand);
  const bool ok = norm2(error) <= 1e-12 * norm2(y) && norm2(error_by_hand) <= 1e-12 * norm2(y);
  std::printf("A x against the dense matrices: %s\n", ok ? "agree to 1e-12" : "DISAGREE");
  return ok ? 0 : 1;
}
