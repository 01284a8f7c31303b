// libFuzzer target: the Matrix Market readers on arbitrary bytes. Every input must either read or
// throw a frechet::Error (ParseError for a malformed file); a crash, a sanitizer report, an
// allocation past libFuzzer's -rss_limit_mb or a matrix that disagrees with its header is a bug.
// A file that reads is also written back and read again, which must give the same matrix.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "frechet/core/error.hpp"
#include "frechet/linop/matrix_market.hpp"

namespace {

// The readers take a path: each input goes through one file of this process.
const std::filesystem::path& scratch_file(const char* name) {
  static const std::filesystem::path dir = std::filesystem::temp_directory_path();
  static const std::filesystem::path in = dir / ("frechet_fuzz_mm_" + std::to_string(::getpid()) + ".mtx");
  static const std::filesystem::path out = dir / ("frechet_fuzz_mm_" + std::to_string(::getpid()) + "_out.mtx");
  return std::string(name) == "in" ? in : out;
}

void require(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path& path = scratch_file("in");
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    const frechet::MatrixMarketHeader h = frechet::read_matrix_market_header(path);
    const frechet::SparseMatrixFile file = frechet::read_matrix_market(path);
    require(file.matrix.rows() == h.rows && file.matrix.cols() == h.cols);
    const frechet::DenseMatrix dense = frechet::read_matrix_market_dense(path);
    require(dense.rows() == h.rows && dense.cols() == h.cols);
    // Round trip: the writer prints the shortest exact digits, so the matrix reads back unchanged.
    frechet::write_matrix_market(scratch_file("out"), file.matrix);
    const frechet::CsrMatrix again = frechet::read_matrix_market(scratch_file("out")).matrix;
    require(again.nnz() == file.matrix.nnz());
    for (std::size_t k = 0; k < again.nnz(); ++k) require(again.values()[k] == file.matrix.values()[k]);
  } catch (const frechet::Error&) {
    // A refusal with a message: what the reader must do with a malformed file.
  }
  return 0;
}
