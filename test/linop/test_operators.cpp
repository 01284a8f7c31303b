#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cmath>
#include <latch>
#include <limits>
#include <thread>
#include <vector>

#include "frechet/core/error.hpp"
#include "frechet/linop/combinators.hpp"
#include "frechet/linop/csr_matrix.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/linop/operators.hpp"
#include "test_support.hpp"

// The user-written operator of linear_operator.hpp's comment and doc/linop.md, word for word and
// outside namespace frechet, so that the documented example is known to compile.
class Doubling final : public frechet::LinearOperator {
 public:
  explicit Doubling(std::size_t n) : LinearOperator(n, n, {.symmetric = true}) {}
 private:
  void apply_impl(frechet::ConstVectorView x, frechet::VectorView y) const override {
    for (std::size_t i = 0; i < x.size(); ++i) y[i] = 2 * x[i];
  }
  void apply_adjoint_impl(frechet::ConstVectorView x, frechet::VectorView y) const override {
    apply_impl(x, y);
  }
};

using namespace frechet;
using frechet::testing::check_operator_matches;
using frechet::testing::random_dense;
using frechet::testing::relative_error;

namespace {

// Dense Kronecker product, the reference for kron: (A (x) B)(i p + k, j q + l) = A(i, j) B(k, l).
DenseMatrix dense_kron(const DenseMatrix& a, const DenseMatrix& b) {
  DenseMatrix k(a.rows() * b.rows(), a.cols() * b.cols());
  for (std::size_t i = 0; i < a.rows(); ++i)
    for (std::size_t j = 0; j < a.cols(); ++j)
      for (std::size_t r = 0; r < b.rows(); ++r)
        for (std::size_t c = 0; c < b.cols(); ++c) k(i * b.rows() + r, j * b.cols() + c) = a(i, j) * b(r, c);
  return k;
}

DenseMatrix scaled_dense(DenseMatrix a, double alpha) {
  for (double& v : a.values()) v *= alpha;
  return a;
}

// Counts its products, to show that combinators use the operand itself rather than a copy.
class CountingOperator final : public LinearOperator {
public:
  explicit CountingOperator(std::size_t n) : LinearOperator(n, n, {.symmetric = true}) {}
  mutable std::atomic<int> applies{0};

private:
  void apply_impl(ConstVectorView x, VectorView y) const override {
    ++applies;
    copy(x, y);
  }
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override { apply_impl(x, y); }
};

// The identity, whose products wait until `parties` products of it are running at once: two
// threads that each apply it once are certain to overlap. Each thread may apply it once only.
class RendezvousOperator final : public LinearOperator {
public:
  RendezvousOperator(std::size_t n, std::ptrdiff_t parties)
      : LinearOperator(n, n, {.symmetric = true}), latch_(parties) {}

private:
  void apply_impl(ConstVectorView x, VectorView y) const override {
    latch_.arrive_and_wait();
    copy(x, y);
  }
  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override { apply_impl(x, y); }

  mutable std::latch latch_;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(operators)

BOOST_AUTO_TEST_CASE(elementary_operators_match_dense) {
  Random rng(1);
  for (auto [m, n] : {std::pair{1u, 1u}, {2u, 2u}, {7u, 3u}, {3u, 7u}, {60u, 60u}}) {
    const DenseMatrix a = random_dense(m, n, rng);
    check_operator_matches(*dense_operator(a), a, 1e-14);
  }
  const Vector d{2.0, -1.0, 0.5};
  DenseMatrix dd(3, 3);
  for (std::size_t i = 0; i < 3; ++i) dd(i, i) = d[i];
  check_operator_matches(*diagonal_operator(d), dd, 1e-15);
  check_operator_matches(*identity_operator(5), DenseMatrix::identity(5), 0.0);
}

BOOST_AUTO_TEST_CASE(user_operator_of_the_documentation) {
  const DenseMatrix two_i = scaled_dense(DenseMatrix::identity(4), 2.0);
  check_operator_matches(Doubling(4), two_i, 1e-15);
  const OperatorPtr d = std::make_shared<Doubling>(4);
  check_operator_matches(*shifted(d, 1.0), scaled_dense(DenseMatrix::identity(4), 3.0), 1e-15);
}

BOOST_AUTO_TEST_CASE(combinators_match_dense) {
  Random rng(2);
  const DenseMatrix a = random_dense(6, 4, rng), b = random_dense(6, 4, rng), c = random_dense(4, 5, rng);
  const DenseMatrix s = random_dense(6, 6, rng);
  const auto A = dense_operator(a), B = dense_operator(b), C = dense_operator(c), S = dense_operator(s);

  check_operator_matches(*add(A, B), add(a, b), 1e-14);
  check_operator_matches(*scaled(A, -2.5), scaled_dense(a, -2.5), 1e-14);
  check_operator_matches(*compose(A, C), matmul(a, c), 1e-13);
  check_operator_matches(*transposed(A), a.transposed(), 1e-14);
  check_operator_matches(*normal_operator(A), matmul(a, a, Transpose::yes), 1e-13);
  DenseMatrix shifted_s = s;
  for (std::size_t i = 0; i < 6; ++i) shifted_s(i, i) += 3.0;
  check_operator_matches(*shifted(S, 3.0), shifted_s, 1e-14);
}

BOOST_AUTO_TEST_CASE(kronecker_matches_dense_for_all_shapes) {
  Random rng(3);
  for (auto [ma, na, mb, nb] : {std::array<std::size_t, 4>{1, 1, 1, 1}, {2, 3, 4, 5}, {5, 2, 1, 3},
                                 {3, 3, 3, 3}, {1, 4, 6, 1}}) {
    const DenseMatrix a = random_dense(ma, na, rng), b = random_dense(mb, nb, rng);
    const auto k = kron(dense_operator(a), dense_operator(b));
    BOOST_TEST(k->rows() == ma * mb);
    BOOST_TEST(k->cols() == na * nb);
    check_operator_matches(*k, dense_kron(a, b), 1e-13);
  }
}

BOOST_AUTO_TEST_CASE(nested_combinators_with_sparse_operands) {
  Random rng(4);
  const DenseMatrix a = random_dense(5, 5, rng);
  const OperatorPtr sparse = sparse_operator(CsrMatrix::from_dense(a));
  // (A^T + 2 A) (x) A - 0.5 I, with A sparse.
  const auto op = shifted(kron(add(transposed(sparse), scaled(sparse, 2.0)), sparse), -0.5);
  DenseMatrix ref = dense_kron(add(a.transposed(), scaled_dense(a, 2.0)), a);
  for (std::size_t i = 0; i < ref.rows(); ++i) ref(i, i) -= 0.5;
  check_operator_matches(*op, ref, 1e-13);
}

BOOST_AUTO_TEST_CASE(sparse_operator_enters_combinators) {
  const CsrMatrix l = laplacian_2d(4, 3);
  const DenseMatrix dense = l.to_dense();
  const OperatorPtr a = sparse_operator(l);
  BOOST_TEST(a->is_positive_definite());  // the traits the matrix declares
  check_operator_matches(*a, dense, 1e-15);
  check_operator_matches(*compose(a, a), matmul(dense, dense), 1e-14);
  const DenseMatrix rectangular{{1, 2}, {0, 3}, {4, 0}};
  const OperatorPtr b = sparse_operator(CsrMatrix::from_dense(rectangular));
  check_operator_matches(*compose(b, transposed(b)), matmul(rectangular, rectangular, Transpose::no, Transpose::yes),
                         1e-15);
}

BOOST_AUTO_TEST_CASE(concurrent_products_are_correct) {
  Random rng(6);
  const DenseMatrix a = random_dense(9, 6, rng), b = random_dense(6, 8, rng);
  const OperatorPtr A = dense_operator(a), B = dense_operator(b);
  const OperatorPtr S = sparse_operator(laplacian_2d(3, 2));
  const std::vector<OperatorPtr> ops = {compose(A, B), normal_operator(A), kron(A, S), scaled(A, 0.5)};
  // Each thread runs every product many times on its own vectors and keeps the largest error
  // against the results of a product run alone.
  const auto worker = [&](std::uint64_t seed, double& worst) {
    Random r(seed);
    for (const OperatorPtr& op : ops) {
      const Vector x = r.gaussian_vector(op->cols()), u = r.gaussian_vector(op->rows());
      const Vector ax = op->apply(x), atu = op->apply_adjoint(u);
      Vector y(op->rows()), v(op->cols());
      for (int k = 0; k < 2000; ++k) {
        op->apply(x, y);
        worst = std::max(worst, relative_error(y, ax));
        fill(v, 0.0);
        op->apply_adjoint_add(u, v);
        worst = std::max(worst, relative_error(v, atu));
      }
    }
  };
  double worst1 = 0.0, worst2 = 0.0;
  std::thread t1(worker, 1, std::ref(worst1));
  std::thread t2(worker, 2, std::ref(worst2));
  t1.join();
  t2.join();
  BOOST_TEST(worst1 <= 1e-14);
  BOOST_TEST(worst2 <= 1e-14);
}

BOOST_AUTO_TEST_CASE(a_product_running_while_another_holds_the_work_vector) {
  // compose applies B first, so each thread is inside B's product, and holds or fails to get the
  // composition's work vector, until the other one arrives: one of them must use a vector of its own.
  const DenseMatrix a = DenseMatrix{{1, 2, 3}, {4, 5, 6}};
  const OperatorPtr product = compose(dense_operator(a), std::make_shared<RendezvousOperator>(3, 2));
  const Vector x1{1, 0, 0}, x2{0, 1, 1};
  Vector y1(2), y2(2);
  std::thread t1([&] { product->apply(x1, y1); });
  std::thread t2([&] { product->apply(x2, y2); });
  t1.join();
  t2.join();
  BOOST_TEST(y1 == (Vector{1, 4}), boost::test_tools::per_element());
  BOOST_TEST(y2 == (Vector{5, 11}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(traits_follow_from_operands) {
  const auto spd = identity_operator(3);
  const auto general = dense_operator(DenseMatrix(3, 3, 1.0));
  BOOST_TEST(add(spd, spd)->is_positive_definite());
  BOOST_TEST(!add(spd, general)->is_symmetric());
  BOOST_TEST(scaled(spd, 2.0)->is_positive_definite());
  BOOST_TEST(!scaled(spd, -2.0)->is_positive_semidefinite());
  BOOST_TEST(scaled(spd, -2.0)->is_symmetric());
  BOOST_TEST(normal_operator(general)->is_positive_semidefinite());
  BOOST_TEST(!normal_operator(general)->is_positive_definite());
  BOOST_TEST(shifted(normal_operator(general), 1e-3)->is_positive_definite());
  BOOST_TEST(!compose(spd, spd)->is_symmetric());
  BOOST_TEST(kron(spd, spd)->is_positive_definite());
  BOOST_TEST(diagonal_operator({1.0, 0.0})->is_positive_semidefinite());
  BOOST_TEST(!diagonal_operator({1.0, 0.0})->is_positive_definite());
  BOOST_TEST(!diagonal_operator({1.0, -1.0})->is_positive_semidefinite());
}

BOOST_AUTO_TEST_CASE(combinators_share_their_operands) {
  const auto counting = std::make_shared<CountingOperator>(4);
  const OperatorPtr op = counting;
  const long before = op.use_count();
  const auto product = compose(op, op);
  BOOST_TEST(op.use_count() == before + 2);  // held, not copied
  Vector y(4);
  product->apply(Vector(4, 1.0), y);
  BOOST_TEST(counting->applies.load() == 2);
}

BOOST_AUTO_TEST_CASE(bad_input_is_rejected_with_shapes) {
  const auto a = dense_operator(DenseMatrix(2, 3));
  const auto b = dense_operator(DenseMatrix(3, 2));
  try {
    add(a, b);
    BOOST_FAIL("expected ShapeError");
  } catch (const ShapeError& e) {
    BOOST_TEST(std::string(e.what()).find("2x3") != std::string::npos);
    BOOST_TEST(std::string(e.what()).find("3x2") != std::string::npos);
  }
  BOOST_CHECK_THROW(compose(a, a), ShapeError);
  BOOST_CHECK_THROW(shifted(a, 1.0), ShapeError);
  BOOST_CHECK_THROW(add(a, nullptr), ArgumentError);
  BOOST_CHECK_THROW(scaled(a, std::nan("")), NonFiniteError);
  BOOST_CHECK_THROW(diagonal_operator({1.0, std::numeric_limits<double>::infinity()}), NonFiniteError);
  Vector y(2);
  BOOST_CHECK_THROW(a->apply(Vector(2), y), ShapeError);   // x must have cols = 3 entries
  Vector y3(3);
  BOOST_CHECK_THROW(a->apply(Vector(3), y3), ShapeError);  // y must have rows = 2 entries
  BOOST_CHECK_THROW(a->apply_adjoint(Vector(3)), ShapeError);
  BOOST_CHECK_THROW(dense_operator(DenseMatrix(2, 3), {.symmetric = true}), ShapeError);
}

BOOST_AUTO_TEST_SUITE_END()
