// frechet-laplacian: writes the finite-difference Laplacian of a 2D or 3D grid as Matrix Market,
// the generated test problem of `./run demo`.
#include <cstdio>
#include <string>

#include "cli_main.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/linop/matrix_market.hpp"

namespace {

// "200x200" -> {200, 200}; "50x50x50" -> {50, 50, 50}.
std::vector<std::size_t> parse_grid(const std::string& text) {
  std::vector<std::size_t> dims;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t next = text.find('x', pos);
    const std::string part = text.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    std::size_t used = 0;
    long long value = 0;
    try {
      value = std::stoll(part, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != part.size() || part.empty() || value <= 0) {
      throw frechet::ArgumentError("--grid: expected positive sizes like 200x200 or 50x50x50, got '" + text + "'");
    }
    dims.push_back(static_cast<std::size_t>(value));
    if (next == std::string::npos) break;
    pos = next + 1;
  }
  if (dims.size() != 2 && dims.size() != 3) {
    throw frechet::ArgumentError("--grid: expected 2 or 3 sizes, got '" + text + "'");
  }
  return dims;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Write the 5-point (2D) or 7-point (3D) Laplacian of a grid (frechet::laplacian_2d, "
               "frechet::laplacian_3d) as a Matrix Market file.",
               "frechet-laplacian");
  std::string grid;
  std::string out;
  app.add_option("--grid", grid, "interior grid points, NXxNY or NXxNYxNZ")->required();
  app.add_option("--out", out, "the Matrix Market file to write")->required();
  return frechet::apps::run_cli(app, argc, argv, [&] {
    const auto dims = parse_grid(grid);
    const frechet::CsrMatrix a = dims.size() == 2 ? frechet::laplacian_2d(dims[0], dims[1])
                                                  : frechet::laplacian_3d(dims[0], dims[1], dims[2]);
    const std::string comment = "frechet-laplacian --grid " + grid + ": " + std::to_string(dims.size()) +
                                "D finite-difference Laplacian, zero Dirichlet boundary, unscaled";
    frechet::write_matrix_market(out, a, frechet::MatrixMarketSymmetry::symmetric, comment);
    std::printf("wrote %s: %zu x %zu Laplacian of a %s grid, %zu nonzeros\n", out.c_str(), a.rows(), a.cols(),
                grid.c_str(), a.nnz());
    return 0;
  });
}
