#pragma once
/// \file
/// The elementary operators as OperatorPtr, ready for the combinators and solvers: a dense matrix,
/// a sparse matrix, a diagonal, the identity.

#include "frechet/core/dense_matrix.hpp"
#include "frechet/linop/csr_matrix.hpp"
#include "frechet/linop/linear_operator.hpp"

namespace frechet {

/// The operator x -> A x of a dense matrix (products by BLAS dgemv). `traits` is what the caller
/// declares about A; it is not checked.
OperatorPtr dense_operator(DenseMatrix a, OperatorTraits traits = {});

/// The operator x -> A x of a sparse matrix: `a` itself (a CsrMatrix is an operator), moved into
/// shared ownership, with the traits it declares.
OperatorPtr sparse_operator(CsrMatrix a);

/// The operator x -> diag(d) x. Symmetric; positive (semi)definite when every d_i is > 0 (>= 0).
/// Throws NonFiniteError if d has a NaN or infinity.
OperatorPtr diagonal_operator(Vector d);

/// The n x n identity.
OperatorPtr identity_operator(std::size_t n);

}  // namespace frechet
