// Distributed operators against the serial ones: global reductions, the row split of a CSR matrix
// with its halo, the 3D Laplacian assembled and matrix-free, Matrix Market files read across ranks.
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "frechet/core/random.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/linop/matrix_market.hpp"
#include "frechet/petsc/distributed_csr_matrix.hpp"
#include "frechet/petsc/distributed_laplacian.hpp"
#include "petsc_test_support.hpp"
#include "test_support.hpp"

using namespace frechet;
using frechet::testing::global_relative_error;
using frechet::testing::on_every_rank;
using frechet::testing::slice;
using frechet::testing::world;

namespace {

// A rows x cols matrix with about `per_row` random entries per row, nonsymmetric, every rank the same.
CsrMatrix random_sparse(std::size_t rows, std::size_t cols, std::size_t per_row, std::uint64_t seed) {
  Random rng(seed);
  std::vector<SparseIndex> r, c;
  Vector v;
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t k = 0; k < per_row; ++k) {
      r.push_back(static_cast<SparseIndex>(i));
      c.push_back(static_cast<SparseIndex>(rng.next_u64() % cols));
      v.push_back(rng.uniform() - 0.5);
    }
  return CsrMatrix::from_triplets(rows, cols, r, c, v);
}

// All four products of the distributed matrix equal the serial ones on this rank's slice, and the
// dot-product test holds with global dots.
void check_matches_serial(const DistributedOperator& d, const LinearOperator& serial) {
  BOOST_TEST(d.global_rows() == serial.rows());
  BOOST_TEST(d.global_cols() == serial.cols());
  Random rng(11);
  const Vector v = rng.gaussian_vector(serial.cols()), u = rng.gaussian_vector(serial.rows());
  const Vector v_local = slice(v, d.col_begin(), d.cols()), u_local = slice(u, d.row_begin(), d.rows());
  const Vector av = d.apply(v_local), atu = d.apply_adjoint(u_local);
  BOOST_TEST(global_relative_error(d.comm(), av, slice(serial.apply(v), d.row_begin(), d.rows())) <= 1e-14);
  BOOST_TEST(global_relative_error(d.comm(), atu, slice(serial.apply_adjoint(u), d.col_begin(), d.cols())) <= 1e-14);
  Vector acc = u_local, acc_t = v_local;
  d.apply_add(v_local, acc);
  d.apply_adjoint_add(u_local, acc_t);
  Vector expect = u, expect_t = v;
  serial.apply_add(v, expect);
  serial.apply_adjoint_add(u, expect_t);
  BOOST_TEST(global_relative_error(d.comm(), acc, slice(expect, d.row_begin(), d.rows())) <= 1e-14);
  BOOST_TEST(global_relative_error(d.comm(), acc_t, slice(expect_t, d.col_begin(), d.cols())) <= 1e-14);
  const double lhs = global_dot(d.comm(), u_local, av), rhs = global_dot(d.comm(), atu, v_local);
  BOOST_TEST(std::abs(lhs - rhs) <= 1e-13 * global_norm2(d.comm(), u_local) * global_norm2(d.comm(), av) + 1e-300);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(distributed)

BOOST_AUTO_TEST_CASE(global_reductions_sum_over_ranks) {
  int rank = 0, size = 1;
  MPI_Comm_rank(world(), &rank);
  MPI_Comm_size(world(), &size);
  // Rank r holds r + 3 ones, so <1, 1> is sum (r + 3) = size (size + 5) / 2.
  const Vector ones(static_cast<std::size_t>(rank) + 3, 1.0);
  const double n = size * (size + 5) / 2.0;
  BOOST_TEST(global_dot(world(), ones, ones) == n);
  BOOST_TEST(global_norm2(world(), ones) == std::sqrt(n), boost::test_tools::tolerance(1e-15));
  // The partition covers 0..n-1 once, in rank order.
  const LocalRange r = split_ownership(world(), 10);
  std::uint64_t mine[2] = {r.begin, r.size}, first = 0, total = 0;
  MPI_Allreduce(&mine[1], &total, 1, MPI_UINT64_T, MPI_SUM, world());
  MPI_Allreduce(&mine[0], &first, 1, MPI_UINT64_T, MPI_MIN, world());
  BOOST_TEST(total == 10u);
  BOOST_TEST(first == 0u);
}

BOOST_AUTO_TEST_CASE(distributed_csr_matches_serial_laplacian) {
  const CsrMatrix a = laplacian_3d(6, 5, 4);
  const DistributedCsrMatrix d = distribute_rows(world(), a);
  check_matches_serial(d, a);
  BOOST_TEST(d.is_symmetric());
  BOOST_TEST(global_relative_error(world(), d.diagonal(), slice(a.diagonal(), d.row_begin(), d.rows())) == 0.0);
  // The blocks partition the local rows' entries; the ghosts are other ranks' columns.
  std::size_t stored = d.diagonal_block().nnz() + d.off_diagonal_block().nnz();
  bool ghosts_foreign = true;
  for (const SparseIndex g : d.ghost_columns())
    ghosts_foreign = ghosts_foreign && (static_cast<std::size_t>(g) < d.col_begin() ||
                                        static_cast<std::size_t>(g) >= d.col_begin() + d.cols());
  BOOST_TEST(on_every_rank(world(), stored == d.local_rows().nnz() && ghosts_foreign));
}

BOOST_AUTO_TEST_CASE(distributed_csr_matches_serial_nonsymmetric_rectangular) {
  for (const auto& [rows, cols] : {std::pair<std::size_t, std::size_t>{37, 37}, {29, 41}, {41, 23}}) {
    const CsrMatrix a = random_sparse(rows, cols, 4, 3 + rows);
    check_matches_serial(distribute_rows(world(), a), a);
  }
}

BOOST_AUTO_TEST_CASE(assembled_laplacian_equals_distributed_serial_one) {
  const DistributedCsrMatrix d = distributed_laplacian_3d(world(), 6, 5, 4);
  const DistributedCsrMatrix reference = distribute_rows(world(), laplacian_3d(6, 5, 4));
  const CsrMatrix& l = d.local_rows();
  const CsrMatrix& r = reference.local_rows();
  const bool same = l.rows() == r.rows() && std::equal(l.row_offsets().begin(), l.row_offsets().end(), r.row_offsets().begin()) &&
                    std::equal(l.col_indices().begin(), l.col_indices().end(), r.col_indices().begin(), r.col_indices().end()) &&
                    std::equal(l.values().begin(), l.values().end(), r.values().begin(), r.values().end());
  BOOST_TEST(on_every_rank(world(), same));
  check_matches_serial(d, laplacian_3d(6, 5, 4));
}

BOOST_AUTO_TEST_CASE(matrix_free_laplacian_equals_serial) {
  // nz = 1 leaves a rank without planes at np 2; nx = 1 and ny = 1 are the degenerate lines.
  for (const auto& [nx, ny, nz] : {std::tuple<std::size_t, std::size_t, std::size_t>{6, 5, 4}, {4, 3, 1}, {1, 1, 7}, {3, 1, 5}}) {
    const auto op = distributed_laplacian_3d_operator(world(), nx, ny, nz);
    const CsrMatrix a = laplacian_3d(nx, ny, nz);
    check_matches_serial(*op, a);
    BOOST_TEST(op->is_positive_definite());
    BOOST_TEST(global_relative_error(world(), op->diagonal(), slice(a.diagonal(), op->row_begin(), op->rows())) == 0.0);
  }
  BOOST_CHECK_THROW(distributed_laplacian_3d_operator(world(), 0, 3, 3), ArgumentError);
}

BOOST_AUTO_TEST_CASE(inconsistent_sizes_across_ranks_throw_on_every_rank) {
  int rank = 0;
  MPI_Comm_rank(world(), &rank);
  const CsrMatrix a = laplacian_3d(3, 3, 2);
  const DistributedCsrMatrix d = distribute_rows(world(), a);
  // local_cols summing to one more than the global column count.
  BOOST_CHECK_THROW(DistributedCsrMatrix(world(), d.local_rows(), d.cols() + (rank == 0 ? 1 : 0)), ArgumentError);
  // A global column count that differs between ranks (at np 1: local_cols != cols).
  const CsrMatrix wider(d.rows(), a.cols() + static_cast<std::size_t>(rank) + 1,
                        std::vector<SparseIndex>(d.rows() + 1, 0), {}, Vector{});
  BOOST_CHECK_THROW(DistributedCsrMatrix(world(), wider, d.cols()), ArgumentError);
  // The default diagonal() of an operator that does not know it.
  const CsrMatrix rectangular = random_sparse(6, 4, 2, 5);
  BOOST_CHECK_THROW(distribute_rows(world(), rectangular).diagonal(), ArgumentError);
}

BOOST_AUTO_TEST_CASE(matrix_market_file_reads_into_the_distributed_matrix) {
  int rank = 0;
  MPI_Comm_rank(world(), &rank);
  const CsrMatrix a = random_sparse(31, 31, 3, 17);
  long id = getpid();  // rank 0's, one file name for all ranks
  MPI_Bcast(&id, 1, MPI_LONG, 0, world());
  const auto file = std::filesystem::temp_directory_path() / ("frechet_petsc_test_" + std::to_string(id) + ".mtx");
  if (rank == 0) write_matrix_market(file, a);
  MPI_Barrier(world());
  const DistributedCsrMatrix d = read_distributed_matrix_market(file, world());
  MPI_Barrier(world());
  if (rank == 0) std::filesystem::remove(file);
  check_matches_serial(d, a);
  BOOST_CHECK_THROW(read_distributed_matrix_market(file.string() + ".missing", world()), IoError);
}

BOOST_AUTO_TEST_CASE(real_matrix_reads_into_the_distributed_matrix) {
  const auto dir = frechet::testing::matrix_dir();
  if (dir.empty() || !std::filesystem::exists(dir / "west0479.mtx")) return;  // no matrices in this build
  for (const char* name : {"west0479.mtx", "bcsstk13.mtx"}) {
    const DistributedCsrMatrix d = read_distributed_matrix_market(dir / name, world());
    const SparseMatrixFile serial = read_matrix_market(dir / name);
    BOOST_TEST(d.is_symmetric() == serial.matrix.is_symmetric());
    check_matches_serial(d, serial.matrix);
  }
}

BOOST_AUTO_TEST_SUITE_END()
