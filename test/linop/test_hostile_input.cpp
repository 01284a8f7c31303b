// Hostile input to the linop layer: Matrix Market files whose header announces more than the file
// holds, inputs without an end, duplicate entries that double or overflow, values below the normal
// range; Kronecker products whose sizes overflow; products whose x and y overlap.

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "frechet/core/error.hpp"
#include "frechet/linop/combinators.hpp"
#include "frechet/linop/matrix_market.hpp"
#include "frechet/linop/operators.hpp"

using namespace frechet;

namespace {

// A file of the given contents in the temporary folder, removed at scope exit.
class HostileFile {
public:
  explicit HostileFile(const std::string& contents) {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("frechet_hostile_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + ".mtx");
    std::ofstream(path_, std::ios::binary) << contents;
  }
  HostileFile(const HostileFile&) = delete;
  HostileFile& operator=(const HostileFile&) = delete;
  ~HostileFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

private:
  std::filesystem::path path_;
};

// `read` throws a ParseError at `line` whose message contains every one of `keys`.
template <class Read>
void check_parse_error(Read read, const std::filesystem::path& path, std::size_t line,
                       std::initializer_list<const char*> keys) {
  try {
    read(path);
    BOOST_ERROR("no ParseError");
  } catch (const ParseError& e) {
    const std::string what = e.what();
    BOOST_TEST(e.line() == line, what);
    for (const char* key : keys) BOOST_TEST(what.find(key) != std::string::npos, what);
  }
}

void sparse(const std::filesystem::path& p) { read_matrix_market(p); }
void dense(const std::filesystem::path& p) { read_matrix_market_dense(p); }

}  // namespace

BOOST_AUTO_TEST_SUITE(hostile_input)

// 10^9 x 10^9 in a file of 70 bytes took over 3 GB before the bound; 2 10^7 rows took 544 MB.
BOOST_AUTO_TEST_CASE(header_cannot_allocate_more_than_the_file_holds) {
  const HostileFile huge("%%MatrixMarket matrix coordinate real general\n1000000000 1000000000 1\n1 1 1\n");
  for (const auto read : {sparse, dense}) {
    check_parse_error(read, huge.path(), 2, {"declares a 1000000000 x 1000000000", "6 bytes", "refused"});
  }
  const HostileFile rows("%%MatrixMarket matrix coordinate real general\n20000000 1 1\n1 1 1\n");
  check_parse_error(sparse, rows.path(), 2, {"declares a 20000000 x 1", "refused"});
  const HostileFile cols("%%MatrixMarket matrix array real general\n0 2000000000\n");
  check_parse_error(sparse, cols.path(), 2, {"declares a 0 x 2000000000", "refused"});

  // 20000 x 20000 is a fine sparse size, but 3.2 GB dense from a 59-byte file.
  const HostileFile rhs("%%MatrixMarket matrix coordinate real general\n20000 20000 1\n1 1 1\n");
  BOOST_TEST(read_matrix_market(rhs.path()).matrix.nnz() == 1u);
  check_parse_error(dense, rhs.path(), 2, {"declares a dense 20000 x 20000", "refused"});
  const HostileFile array("%%MatrixMarket matrix array real general\n100000 100000\n1\n");
  check_parse_error(dense, array.path(), 2, {"declares a dense 100000 x 100000", "refused"});
  check_parse_error(sparse, array.path(), 3, {"too few values"});

  // Under the floor of 2^20 rows an empty matrix is read whatever the file's size.
  const HostileFile wide("%%MatrixMarket matrix coordinate real general\n1048576 3 0\n");
  BOOST_TEST(read_matrix_market(wide.path()).matrix.rows() == 1048576u);
}

// /dev/zero has size 0 and no end: the readers stop at its first bytes instead of reading until
// memory runs out.
BOOST_AUTO_TEST_CASE(inputs_without_an_end_are_read_with_a_bound) {
  const std::filesystem::path zero = "/dev/zero";
  if (!std::filesystem::exists(zero)) return;
  check_parse_error(sparse, zero, 1, {"banner"});
  check_parse_error(dense, zero, 1, {"banner"});
  check_parse_error([](const std::filesystem::path& p) { read_matrix_market_header(p); }, zero, 1,
                    {"longer than"});
}

// [[2,1],[1,2]] listed with both (2,1) and (1,2) was read as [[2,2],[2,2]] (eigenvalues 4 and 0).
BOOST_AUTO_TEST_CASE(symmetric_file_listing_both_triangles_is_refused) {
  const HostileFile both(
      "%%MatrixMarket matrix coordinate real symmetric\n2 2 4\n1 1 2\n2 1 1\n2 2 2\n1 2 1\n");
  for (const auto read : {sparse, dense}) check_parse_error(read, both.path(), 6, {"(1, 2)", "line 4", "(2, 1)"});
  // One triangle, upper or lower, and a repeated entry of one triangle are fine (repeats are summed).
  const HostileFile upper("%%MatrixMarket matrix coordinate real symmetric\n2 2 2\n1 2 1\n1 2 0.5\n");
  BOOST_TEST((read_matrix_market(upper.path()).matrix.to_dense() == DenseMatrix{{0, 1.5}, {1.5, 0}}));
  const HostileFile mixed(
      "%%MatrixMarket matrix coordinate real symmetric\n3 3 2\n2 1 1\n2 3 1\n");  // (2,1) lower, (2,3) upper
  BOOST_TEST((read_matrix_market(mixed.path()).matrix.to_dense() ==
              DenseMatrix{{0, 1, 0}, {1, 0, 1}, {0, 1, 0}}));
}

BOOST_AUTO_TEST_CASE(duplicates_summing_past_the_double_range_are_refused) {
  const HostileFile general("%%MatrixMarket matrix coordinate real general\n2 2 3\n1 1 1e308\n2 2 1\n1 1 1e308\n");
  for (const auto read : {sparse, dense}) check_parse_error(read, general.path(), 5, {"(1, 1)", "inf"});
  const HostileFile symmetric(
      "%%MatrixMarket matrix coordinate real symmetric\n2 2 2\n2 1 -1e308\n2 1 -1e308\n");
  for (const auto read : {sparse, dense}) check_parse_error(read, symmetric.path(), 4, {"-inf"});
}

// Text below the normal range rounds to a subnormal or to zero, as strtod reads it.
BOOST_AUTO_TEST_CASE(values_below_the_normal_range_are_read_as_strtod_does) {
  const HostileFile tiny(
      "%%MatrixMarket matrix array real general\n5 1\n1e-400\n-1e-400\n4.9e-324\n1e-310\n2.5e-320\n");
  const DenseMatrix a = read_matrix_market_dense(tiny.path());
  BOOST_TEST(a(0, 0) == 0.0);
  BOOST_TEST(a(1, 0) == 0.0);
  BOOST_TEST(a(2, 0) == std::numeric_limits<double>::denorm_min());
  BOOST_TEST(a(3, 0) == std::strtod("1e-310", nullptr));
  BOOST_TEST(a(4, 0) == std::strtod("2.5e-320", nullptr));
  BOOST_TEST(read_matrix_market(tiny.path()).matrix.nnz() == 3u);  // the zeros of an array file are dropped
  const HostileFile huge("%%MatrixMarket matrix array real general\n1 1\n1e400\n");
  check_parse_error(sparse, huge.path(), 3, {"double range"});
}

// I(2^33) x I(2^33) was accepted as 0 x 0, and applying I(2^32) x I(2^32) read out of bounds.
BOOST_AUTO_TEST_CASE(kron_sizes_that_overflow_are_refused) {
  const OperatorPtr i33 = identity_operator(std::size_t{1} << 33);
  const OperatorPtr i32 = identity_operator(std::size_t{1} << 32);
  BOOST_CHECK_THROW(kron(i33, i33), ShapeError);
  BOOST_CHECK_THROW(kron(i32, i32), ShapeError);
  BOOST_CHECK_THROW(kron(i32, identity_operator(std::size_t{1} << 31)), ShapeError);
  try {
    kron(i33, i33);
  } catch (const ShapeError& e) {
    BOOST_TEST(std::string(e.what()).find("8589934592 * 8589934592") != std::string::npos, e.what());
  }
  // A product that fits is accepted.
  BOOST_TEST(kron(identity_operator(1 << 10), identity_operator(1 << 10))->rows() == std::size_t{1} << 20);
}

// y = A x with y overlapping x read entries it had already overwritten, silently.
BOOST_AUTO_TEST_CASE(products_with_overlapping_x_and_y_are_refused) {
  const OperatorPtr a = dense_operator(DenseMatrix{{1, 2}, {3, 4}});
  Vector v{1, 2, 3};
  const VectorView all(v);
  BOOST_CHECK_THROW(a->apply(all.first(2), all.first(2)), ArgumentError);
  BOOST_CHECK_THROW(a->apply(all.first(2), all.last(2)), ArgumentError);
  BOOST_CHECK_THROW(a->apply_add(all.last(2), all.first(2)), ArgumentError);
  BOOST_CHECK_THROW(a->apply_adjoint(all.first(2), all.last(2)), ArgumentError);
  BOOST_CHECK_THROW(a->apply_adjoint_add(all.first(2), all.first(2)), ArgumentError);
  // Adjacent but separate spans of one vector are fine.
  Vector w{1, 1, 0, 0};
  const VectorView halves(w);
  a->apply(halves.first(2), halves.last(2));
  BOOST_TEST(w[2] == 3.0);
  BOOST_TEST(w[3] == 7.0);
}

BOOST_AUTO_TEST_SUITE_END()
