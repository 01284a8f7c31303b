#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "frechet/core/error.hpp"
#include "frechet/core/random.hpp"
#include "frechet/linop/csr_matrix.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/linop/matrix_market.hpp"
#include "test_support.hpp"

using namespace frechet;
using frechet::testing::random_dense;

namespace {

// A file in the temporary folder whose name is unique to this process and call, removed at scope exit.
class TempFile {
public:
  TempFile() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("frechet_mm_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + ".mtx");
  }
  explicit TempFile(const std::string& contents) : TempFile() {
    std::ofstream out(path_, std::ios::binary);
    out << contents;
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string text() const {
    std::ifstream in(path_, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }

private:
  std::filesystem::path path_;
};

// A random m x n sparse matrix with about `count` entries of widely spread magnitudes (fixed seed).
CsrMatrix random_sparse(std::size_t m, std::size_t n, std::size_t count, Random& rng) {
  std::vector<SparseIndex> row, col;
  Vector value;
  for (std::size_t k = 0; k < count; ++k) {
    row.push_back(static_cast<SparseIndex>(rng.next_u64() % m));
    col.push_back(static_cast<SparseIndex>(rng.next_u64() % n));
    value.push_back(rng.gaussian() * std::pow(10.0, std::floor(rng.uniform() * 600.0 - 300.0)));
  }
  return CsrMatrix::from_triplets(m, n, row, col, value);
}

// Exact equality of shape, structure and values.
void check_identical(const CsrMatrix& a, const CsrMatrix& b) {
  BOOST_TEST(a.rows() == b.rows());
  BOOST_TEST(a.cols() == b.cols());
  BOOST_TEST(a.row_offsets() == b.row_offsets(), boost::test_tools::per_element());
  BOOST_TEST(a.col_indices() == b.col_indices(), boost::test_tools::per_element());
  BOOST_TEST(a.values() == b.values(), boost::test_tools::per_element());
}

CsrMatrix read_csr(const std::string& contents) { return read_matrix_market(TempFile(contents).path()).matrix; }

}  // namespace

BOOST_AUTO_TEST_SUITE(matrix_market)

BOOST_AUTO_TEST_CASE(banner_words) {
  BOOST_TEST(to_string(MatrixMarketFormat::coordinate) == "coordinate");
  BOOST_TEST(to_string(MatrixMarketFormat::array) == "array");
  BOOST_TEST(to_string(MatrixMarketField::real) == "real");
  BOOST_TEST(to_string(MatrixMarketField::integer) == "integer");
  BOOST_TEST(to_string(MatrixMarketField::pattern) == "pattern");
  BOOST_TEST(to_string(MatrixMarketSymmetry::general) == "general");
  BOOST_TEST(to_string(MatrixMarketSymmetry::symmetric) == "symmetric");
  BOOST_TEST(to_string(MatrixMarketSymmetry::skew_symmetric) == "skew-symmetric");
}

BOOST_AUTO_TEST_CASE(coordinate_general_by_hand) {
  // Mixed-case banner, comments and blank lines anywhere, tabs, CRLF endings, unsorted entries.
  const TempFile file(
      "%%matrixmarket MATRIX Coordinate REAL General\r\n"
      "% a comment\r\n"
      "\r\n"
      "  3 4   5\r\n"
      "3 4 -2.5e1\r\n"
      "% between entries\r\n"
      "1\t1\t+1.5\r\n"
      "\r\n"
      "2 3 -.5e-3\r\n"
      "1 4 1E+02\r\n"
      "3 1 7.\r\n");
  const SparseMatrixFile read = read_matrix_market(file.path());
  BOOST_TEST((read.header.format == MatrixMarketFormat::coordinate));
  BOOST_TEST((read.header.field == MatrixMarketField::real));
  BOOST_TEST((read.header.symmetry == MatrixMarketSymmetry::general));
  BOOST_TEST(read.header.rows == 3u);
  BOOST_TEST(read.header.cols == 4u);
  BOOST_TEST(read.header.entries == 5u);
  BOOST_TEST(!read.matrix.is_symmetric());
  const DenseMatrix expected{{1.5, 0, 0, 100}, {0, 0, -0.5e-3, 0}, {7, 0, 0, -25}};
  BOOST_TEST((read.matrix.to_dense() == expected));
  BOOST_TEST((read_matrix_market_dense(file.path()) == expected));
  const MatrixMarketHeader header = read_matrix_market_header(file.path());
  BOOST_TEST(header.rows == 3u);
  BOOST_TEST(header.entries == 5u);
}

BOOST_AUTO_TEST_CASE(duplicates_are_summed_and_explicit_zeros_kept) {
  const TempFile file(
      "%%MatrixMarket matrix coordinate real general\n"
      "2 2 4\n"
      "1 2 1.25\n"
      "2 1 0\n"
      "1 2 2\n"
      "1 2 -0.25\n");
  const CsrMatrix a = read_matrix_market(file.path()).matrix;
  BOOST_TEST(a.nnz() == 2u);  // (0, 1) summed, (1, 0) an explicit zero
  BOOST_TEST((a.to_dense() == DenseMatrix{{0, 3}, {0, 0}}));
  BOOST_TEST((read_matrix_market_dense(file.path()) == DenseMatrix{{0, 3}, {0, 0}}));
}

BOOST_AUTO_TEST_CASE(symmetric_storage_is_expanded) {
  // Lower triangle plus one upper entry (3, 4), which some writers emit; the diagonal is not doubled.
  const TempFile file(
      "%%MatrixMarket matrix coordinate real symmetric\n"
      "4 4 6\n"
      "1 1 4\n"
      "2 1 -1\n"
      "3 3 5\n"
      "4 2 2.5\n"
      "3 4 -3\n"
      "4 4 6\n");
  const DenseMatrix expected{{4, -1, 0, 0}, {-1, 0, 0, 2.5}, {0, 0, 5, -3}, {0, 2.5, -3, 6}};
  const SparseMatrixFile read = read_matrix_market(file.path());
  BOOST_TEST((read.header.symmetry == MatrixMarketSymmetry::symmetric));
  BOOST_TEST(read.header.entries == 6u);
  BOOST_TEST(read.matrix.nnz() == 9u);
  BOOST_TEST(read.matrix.is_symmetric());
  BOOST_TEST(read.matrix.is_numerically_symmetric());
  BOOST_TEST((read.matrix.to_dense() == expected));
  BOOST_TEST((read_matrix_market_dense(file.path()) == expected));
  frechet::testing::check_operator_matches(read.matrix, expected, 1e-15);
}

BOOST_AUTO_TEST_CASE(skew_symmetric_storage_is_expanded) {
  const TempFile file(
      "%%MatrixMarket matrix coordinate real skew-symmetric\n"
      "3 3 3\n"
      "2 1 2\n"
      "3 1 -1.5\n"
      "2 2 0\n");  // an explicit zero on the diagonal is allowed
  const DenseMatrix expected{{0, -2, 1.5}, {2, 0, 0}, {-1.5, 0, 0}};
  const CsrMatrix a = read_matrix_market(file.path()).matrix;
  BOOST_TEST(!a.is_symmetric());
  BOOST_TEST((a.to_dense() == expected));
  BOOST_TEST((read_matrix_market_dense(file.path()) == expected));
  BOOST_TEST((add(a.to_dense(), a.transposed().to_dense()) == DenseMatrix(3, 3)));
}

BOOST_AUTO_TEST_CASE(pattern_and_integer_fields) {
  const std::string pattern =
      "%%MatrixMarket matrix coordinate pattern symmetric\n"
      "3 3 3\n"
      "1 1\n"
      "3 1\n"
      "3 2\n";
  const SparseMatrixFile p = read_matrix_market(TempFile(pattern).path());
  BOOST_TEST((p.header.field == MatrixMarketField::pattern));
  BOOST_TEST((p.matrix.to_dense() == DenseMatrix{{1, 0, 1}, {0, 0, 1}, {1, 1, 0}}));

  const std::string integer =
      "%%MatrixMarket matrix coordinate integer general\n"
      "2 3 3\n"
      "1 3 -7\n"
      "2 1 +12\n"
      "2 2 123456789\n";
  const SparseMatrixFile n = read_matrix_market(TempFile(integer).path());
  BOOST_TEST((n.header.field == MatrixMarketField::integer));
  BOOST_TEST((n.matrix.to_dense() ==
              DenseMatrix{{0, 0, -7}, {12, 123456789, 0}}));
}

BOOST_AUTO_TEST_CASE(array_formats) {
  const std::string general =
      "%%MatrixMarket matrix array real general\n"
      "% column after column\n"
      "2 3\n"
      "1\n4\n2\n0\n3\n6\n";
  const DenseMatrix g{{1, 2, 3}, {4, 0, 6}};
  const TempFile gf(general);
  BOOST_TEST((read_matrix_market_dense(gf.path()) == g));
  const SparseMatrixFile gs = read_matrix_market(gf.path());
  BOOST_TEST((gs.header.format == MatrixMarketFormat::array));
  BOOST_TEST(gs.header.entries == 6u);
  BOOST_TEST(gs.matrix.nnz() == 5u);  // the zero is dropped
  BOOST_TEST((gs.matrix.to_dense() == g));

  const std::string symmetric =
      "%%MatrixMarket matrix array integer symmetric\n"
      "3 3\n"
      "1\n2\n3\n4\n5\n6\n";  // lower triangle: (1,1) (2,1) (3,1) (2,2) (3,2) (3,3)
  const DenseMatrix s{{1, 2, 3}, {2, 4, 5}, {3, 5, 6}};
  const TempFile sf(symmetric);
  BOOST_TEST((read_matrix_market_dense(sf.path()) == s));
  const SparseMatrixFile ss = read_matrix_market(sf.path());
  BOOST_TEST(ss.header.entries == 6u);
  BOOST_TEST(ss.matrix.is_symmetric());
  BOOST_TEST((ss.matrix.to_dense() == s));

  const std::string skew =
      "%%MatrixMarket matrix array real skew-symmetric\n"
      "3 3\n"
      "1\n2\n3\n";  // strictly lower triangle: (2,1) (3,1) (3,2)
  const DenseMatrix k{{0, -1, -2}, {1, 0, -3}, {2, 3, 0}};
  const TempFile kf(skew);
  BOOST_TEST(read_matrix_market_header(kf.path()).entries == 3u);
  BOOST_TEST((read_matrix_market_dense(kf.path()) == k));
  BOOST_TEST((read_matrix_market(kf.path()).matrix.to_dense() == k));
}

BOOST_AUTO_TEST_CASE(edge_sizes) {
  const CsrMatrix empty = read_csr("%%MatrixMarket matrix coordinate real general\n0 0 0\n");
  BOOST_TEST(empty.rows() == 0u);
  BOOST_TEST(empty.nnz() == 0u);
  const CsrMatrix wide = read_csr("%%MatrixMarket matrix coordinate real general\n1 5 0\n");
  BOOST_TEST(wide.cols() == 5u);
  BOOST_TEST(wide.nnz() == 0u);
  // No newline after the last entry.
  BOOST_TEST((read_csr("%%MatrixMarket matrix coordinate real general\n1 1 1\n1 1 -2").to_dense() ==
              DenseMatrix{{-2}}));
  BOOST_TEST(read_csr("%%MatrixMarket matrix array real skew-symmetric\n1 1\n").nnz() == 0u);
}

BOOST_AUTO_TEST_CASE(round_trip_general_is_exact) {
  Random rng(11);
  for (const auto& [m, n, count] : {std::tuple{1u, 1u, 1u}, {7u, 3u, 12u}, {40u, 90u, 700u}}) {
    const CsrMatrix a = random_sparse(m, n, count, rng);
    const TempFile file;
    write_matrix_market(file.path(), a);
    const SparseMatrixFile read = read_matrix_market(file.path());
    BOOST_TEST(read.header.entries == a.nnz());
    check_identical(read.matrix, a);
  }
  // Extremes of the double range survive "%.17g".
  const Vector extremes{std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::max(),
                        -std::numeric_limits<double>::min(), 0.1, 1.0 / 3.0, -0.0};
  std::vector<SparseIndex> idx(extremes.size());
  for (std::size_t k = 0; k < idx.size(); ++k) idx[k] = static_cast<SparseIndex>(k);
  const CsrMatrix d = CsrMatrix::from_triplets(extremes.size(), extremes.size(), idx, idx, extremes);
  const TempFile file;
  write_matrix_market(file.path(), d);
  check_identical(read_matrix_market(file.path()).matrix, d);
}

BOOST_AUTO_TEST_CASE(round_trip_symmetric_is_exact) {
  Random rng(12);
  const CsrMatrix b = random_sparse(30, 30, 200, rng);
  const std::vector<CsrMatrix> matrices{CsrMatrix::from_dense(add(b.to_dense(), b.transposed().to_dense())),
                                        laplacian_2d(5, 4)};
  for (const CsrMatrix& a : matrices) {
    const TempFile file;
    write_matrix_market(file.path(), a, MatrixMarketSymmetry::symmetric, "a symmetric test matrix");
    const SparseMatrixFile read = read_matrix_market(file.path());
    BOOST_TEST((read.header.symmetry == MatrixMarketSymmetry::symmetric));
    const Vector diagonal = a.diagonal();
    const auto stored_diagonal = static_cast<std::size_t>(
        std::count_if(diagonal.begin(), diagonal.end(), [](double v) { return v != 0.0; }));
    BOOST_TEST(read.header.entries == (a.nnz() + stored_diagonal) / 2);
    BOOST_TEST(read.matrix.is_symmetric());
    check_identical(read.matrix, a);
  }
}

BOOST_AUTO_TEST_CASE(round_trip_skew_symmetric_is_exact) {
  Random rng(13);
  const DenseMatrix b = random_dense(9, 9, rng);
  DenseMatrix k(9, 9);
  for (std::size_t i = 0; i < 9; ++i)
    for (std::size_t j = 0; j < i; ++j) {
      k(i, j) = b(i, j);
      k(j, i) = -b(i, j);
    }
  const CsrMatrix a = CsrMatrix::from_dense(k);
  const TempFile file;
  write_matrix_market(file.path(), a, MatrixMarketSymmetry::skew_symmetric);
  const SparseMatrixFile read = read_matrix_market(file.path());
  BOOST_TEST(read.header.entries == 36u);
  check_identical(read.matrix, a);
}

BOOST_AUTO_TEST_CASE(round_trip_dense_is_exact) {
  Random rng(14);
  DenseMatrix a = random_dense(6, 4, rng);
  a(2, 1) = 0.0;
  a(0, 3) = 1e-300;
  const TempFile file;
  write_matrix_market(file.path(), a, "first line\nsecond line");
  const std::string text = file.text();
  BOOST_TEST(text.rfind("%%MatrixMarket matrix array real general\n% first line\n% second line\n6 4\n", 0) == 0u);
  BOOST_TEST((read_matrix_market_dense(file.path()) == a));
  const SparseMatrixFile read = read_matrix_market(file.path());
  BOOST_TEST(read.header.entries == 24u);
  check_identical(read.matrix, CsrMatrix::from_dense(a));
}

BOOST_AUTO_TEST_CASE(writer_rejects_bad_input) {
  const TempFile file;
  const CsrMatrix nonsymmetric = CsrMatrix::from_dense(DenseMatrix{{1, 2}, {2.5, 1}});
  BOOST_CHECK_THROW(write_matrix_market(file.path(), nonsymmetric, MatrixMarketSymmetry::symmetric),
                    ArgumentError);
  try {
    write_matrix_market(file.path(), nonsymmetric, MatrixMarketSymmetry::symmetric);
  } catch (const ArgumentError& e) {
    BOOST_TEST(std::string(e.what()).find("A(0, 1) = 2") != std::string::npos);
  }
  const CsrMatrix symmetric = CsrMatrix::from_dense(DenseMatrix{{1, 2}, {2, 1}});
  BOOST_CHECK_THROW(write_matrix_market(file.path(), symmetric, MatrixMarketSymmetry::skew_symmetric),
                    ArgumentError);  // a nonzero diagonal is not skew
  const CsrMatrix rectangular = CsrMatrix::from_dense(DenseMatrix{{1, 2, 3}});
  BOOST_CHECK_THROW(write_matrix_market(file.path(), rectangular, MatrixMarketSymmetry::symmetric),
                    ArgumentError);
  const CsrMatrix with_nan = CsrMatrix::from_dense(DenseMatrix{{1, std::nan("")}});
  BOOST_CHECK_THROW(write_matrix_market(file.path(), with_nan), NonFiniteError);
  BOOST_CHECK_THROW(write_matrix_market(file.path(), DenseMatrix{{std::numeric_limits<double>::infinity()}}),
                    NonFiniteError);
  const auto nowhere = std::filesystem::temp_directory_path() / "frechet_no_such_dir" / "a.mtx";
  BOOST_CHECK_THROW(write_matrix_market(nowhere, symmetric), IoError);
  BOOST_CHECK_THROW(write_matrix_market(nowhere, DenseMatrix{{1}}), IoError);
}

BOOST_AUTO_TEST_CASE(header_reader_stops_at_size_line) {
  // Entries that would fail to parse are not read.
  const TempFile file(
      "%%MatrixMarket matrix coordinate pattern symmetric\n"
      "%\n"
      "5 5 2\n"
      "not an entry\n");
  const MatrixMarketHeader h = read_matrix_market_header(file.path());
  BOOST_TEST((h.field == MatrixMarketField::pattern));
  BOOST_TEST((h.symmetry == MatrixMarketSymmetry::symmetric));
  BOOST_TEST(h.rows == 5u);
  BOOST_TEST(h.cols == 5u);
  BOOST_TEST(h.entries == 2u);
  BOOST_CHECK_THROW(read_matrix_market(file.path()), ParseError);
}

BOOST_AUTO_TEST_CASE(malformed_files_name_the_line) {
  struct Case {
    const char* contents;
    std::size_t line;
    const char* key;
    bool in_header;  // also detected by read_matrix_market_header
  };
  const std::string banner = "%%MatrixMarket matrix coordinate real general\n";
  const Case cases[] = {
      {"", 1, "banner", true},
      {"%%MatrixMarkt matrix coordinate real general\n1 1 1\n1 1 1\n", 1, "banner", true},
      {"\n%%MatrixMarket matrix coordinate real general\n1 1 1\n1 1 1\n", 1, "banner", true},
      {"%%MatrixMarket matrix coordinate real\n1 1 1\n1 1 1\n", 1, "banner", true},
      {"%%MatrixMarket matrix coordinate real general extra\n1 1 0\n", 1, "banner", true},
      {"%%MatrixMarket vector coordinate real general\n1 1 0\n", 1, "unsupported object", true},
      {"%%MatrixMarket matrix sparse real general\n1 1 0\n", 1, "unsupported format", true},
      {"%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n", 1, "unsupported field", true},
      {"%%MatrixMarket matrix coordinate real hermitian\n1 1 0\n", 1, "unsupported symmetry", true},
      {"%%MatrixMarket matrix array pattern general\n1 1\n", 1, "pattern", true},
      {"%%MatrixMarket matrix coordinate pattern skew-symmetric\n1 1 0\n", 1, "pattern", true},
      {"%%MatrixMarket matrix coordinate real general\n% only comments\n\n", 3, "size line", true},
      {"%%MatrixMarket matrix coordinate real general\n3 x 3\n", 2, "size line", true},
      {"%%MatrixMarket matrix coordinate real general\n-3 3 1\n1 1 1\n", 2, "negative", true},
      {"%%MatrixMarket matrix coordinate real general\n3 3\n1 1 1\n", 2, "size line", true},
      {"%%MatrixMarket matrix coordinate real general\n3 3 1 7\n1 1 1\n", 2, "size line", true},
      {"%%MatrixMarket matrix array real general\n3 3 9\n", 2, "size line", true},
      {"%%MatrixMarket matrix coordinate real general\n3 3 99999999999999999999999\n", 2, "too large", true},
      {"%%MatrixMarket matrix coordinate real symmetric\n3 4 1\n1 1 1\n", 2, "square", true},
      {"%%MatrixMarket matrix array real skew-symmetric\n2 3\n", 2, "square", true},
      {"%%MatrixMarket matrix coordinate real general\n3 3 2\n1 1 1\n0 2 1\n", 4, "1-based", false},
      {"%%MatrixMarket matrix coordinate real general\n3 3 1\n4 1 1\n", 3, "row index 4 is outside", false},
      {"%%MatrixMarket matrix coordinate real general\n3 2 1\n1 3 1\n", 3, "column index 3 is outside", false},
      {"%%MatrixMarket matrix coordinate real general\n3 3 1\n-1 1 1\n", 3, "row index", false},
      {"%%MatrixMarket matrix coordinate real general\n3 3 1\n1.0 1 1\n", 3, "positive integer", false},
      {"%%MatrixMarket matrix coordinate real general\n3 3 1\n1\n", 3, "missing column index", false},
      {"%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 abc\n", 3, "not a number", false},
      {"%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 1.0D+00\n", 3, "not a number", false},
      {"%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1\n", 3, "missing value", false},
      {"%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 nan\n", 3, "not finite", false},
      {"%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 1e999\n", 3, "double range", false},
      {"%%MatrixMarket matrix coordinate integer general\n3 3 1\n1 1 1.5\n", 3, "not an integer", false},
      {"%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 2.0 junk\n", 3, "unexpected 'junk'", false},
      {"%%MatrixMarket matrix coordinate pattern general\n3 3 1\n1 1 2.0\n", 3, "unexpected '2.0'", false},
      {"%%MatrixMarket matrix coordinate real general\n3 3 3\n1 1 1\n% c\n2 2 2\n\n", 6, "too few", false},
      {"%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 1\n\n2 2 2\n", 5, "more entries", false},
      {"%%MatrixMarket matrix coordinate real skew-symmetric\n2 2 1\n2 2 1\n", 3, "diagonal", false},
      {"%%MatrixMarket matrix array real general\n2 1\n1\n2\n3\n", 5, "more values", false},
      {"%%MatrixMarket matrix array real general\n2 1\n1 2\n", 3, "one value per line", false},
      {"%%MatrixMarket matrix array real symmetric\n2 2\n1\n2\n", 4, "too few", false},
      {"%%MatrixMarket matrix coordinate real general\r\n% c\r\n2 2 1\r\n\r\n1 x 1\r\n", 5, "column index", false},
  };
  static_assert(sizeof(cases) / sizeof(cases[0]) >= 15);
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT("contents: " << c.contents) {
      const TempFile file(c.contents);
      const auto check = [&](auto&& read) {
        try {
          read(file.path());
          BOOST_ERROR("no ParseError");
        } catch (const ParseError& e) {
          const std::string what = e.what();
          BOOST_TEST(e.line() == c.line);
          BOOST_TEST(e.file() == file.path().string());
          BOOST_TEST(what.find(file.path().string() + ":" + std::to_string(c.line) + ":") != std::string::npos,
                     what);
          BOOST_TEST(what.find(c.key) != std::string::npos, what);
        }
      };
      check([](const std::filesystem::path& p) { read_matrix_market(p); });
      check([](const std::filesystem::path& p) { read_matrix_market_dense(p); });
      if (c.in_header) check([](const std::filesystem::path& p) { read_matrix_market_header(p); });
    }
  }
}

BOOST_AUTO_TEST_CASE(unreadable_files_are_io_errors) {
  const auto missing = std::filesystem::temp_directory_path() / "frechet_no_such_matrix.mtx";
  for (const auto& path : {missing, std::filesystem::temp_directory_path()}) {
    BOOST_TEST_CONTEXT(path) {
      BOOST_CHECK_THROW(read_matrix_market(path), IoError);
      BOOST_CHECK_THROW(read_matrix_market_dense(path), IoError);
      BOOST_CHECK_THROW(read_matrix_market_header(path), IoError);
      try {
        read_matrix_market(path);
      } catch (const IoError& e) {
        BOOST_TEST(std::string(e.what()).find(path.string()) != std::string::npos);
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
