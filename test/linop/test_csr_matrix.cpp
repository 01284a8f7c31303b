#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <ostream>
#include <numbers>
#include <string>

#include "frechet/core/error.hpp"
#include "frechet/linop/csr_matrix.hpp"
#include "frechet/linop/laplacian.hpp"
#include "linop/spmv_plan.hpp"
#include "linop_test_support.hpp"
#include "test_support.hpp"

namespace frechet::detail {
std::ostream& operator<<(std::ostream& os, SpmvLayout layout) { return os << to_string(layout); }
}  // namespace frechet::detail

using namespace frechet;
using detail::SpmvLayout;
using detail::SpmvPlanAccess;
using frechet::testing::check_operator_matches;
using frechet::testing::random_sparse;
using frechet::testing::relative_error;
using frechet::testing::ScopedThreads;
using frechet::testing::thread_counts;

namespace {

using Index = std::vector<SparseIndex>;

// Checks that `f` throws E and that the message contains `needle`.
template <class E, class F>
void check_throws(F f, const std::string& needle) {
  try {
    f();
    BOOST_ERROR("expected an exception mentioning '" << needle << "'");
  } catch (const E& e) {
    BOOST_TEST(std::string(e.what()).find(needle) != std::string::npos, "message: " << e.what());
  }
}

// The same matrix with a plan forced to `layout` (or chosen, for nullopt), threaded at any size.
CsrMatrix with_layout(const CsrMatrix& a, std::optional<SpmvLayout> layout) {
  return SpmvPlanAccess::with_options(a, {.layout = layout, .min_parallel_nnz = 0});
}

SpmvLayout layout_of(const CsrMatrix& a) { return SpmvPlanAccess::plan(a).layout(); }

// Every product of `a`, under every layout and thread count, against its dense copy.
void check_all_kernels(const CsrMatrix& a, double tol = 1e-13) {
  const DenseMatrix dense = a.to_dense();
  for (int threads : thread_counts()) {
    ScopedThreads scope(threads);
    for (auto layout : {std::optional<SpmvLayout>{}, std::optional{SpmvLayout::csr},
                        std::optional{SpmvLayout::sell}, std::optional{SpmvLayout::dia}}) {
      BOOST_TEST_CONTEXT(a.rows() << "x" << a.cols() << " threads " << threads << " layout "
                                  << (layout ? detail::to_string(*layout) : "auto")) {
        check_operator_matches(with_layout(a, layout), dense, tol);
      }
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(csr_matrix)

BOOST_AUTO_TEST_CASE(construction_validates_every_array) {
  // 2 x 3 matrix [[1 0 2], [0 3 0]]
  BOOST_CHECK_NO_THROW(CsrMatrix(2, 3, Index{0, 2, 3}, Index{0, 2, 1}, Vector{1, 2, 3}));
  check_throws<ShapeError>([] { CsrMatrix(2, 3, Index{0, 3}, Index{0, 2, 1}, Vector{1, 2, 3}); },
                           "row_offsets");
  check_throws<ShapeError>([] { CsrMatrix(2, 3, Index{0, 2, 3}, Index{0, 2, 1}, Vector{1, 2}); },
                           "values");
  check_throws<ArgumentError>([] { CsrMatrix(2, 3, Index{1, 2, 3}, Index{0, 2, 1}, Vector{1, 2, 3}); },
                              "start at 0");
  check_throws<ArgumentError>([] { CsrMatrix(2, 3, Index{0, 2, 2}, Index{0, 2, 1}, Vector{1, 2, 3}); },
                              "end at nnz = 3");
  // A middle offset beyond nnz must be reported, not read past the arrays.
  check_throws<ArgumentError>([] { CsrMatrix(2, 3, Index{0, 9, 3}, Index{0, 2, 1}, Vector{1, 2, 3}); },
                              "decrease at row 1");
  check_throws<ArgumentError>([] { CsrMatrix(2, 3, Index{0, 2, 3}, Index{0, 3, 1}, Vector{1, 2, 3}); },
                              "column index 3 in row 0");
  check_throws<ArgumentError>([] { CsrMatrix(2, 3, Index{0, 2, 3}, Index{0, 2, -1}, Vector{1, 2, 3}); },
                              "column index -1 in row 1");
  check_throws<ArgumentError>([] { CsrMatrix(2, 3, Index{0, 2, 3}, Index{2, 0, 1}, Vector{1, 2, 3}); },
                              "strictly increasing");
  check_throws<ArgumentError>([] { CsrMatrix(2, 3, Index{0, 2, 3}, Index{1, 1, 1}, Vector{1, 2, 3}); },
                              "strictly increasing");
  check_throws<ShapeError>(
      [] { CsrMatrix(2, 3, Index{0, 2, 3}, Index{0, 2, 1}, Vector{1, 2, 3}, {.symmetric = true}); },
      "must be square");
}

BOOST_AUTO_TEST_CASE(from_triplets_sorts_and_sums_duplicates) {
  const Index r{1, 0, 1, 0, 1, 2};
  const Index c{2, 1, 0, 1, 2, 0};
  const Vector v{1.0, 2.0, 3.0, 4.0, 5.0, -6.0};
  const CsrMatrix a = CsrMatrix::from_triplets(3, 3, r, c, v);
  BOOST_TEST(a.nnz() == 4u);
  BOOST_TEST((a.to_dense() == DenseMatrix{{0, 6, 0}, {3, 0, 6}, {-6, 0, 0}}));
  BOOST_TEST(a.col_indices()[1] == 0);  // row 1 came as columns 2, 0, 2

  Random rng(11);
  std::vector<SparseIndex> rr, cc;
  Vector vv;
  DenseMatrix sum(20, 30);
  for (int k = 0; k < 400; ++k) {  // many repeats of few positions, in random order
    rr.push_back(static_cast<SparseIndex>(rng.next_u64() % 20));
    cc.push_back(static_cast<SparseIndex>(rng.next_u64() % 30));
    vv.push_back(rng.gaussian());
    sum(static_cast<std::size_t>(rr.back()), static_cast<std::size_t>(cc.back())) += vv.back();
  }
  const CsrMatrix b = CsrMatrix::from_triplets(20, 30, rr, cc, vv);
  BOOST_TEST(relative_distance(b.to_dense(), sum) <= 1e-15);

  check_throws<ShapeError>([&] { CsrMatrix::from_triplets(3, 3, r, Index{0}, v); }, "col");
  check_throws<ShapeError>([&] { CsrMatrix::from_triplets(3, 3, r, c, Vector{1}); }, "value");
  check_throws<ArgumentError>([&] { CsrMatrix::from_triplets(2, 3, r, c, v); }, "entry 5 at (2, 0)");
  check_throws<ArgumentError>([&] { CsrMatrix::from_triplets(3, 2, r, c, v); }, "outside the 3x2");
}

BOOST_AUTO_TEST_CASE(dense_round_trip_transpose_and_diagonal) {
  Random rng(5);
  const CsrMatrix a = random_sparse(7, 4, 0.4, rng, {2});
  const DenseMatrix d = a.to_dense();
  BOOST_TEST((CsrMatrix::from_dense(d).to_dense() == d));
  BOOST_TEST((a.transposed().to_dense() == d.transposed()));
  const CsrMatrix tt = a.transposed().transposed();
  BOOST_TEST(tt.row_offsets().size() == a.row_offsets().size());
  BOOST_TEST(std::equal(tt.col_indices().begin(), tt.col_indices().end(), a.col_indices().begin()));
  BOOST_TEST(std::equal(tt.values().begin(), tt.values().end(), a.values().begin()));

  const Vector diag = a.diagonal();
  BOOST_TEST(diag.size() == 4u);
  for (std::size_t i = 0; i < diag.size(); ++i) BOOST_TEST(diag[i] == d(i, i));
  BOOST_TEST(a.transposed().diagonal() == diag, boost::test_tools::per_element());
  BOOST_TEST(CsrMatrix().diagonal().empty());
}

BOOST_AUTO_TEST_CASE(numerical_symmetry) {
  const CsrMatrix s = CsrMatrix::from_dense(DenseMatrix{{2, -1, 0}, {-1, 2, 3}, {0, 3, 1}});
  BOOST_TEST(s.is_numerically_symmetric());
  const CsrMatrix n = CsrMatrix::from_dense(DenseMatrix{{2, -1, 0}, {-1, 2, 3}, {0, 3.001, 1}});
  BOOST_TEST(!n.is_numerically_symmetric());
  BOOST_TEST(n.is_numerically_symmetric(1e-3));  // 0.001 <= 1e-3 * max|A| = 0.003
  BOOST_TEST(!n.is_numerically_symmetric(1e-4));
  // An entry with no mirror counts against a zero.
  const CsrMatrix lone = CsrMatrix::from_dense(DenseMatrix{{1, 0}, {1e-9, 1}});
  BOOST_TEST(!lone.is_numerically_symmetric());
  BOOST_TEST(lone.is_numerically_symmetric(1e-8));
  // A stored zero mirrored by a missing entry is symmetric.
  BOOST_TEST(CsrMatrix(2, 2, Index{0, 2, 3}, Index{0, 1, 1}, Vector{1, 0, 1}).is_numerically_symmetric());
  BOOST_TEST(!CsrMatrix::from_dense(DenseMatrix{{1, 2}}).is_numerically_symmetric());
  BOOST_TEST(laplacian_2d(6, 5).is_numerically_symmetric());
  BOOST_TEST(CsrMatrix().is_numerically_symmetric());
}

BOOST_AUTO_TEST_CASE(layout_is_chosen_by_structure) {
  Random rng(2);
  BOOST_TEST(layout_of(laplacian_3d(12, 11, 10)) == SpmvLayout::dia);
  BOOST_TEST(layout_of(laplacian_2d(40, 30)) == SpmvLayout::dia);
  BOOST_TEST(layout_of(random_sparse(1000, 1000, 0.01, rng)) == SpmvLayout::sell);
  // One dense row among short ones: SELL would pad its slice 16-fold, DIA would need every diagonal.
  std::vector<SparseIndex> r, c;
  for (SparseIndex j = 0; j < 2000; ++j) r.push_back(0), c.push_back(j);
  for (SparseIndex i = 1; i < 2000; ++i) r.push_back(i), c.push_back((i * 7919) % 2000);
  const CsrMatrix arrow = CsrMatrix::from_triplets(2000, 2000, r, c, Vector(r.size(), 1.0));
  BOOST_TEST(layout_of(arrow) == SpmvLayout::csr);
  BOOST_TEST(layout_of(CsrMatrix()) == SpmvLayout::csr);
  // Every copy, transpose or retraiting of a matrix chooses again.
  BOOST_TEST(layout_of(laplacian_3d(12, 11, 10).transposed()) == SpmvLayout::dia);
}

BOOST_AUTO_TEST_CASE(layout_accessors) {
  const CsrMatrix lap = laplacian_2d(40, 30);
  BOOST_TEST(lap.layout() == "dia");
  BOOST_TEST(lap.layout_bytes() == SpmvPlanAccess::plan(lap).bytes());
  BOOST_TEST(CsrMatrix().layout() == "csr");
  for (const char* name : {"csr", "sell", "dia"}) {
    const CsrMatrix forced = lap.with_layout(name);
    BOOST_TEST(forced.layout() == name);
    BOOST_TEST(forced.is_positive_definite());  // the traits are kept
    BOOST_TEST(forced.apply(Vector(lap.cols(), 1.0)) == lap.apply(Vector(lap.cols(), 1.0)),  // integers: exact
               boost::test_tools::per_element());
  }
  BOOST_TEST(lap.with_layout("csr").layout_bytes() < lap.layout_bytes());  // no diagonals stored
  check_throws<ArgumentError>([&] { lap.with_layout("coo"); }, "\"coo\"");
}

BOOST_AUTO_TEST_CASE(products_on_edge_shapes) {
  check_all_kernels(CsrMatrix());
  check_all_kernels(CsrMatrix(0, 5, Index{0}, {}, {}));
  check_all_kernels(CsrMatrix(5, 0, Index(6, 0), {}, {}));
  check_all_kernels(CsrMatrix(4, 6, Index(5, 0), {}, {}));  // no entries at all
  check_all_kernels(CsrMatrix::from_dense(DenseMatrix{{-2.5}}));
  check_all_kernels(CsrMatrix::from_dense(DenseMatrix{{0.0}}));
}

BOOST_AUTO_TEST_CASE(products_on_random_matrices) {
  Random rng(17);
  check_all_kernels(random_sparse(37, 37, 0.2, rng, {0, 5, 6, 36}));  // empty rows, first and last
  check_all_kernels(random_sparse(600, 45, 0.1, rng, {3}));           // tall
  check_all_kernels(random_sparse(45, 600, 0.1, rng, {44}));          // wide
  check_all_kernels(random_sparse(1000, 1000, 0.01, rng));
}

BOOST_AUTO_TEST_CASE(products_on_banded_matrices) {
  // Laplacians declared symmetric, and the same patterns with random values and no declared traits,
  // so that the DIA adjoint runs; plus a rectangular band.
  check_all_kernels(laplacian_2d(31, 17));
  const CsrMatrix lap = laplacian_3d(9, 8, 14);
  check_all_kernels(lap);
  Random rng(23);
  Vector v(lap.nnz());
  rng.fill_gaussian(v);
  const CsrMatrix banded(lap.rows(), lap.cols(), {lap.row_offsets().begin(), lap.row_offsets().end()},
                         {lap.col_indices().begin(), lap.col_indices().end()}, v);
  BOOST_TEST(layout_of(banded) == SpmvLayout::dia);
  check_all_kernels(banded);
  std::vector<SparseIndex> r, c;
  for (SparseIndex i = 0; i < 1000; ++i)
    for (SparseIndex off : {-3, 0, 2, 700})
      if (i + off >= 0 && i + off < 900) r.push_back(i), c.push_back(i + off);
  Vector w(r.size());
  rng.fill_gaussian(w);
  const CsrMatrix band = CsrMatrix::from_triplets(1000, 900, r, c, w);
  BOOST_TEST(layout_of(band) == SpmvLayout::dia);
  check_all_kernels(band);
  check_all_kernels(band.transposed());
}

BOOST_AUTO_TEST_CASE(layouts_sum_in_csr_order) {
  // Every layout adds a row's entries in CSR's order plus exact zeros, so y is identical, unless the
  // compiler may contract a * b + c into FMAs differently in different loops.
  Random rng(29);
  for (const CsrMatrix& a : {random_sparse(700, 500, 0.02, rng, {1, 2}), laplacian_3d(13, 9, 11)}) {
    const Vector x = rng.gaussian_vector(a.cols());
    const Vector reference = with_layout(a, SpmvLayout::csr).apply(x);
    for (SpmvLayout layout : {SpmvLayout::sell, SpmvLayout::dia}) {
      const Vector y = with_layout(a, layout).apply(x);
#ifdef __FP_FAST_FMA
      BOOST_TEST(relative_error(y, reference) <= 1e-15);
#else
      BOOST_TEST(y == reference, boost::test_tools::per_element());
#endif
    }
  }
}

BOOST_AUTO_TEST_CASE(layouts_agree_when_x_is_not_finite) {
  // Padding multiplies zeros by x; an infinite x_j must still only reach the rows that store column
  // j. Plain CSR is the reference, entry by entry, NaN for NaN.
  Random rng(31);
  Vector v(laplacian_3d(6, 7, 8).nnz());
  rng.fill_gaussian(v);
  const CsrMatrix lap = laplacian_3d(6, 7, 8);
  const CsrMatrix banded(lap.rows(), lap.cols(), {lap.row_offsets().begin(), lap.row_offsets().end()},
                         {lap.col_indices().begin(), lap.col_indices().end()}, v);
  const CsrMatrix general = random_sparse(300, 300, 0.02, rng, {0, 1, 2, 100});
  const double inf = std::numeric_limits<double>::infinity();
  for (const CsrMatrix* a : {&banded, &general}) {
    Vector x = rng.gaussian_vector(a->cols());
    x[5] = inf;
    x[0] = -inf;
    x[a->cols() - 1] = std::numeric_limits<double>::quiet_NaN();
    const CsrMatrix reference = with_layout(*a, SpmvLayout::csr);
    const Vector y_ref = reference.apply(x);
    const Vector yt_ref = reference.apply_adjoint(x);
    for (SpmvLayout layout : {SpmvLayout::sell, SpmvLayout::dia}) {
      const CsrMatrix b = with_layout(*a, layout);
      const Vector y = b.apply(x);
      const Vector yt = b.apply_adjoint(x);
      std::size_t mismatches = 0, finite = 0;
      for (std::size_t i = 0; i < y.size(); ++i) {
        finite += std::isfinite(y_ref[i]);
        mismatches += std::isnan(y[i]) != std::isnan(y_ref[i]) ||
                      (!std::isnan(y[i]) && std::abs(y[i] - y_ref[i]) > 1e-12 * (1 + std::abs(y_ref[i])));
      }
      for (std::size_t j = 0; j < yt.size(); ++j)
        mismatches += std::isnan(yt[j]) != std::isnan(yt_ref[j]) ||
                      (!std::isnan(yt[j]) && std::abs(yt[j] - yt_ref[j]) > 1e-12 * (1 + std::abs(yt_ref[j])));
      BOOST_TEST(mismatches == 0u, detail::to_string(layout));
      BOOST_TEST(finite > 0u);  // the test means something only if some rows avoid the bad entries
    }
  }
}

BOOST_AUTO_TEST_CASE(thread_partition_covers_every_unit_once) {
  Random rng(41);
  // Long runs of empty rows must be shared out too.
  std::vector<std::size_t> empty;
  for (std::size_t i = 0; i < 700; ++i) empty.push_back(i);
  for (const CsrMatrix& a : {random_sparse(1000, 50, 0.05, rng, empty), laplacian_2d(70, 40),
                             random_sparse(3000, 3000, 0.003, rng)}) {
    for (auto layout : {SpmvLayout::csr, SpmvLayout::sell, SpmvLayout::dia}) {
      const CsrMatrix b = with_layout(a, layout);
      const auto& plan = SpmvPlanAccess::plan(b);
      const auto view = SpmvPlanAccess::view(b);
      const std::size_t all = plan.unit_range(view, 0, 1).second;
      for (std::size_t threads = 1; threads <= 7; ++threads) {
        std::size_t next = 0, largest = 0;
        for (std::size_t t = 0; t < threads; ++t) {
          const auto [begin, end] = plan.unit_range(view, t, threads);
          BOOST_TEST(begin == next);
          BOOST_TEST(end >= begin);
          largest = std::max(largest, end - begin);
          next = end;
        }
        BOOST_TEST(next == all);
        if (layout == SpmvLayout::csr && threads > 1) BOOST_TEST(largest < all);  // no thread gets it all
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(laplacian)

BOOST_AUTO_TEST_CASE(sizes_and_structure) {
  const CsrMatrix a = laplacian_2d(7, 5);
  BOOST_TEST(a.rows() == 35u);
  BOOST_TEST(a.nnz() == 5u * 35 - 2 * 7 - 2 * 5);
  BOOST_TEST(a.is_symmetric());
  BOOST_TEST(a.is_positive_definite());
  BOOST_TEST(a.is_numerically_symmetric());
  BOOST_TEST(a.diagonal() == Vector(35, 4.0), boost::test_tools::per_element());
  const CsrMatrix b = laplacian_3d(4, 3, 5);
  BOOST_TEST(b.rows() == 60u);
  BOOST_TEST(b.nnz() == 7u * 60 - 2 * (3 * 5) - 2 * (4 * 5) - 2 * (4 * 3));
  BOOST_TEST(b.is_numerically_symmetric());
  BOOST_TEST(b.diagonal() == Vector(60, 6.0), boost::test_tools::per_element());
  // Row sums: 0 inside, positive next to the boundary, so the matrix is diagonally dominant.
  const Vector s = b.apply(Vector(60, 1.0));
  BOOST_TEST(s[1 + 4 * 1 + 12 * 2] == 0.0);  // interior point (1, 1, 2)
  BOOST_TEST(s[0] == 3.0);                   // corner: three missing neighbours
  check_throws<ArgumentError>([] { laplacian_2d(0, 3); }, "positive");
  check_throws<ArgumentError>([] { laplacian_3d(2, 2, 0); }, "positive");
}

BOOST_AUTO_TEST_CASE(known_eigenpairs) {
  // v(i, j, k) = sin(p i h_x) sin(q j h_y) sin(r k h_z), h = pi / (n + 1), points numbered from 1, is
  // an eigenvector with eigenvalue sum over axes of 2 - 2 cos(p h).
  const double pi = std::numbers::pi;
  const std::size_t nx = 9, ny = 6, nz = 5;
  const std::size_t p = 2, q = 5, r = 1;
  for (bool three_d : {false, true}) {
    const std::size_t kz = three_d ? nz : 1;
    const CsrMatrix a = three_d ? laplacian_3d(nx, ny, nz) : laplacian_2d(nx, ny);
    Vector v(a.rows());
    for (std::size_t k = 0; k < kz; ++k)
      for (std::size_t j = 0; j < ny; ++j)
        for (std::size_t i = 0; i < nx; ++i)
          v[i + nx * (j + ny * k)] = std::sin(double(p * (i + 1)) * pi / double(nx + 1)) *
                                     std::sin(double(q * (j + 1)) * pi / double(ny + 1)) *
                                     (three_d ? std::sin(double(r * (k + 1)) * pi / double(nz + 1)) : 1.0);
    double lambda = 4.0 - 2 * std::cos(double(p) * pi / double(nx + 1)) - 2 * std::cos(double(q) * pi / double(ny + 1));
    if (three_d) lambda += 2.0 - 2 * std::cos(double(r) * pi / double(nz + 1));
    const Vector av = a.apply(v);
    Vector residual = av;
    axpy(-lambda, v, residual);
    BOOST_TEST(norm2(residual) <= 1e-13 * lambda * norm2(v));
    BOOST_TEST(dot(v, av) / dot(v, v) == lambda, boost::test_tools::tolerance(1e-14));  // Rayleigh quotient
  }
}

BOOST_AUTO_TEST_SUITE_END()
