#pragma once
/// \file
/// Operators built from operators, applied without forming a matrix. Operands are held by shared
/// ownership, never copied. Each result declares the traits that follow from its operands' (the sum
/// of two symmetric operators is symmetric, A^T A is positive semidefinite, ...).
///
/// Names: a combinator of two operands is the operation's verb (`add`, `compose`, `kron`); one of a
/// single operand is a participle describing the result (`scaled`, `shifted`, `transposed`), or
/// `normal_operator` for A^T A. The operator comes first, scalars after it.
///
/// The results are immutable, so concurrent products are safe. Those that need an intermediate
/// vector (compose, kron, normal_operator, and scaled when accumulating) keep one for reuse, so a loop
/// of products allocates only on the first; a product that runs while another holds that vector
/// allocates its own.

#include "frechet/linop/linear_operator.hpp"

namespace frechet {

/// A + B. Throws ShapeError unless A and B have the same shape.
OperatorPtr add(OperatorPtr a, OperatorPtr b);

/// alpha A. Throws NonFiniteError unless alpha is finite.
OperatorPtr scaled(OperatorPtr a, double alpha);

/// A B, applied as A (B x). Throws ShapeError unless cols(A) = rows(B).
OperatorPtr compose(OperatorPtr a, OperatorPtr b);

/// A^T: apply and apply_adjoint of A swapped.
OperatorPtr transposed(OperatorPtr a);

/// The Kronecker product A (x) B, of shape (rows(A) rows(B)) x (cols(A) cols(B)), applied through
/// the identity (A (x) B) vec(X) = vec(B X A^T) with vec stacking columns: cols(A) products with B
/// and rows(B) products with A, never the rows(A) rows(B) x cols(A) cols(B) matrix.
OperatorPtr kron(OperatorPtr a, OperatorPtr b);

/// The normal operator A^T A (symmetric positive semidefinite), applied as A^T (A x).
OperatorPtr normal_operator(OperatorPtr a);

/// A + sigma I. Throws ShapeError unless A is square and NonFiniteError unless sigma is finite.
OperatorPtr shifted(OperatorPtr a, double sigma);

}  // namespace frechet
