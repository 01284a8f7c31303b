#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "frechet/core/error.hpp"
#include "frechet/linop/csr_matrix.hpp"
#include "frechet/linop/laplacian.hpp"
#include "precond/cholmod_sparse.hpp"
#include "linop/linop_test_support.hpp"
#include "test_support.hpp"

using namespace frechet;
using detail::CholmodCommon;
using detail::CholmodStorage;
using frechet::testing::random_sparse;
using frechet::testing::random_spd;
using frechet::testing::relative_error;

namespace {

// The dense matrix a CHOLMOD matrix stands for, read straight from its arrays (column j holds
// p[j] .. p[j+1], or p[j] + nz[j] when unpacked), a symmetric one mirrored.
DenseMatrix dense_of(const cholmod_sparse& a) {
  DenseMatrix d(a.nrow, a.ncol);
  const auto* p = static_cast<const int*>(a.p);
  const auto* i = static_cast<const int*>(a.i);
  const auto* nz = static_cast<const int*>(a.nz);
  const auto* x = static_cast<const double*>(a.x);
  for (std::size_t j = 0; j < a.ncol; ++j) {
    for (int k = p[j]; k < (a.packed ? p[j + 1] : p[j] + nz[j]); ++k) {
      const auto r = static_cast<std::size_t>(i[k]);
      if ((a.stype < 0 && r < j) || (a.stype > 0 && r > j)) continue;
      d(r, j) += x[k];
      if (a.stype != 0 && r != j) d(j, r) += x[k];
    }
  }
  return d;
}

// B B^T + n I, symmetrized exactly (BLAS may round (i, j) and (j, i) differently).
DenseMatrix exactly_symmetric_spd(std::size_t n, Random& rng) {
  DenseMatrix a = random_spd(n, rng);
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = j + 1; i < n; ++i) a(j, i) = a(i, j);
  return a;
}

bool same_arrays(const CsrMatrix& a, const CsrMatrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::ranges::equal(a.row_offsets(), b.row_offsets()) &&
         std::ranges::equal(a.col_indices(), b.col_indices()) && std::ranges::equal(a.values(), b.values());
}

// y = A x (or A^T x) by cholmod_sdmult on the converted matrix.
Vector sdmult(cholmod_sparse* a, bool transpose, ConstVectorView x, CholmodCommon& common) {
  const std::size_t out = transpose ? a->ncol : a->nrow;
  cholmod_dense* cx = cholmod_allocate_dense(x.size(), 1, x.size(), CHOLMOD_REAL, common.get());
  cholmod_dense* cy = cholmod_zeros(out, 1, CHOLMOD_REAL, common.get());
  std::copy(x.begin(), x.end(), static_cast<double*>(cx->x));
  double one[2] = {1.0, 0.0}, zero[2] = {0.0, 0.0};
  cholmod_sdmult(a, transpose ? 1 : 0, one, zero, cx, cy, common.get());
  common.check("cholmod_sdmult");
  const auto* py = static_cast<const double*>(cy->x);
  Vector y(py, py + out);
  cholmod_free_dense(&cx, common.get());
  cholmod_free_dense(&cy, common.get());
  return y;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cholmod_conversion)

BOOST_AUTO_TEST_CASE(round_trip_of_random_matrices) {
  CholmodCommon common;
  Random rng(3);
  for (const CsrMatrix& a : {random_sparse(40, 40, 0.1, rng, {0, 17}), random_sparse(120, 30, 0.05, rng),
                             random_sparse(30, 120, 0.05, rng, {29}), random_sparse(500, 500, 0.01, rng),
                             CsrMatrix(3, 4, std::vector<SparseIndex>(4, 0), {}, {}), CsrMatrix()}) {
    const auto c = detail::to_cholmod(a, common);
    BOOST_TEST(c->nrow == a.rows());
    BOOST_TEST(c->ncol == a.cols());
    BOOST_TEST(c->stype == 0);
    BOOST_TEST(c->sorted == 1);
    BOOST_TEST(c->packed == 1);
    BOOST_TEST(cholmod_check_sparse(c.get(), common.get()) == 1);
    BOOST_TEST(relative_distance(dense_of(*c), a.to_dense()) == 0.0);
    const CsrMatrix back = detail::from_cholmod(c.get());
    BOOST_TEST(same_arrays(back, a));
    BOOST_TEST(!back.is_symmetric());
  }
}

BOOST_AUTO_TEST_CASE(symmetric_matrix_in_lower_and_full_storage) {
  CholmodCommon common;
  Random rng(8);
  for (const CsrMatrix& a : {laplacian_2d(9, 7), CsrMatrix::from_dense(exactly_symmetric_spd(25, rng), {.symmetric = true})}) {
    const auto lower = detail::to_cholmod(a, common, CholmodStorage::lower);
    BOOST_TEST(lower->stype == -1);
    BOOST_TEST(cholmod_check_sparse(lower.get(), common.get()) == 1);
    const std::size_t n = a.rows();
    BOOST_TEST(static_cast<std::size_t>(static_cast<int*>(lower->p)[n]) == (a.nnz() + n) / 2);
    BOOST_TEST(relative_distance(dense_of(*lower), a.to_dense()) == 0.0);
    const CsrMatrix back = detail::from_cholmod(lower.get());
    BOOST_TEST(same_arrays(back, a));
    BOOST_TEST(back.is_symmetric());
    const auto full = detail::to_cholmod(a, common, CholmodStorage::full);
    BOOST_TEST(full->stype == 0);
    BOOST_TEST(same_arrays(detail::from_cholmod(full.get()), a));
    // CHOLMOD can factor what it was given: the Laplacian and B B^T + n I are positive definite.
    cholmod_factor* l = cholmod_analyze(lower.get(), common.get());
    common.check("cholmod_analyze");
    cholmod_factorize(lower.get(), l, common.get());
    BOOST_CHECK_NO_THROW(common.check("cholmod_factorize"));
    cholmod_free_factor(&l, common.get());
  }
  BOOST_CHECK_THROW(detail::to_cholmod(random_sparse(3, 4, 0.5, rng), common, CholmodStorage::lower), ShapeError);
}

BOOST_AUTO_TEST_CASE(cholmod_products_match_ours) {
  CholmodCommon common;
  Random rng(13);
  const CsrMatrix rect = random_sparse(300, 170, 0.03, rng, {4});
  const auto c = detail::to_cholmod(rect, common);
  const Vector x = rng.gaussian_vector(rect.cols());
  const Vector u = rng.gaussian_vector(rect.rows());
  BOOST_TEST(relative_error(sdmult(c.get(), false, x, common), rect.apply(x)) <= 1e-14);
  BOOST_TEST(relative_error(sdmult(c.get(), true, u, common), rect.apply_adjoint(u)) <= 1e-14);
  // Lower storage: CHOLMOD multiplies by the whole symmetric matrix.
  const CsrMatrix lap = laplacian_3d(7, 6, 5);
  const auto lower = detail::to_cholmod(lap, common, CholmodStorage::lower);
  const Vector v = rng.gaussian_vector(lap.cols());
  BOOST_TEST(relative_error(sdmult(lower.get(), false, v, common), lap.apply(v)) <= 1e-14);
}

BOOST_AUTO_TEST_CASE(unpacked_unsorted_and_upper_inputs) {
  CholmodCommon common;
  // A 3 x 3 unsymmetric matrix in unpacked columns with slack and unsorted row indices:
  //   [1 0 4]
  //   [2 0 0]
  //   [0 3 5]
  detail::CholmodSparsePtr a(cholmod_allocate_sparse(3, 3, 10, 0, 0, 0, CHOLMOD_REAL, common.get()),
                             detail::CholmodSparseDeleter{common.get()});
  BOOST_REQUIRE(a);
  auto* p = static_cast<int*>(a->p);
  auto* nz = static_cast<int*>(a->nz);
  auto* i = static_cast<int*>(a->i);
  auto* x = static_cast<double*>(a->x);
  const int pv[] = {0, 3, 5, 10}, nzv[] = {2, 1, 3};
  const int iv[] = {1, 0, -7, 2, -7, 2, 0, 1, -7, -7};  // -7 marks slack CHOLMOD must not read
  const double xv[] = {2, 1, 99, 3, 99, 5, 4, 0, 99, 99};
  std::copy(std::begin(pv), std::end(pv), p);
  std::copy(std::begin(nzv), std::end(nzv), nz);
  std::copy(std::begin(iv), std::end(iv), i);
  std::copy(std::begin(xv), std::end(xv), x);
  BOOST_TEST(cholmod_check_sparse(a.get(), common.get()) == 1);
  const CsrMatrix m = detail::from_cholmod(a.get());
  BOOST_TEST((m.to_dense() == DenseMatrix{{1, 0, 4}, {2, 0, 0}, {0, 3, 5}}));
  BOOST_TEST(m.nnz() == 6u);  // the stored zero at (1, 2) is kept

  // Upper storage (stype = 1): entries below the diagonal are ignored, the rest mirrored.
  detail::CholmodSparsePtr u(cholmod_allocate_sparse(2, 2, 4, 1, 1, 1, CHOLMOD_REAL, common.get()),
                             detail::CholmodSparseDeleter{common.get()});
  BOOST_REQUIRE(u);
  const int up[] = {0, 2, 4}, ui[] = {0, 1, 0, 1};
  const double ux[] = {2, 42, -1, 3};  // (1, 0) = 42 lies below the diagonal
  std::copy(std::begin(up), std::end(up), static_cast<int*>(u->p));
  std::copy(std::begin(ui), std::end(ui), static_cast<int*>(u->i));
  std::copy(std::begin(ux), std::end(ux), static_cast<double*>(u->x));
  const CsrMatrix s = detail::from_cholmod(u.get());
  BOOST_TEST((s.to_dense() == DenseMatrix{{2, -1}, {-1, 3}}));
  BOOST_TEST(s.is_symmetric());
}

BOOST_AUTO_TEST_CASE(errors_are_translated_once) {
  BOOST_CHECK_NO_THROW(detail::check_cholmod_status(CHOLMOD_OK, "x"));
  BOOST_CHECK_THROW(detail::check_cholmod_status(CHOLMOD_NOT_POSDEF, "x"), NumericalError);
  BOOST_CHECK_THROW(detail::check_cholmod_status(CHOLMOD_DSMALL, "x"), NumericalError);
  BOOST_CHECK_THROW(detail::check_cholmod_status(CHOLMOD_INVALID, "x"), ArgumentError);
  BOOST_CHECK_THROW(detail::check_cholmod_status(CHOLMOD_TOO_LARGE, "x"), ArgumentError);
  BOOST_CHECK_THROW(detail::check_cholmod_status(CHOLMOD_OUT_OF_MEMORY, "x"), Error);
  BOOST_CHECK_THROW(detail::check_cholmod_status(-99, "x"), Error);
  try {
    detail::check_cholmod_status(CHOLMOD_NOT_POSDEF, "cholmod_factorize");
  } catch (const NumericalError& e) {
    BOOST_TEST(std::string(e.what()).find("cholmod_factorize") != std::string::npos);
  }

  CholmodCommon common;
  // A real failure: a symmetric matrix must be square.
  cholmod_sparse* bad = cholmod_allocate_sparse(2, 3, 0, 1, 1, -1, CHOLMOD_REAL, common.get());
  BOOST_TEST(bad == nullptr);
  BOOST_CHECK_THROW(common.check("cholmod_allocate_sparse"), ArgumentError);
  // And a real warning: an LL' (supernodal) factorization of an indefinite matrix.
  common.get()->supernodal = CHOLMOD_SUPERNODAL;
  const CsrMatrix indefinite = CsrMatrix::from_dense(DenseMatrix{{1, 2}, {2, 1}}, {.symmetric = true});
  const auto c = detail::to_cholmod(indefinite, common, CholmodStorage::lower);
  cholmod_factor* l = cholmod_analyze(c.get(), common.get());
  cholmod_factorize(c.get(), l, common.get());
  BOOST_CHECK_THROW(common.check("cholmod_factorize"), NumericalError);
  cholmod_free_factor(&l, common.get());

  BOOST_CHECK_THROW(detail::from_cholmod(nullptr), ArgumentError);
  detail::CholmodSparsePtr pattern(cholmod_allocate_sparse(2, 2, 1, 1, 1, 0, CHOLMOD_PATTERN, common.get()),
                                   detail::CholmodSparseDeleter{common.get()});
  BOOST_CHECK_THROW(detail::from_cholmod(pattern.get()), ArgumentError);
}

BOOST_AUTO_TEST_SUITE_END()
