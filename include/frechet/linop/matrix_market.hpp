#pragma once
/// \file
/// Reading and writing Matrix Market files (the NIST text format of the Matrix Market and the
/// SuiteSparse Matrix Collection): `coordinate` (sparse) and `array` (dense) matrices with `real`,
/// `integer` or `pattern` values and `general`, `symmetric` or `skew-symmetric` storage.
/// Reference: R. F. Boisvert, R. Pozo, K. Remington, "The Matrix Market Exchange Formats: Initial
/// Design", NISTIR 5935, 1996.

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "frechet/core/dense_matrix.hpp"
#include "frechet/linop/csr_matrix.hpp"

namespace frechet {

/// How the entries are listed: `coordinate` gives "i j value" per nonzero, `array` gives every value
/// column after column.
enum class MatrixMarketFormat { coordinate, array };

/// The type of the values: `pattern` files have no values (each listed entry is 1.0); `integer`
/// values are read as doubles. Complex files are rejected.
enum class MatrixMarketField { real, integer, pattern };

/// Which entries are stored: all of them, or only the lower triangle of a matrix with A_ji = A_ij
/// (`symmetric`) or A_ji = -A_ij and a zero diagonal (`skew_symmetric`). Hermitian files are rejected.
enum class MatrixMarketSymmetry { general, symmetric, skew_symmetric };

/// The banner and size line of a Matrix Market file.
struct MatrixMarketHeader {
  MatrixMarketFormat format = MatrixMarketFormat::coordinate;
  MatrixMarketField field = MatrixMarketField::real;
  MatrixMarketSymmetry symmetry = MatrixMarketSymmetry::general;
  std::size_t rows = 0;
  std::size_t cols = 0;
  /// Entries stored in the file: the count on a coordinate size line (one triangle only for
  /// symmetric storage); for an array file, the number of values it lists (m n, n(n+1)/2 or n(n-1)/2).
  std::size_t entries = 0;
};

/// The word the banner uses: "coordinate", "array".
std::string to_string(MatrixMarketFormat format);
/// The word the banner uses: "real", "integer", "pattern".
std::string to_string(MatrixMarketField field);
/// The word the banner uses: "general", "symmetric", "skew-symmetric".
std::string to_string(MatrixMarketSymmetry symmetry);

/// A sparse matrix read from a file, with the header it was read from.
struct SparseMatrixFile {
  MatrixMarketHeader header;
  CsrMatrix matrix;
};

/// Reads any Matrix Market matrix into CSR form. Symmetric and skew-symmetric storage is expanded to
/// the full matrix (a symmetric file gives traits().symmetric = true); duplicate coordinate entries are
/// summed; explicit zeros of a coordinate file are kept (except on a skew-symmetric diagonal), zeros of
/// an array file are dropped. Values below the normal range read as strtod reads them (a subnormal
/// or zero).
/// Throws IoError if the file cannot be read and ParseError (file, 1-based line, what) if it is
/// malformed, including non-finite values, indices outside the declared size, duplicates that sum
/// past the double range, and a symmetric file that lists both A(i, j) and A(j, i). What the header
/// may make it allocate is bounded by what the file can hold: more than max(2^20, B) rows or columns,
/// B the bytes after the size line, is refused before anything is allocated. An input without a
/// size (a pipe, a device) is read only while it can still be a Matrix Market file.
SparseMatrixFile read_matrix_market(const std::filesystem::path& file);

/// Reads only the banner and the size line (the rest of the file is not read), with the same errors;
/// a header line over 1 MiB is a ParseError.
MatrixMarketHeader read_matrix_market_header(const std::filesystem::path& file);

/// Reads any Matrix Market matrix into a dense matrix (right-hand sides, small matrices), expanding
/// symmetric storage and summing duplicates. Same errors as read_matrix_market; in addition, more
/// than max(2^22, B + 1) elements is refused before the matrix is allocated.
DenseMatrix read_matrix_market_dense(const std::filesystem::path& file);

/// Writes `a` as a real coordinate file, values printed "%.17g" so that reading gives back the same
/// doubles. `storage` symmetric (skew_symmetric) writes the lower (strictly lower) triangle and
/// throws ArgumentError unless A_ji = A_ij (A_ji = -A_ij) exactly. Each line of `comment` becomes a
/// "%" line. Throws NonFiniteError for a NaN or infinite value and IoError if the file cannot be written.
void write_matrix_market(const std::filesystem::path& file, const CsrMatrix& a,
                         MatrixMarketSymmetry storage = MatrixMarketSymmetry::general,
                         std::string_view comment = {});

/// Writes `a` as a real general array file (every value, column after column, "%.17g"). Same errors as
/// the sparse writer.
void write_matrix_market(const std::filesystem::path& file, const DenseMatrix& a,
                         std::string_view comment = {});

}  // namespace frechet
