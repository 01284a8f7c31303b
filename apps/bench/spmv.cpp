// spmv: the sparse matrix-vector product y = A x of CsrMatrix, in effective GB/s next to a STREAM
// triad measured in the same run with the same threads, on one thread and on all cores; optionally
// against Eigen's SparseMatrix<double, RowMajor, int> * VectorXd on the same arrays.
//
// Effective bytes of one product: 12 per stored entry (value and column index), 16 per row (x and y)
// and 4 per row (row offset), whatever the layout actually moves, so that a layout that streams less
// shows up as a higher rate. The triad a = b + s c counts 24 bytes per element, as STREAM does.
//
// It reports the layout the matrix chose (CsrMatrix::layout) and can force one with --layout
// (CsrMatrix::with_layout), which is how doc/benchmarks.md justifies the automatic choice.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#ifdef FRECHET_EIGEN_PEER
#include <Eigen/Core>
#include <Eigen/SparseCore>
#endif

#include "bench_support.hpp"
#include "frechet/core/error.hpp"
#include "frechet/core/random.hpp"
#include "frechet/linop/csr_matrix.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/linop/matrix_market.hpp"

namespace {

using frechet::CsrMatrix;
using frechet::SparseIndex;
using frechet::Vector;
using namespace frechet::bench;

// STREAM triad a = b + s c on arrays far larger than the last-level cache, first touched by the
// threads that use them. Returns GB/s at 24 bytes per element.
double triad_gbps(std::size_t n, double budget) {
  const std::unique_ptr<double[]> a(new double[n]), b(new double[n]), c(new double[n]);
  double* pa = a.get();
  double* pb = b.get();
  double* pc = c.get();
  const auto len = static_cast<std::ptrdiff_t>(n);
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
  for (std::ptrdiff_t i = 0; i < len; ++i) {
    pa[i] = 0.0;
    pb[i] = 1.0;
    pc[i] = 2.0;
  }
  const double s = 3.0;
  const double t = median_seconds(
      [&] {
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
        for (std::ptrdiff_t i = 0; i < len; ++i) pa[i] = pb[i] + s * pc[i];
      },
      budget);
  if (pa[n / 2] != 7.0) throw frechet::NumericalError("spmv: the triad computed a wrong value");
  return 24.0 * static_cast<double>(n) / t * 1e-9;
}

struct Case {
  std::string name;
  CsrMatrix matrix;
};

struct Row {
  std::string name;
  std::size_t rows, nnz;
  std::string layout;
  double plan_ratio;  // bytes the layout holds besides the CSR arrays, over the CSR arrays' bytes
  int threads;
  double seconds, gbps, triad;
  std::optional<double> eigen_gbps;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"SpMV y = A x of frechet's CsrMatrix: effective GB/s against a STREAM triad of the same run"};
  std::string matrix_dir = FRECHET_DEFAULT_MATRIX_DIR;
  if (const char* env = std::getenv("FRECHET_MATRIX_DIR"); env != nullptr && *env != '\0') matrix_dir = env;
  std::vector<std::string> names{"bcsstk16", "bayer10", "bcsstk13", "ani4"};
  std::vector<std::size_t> grids{100, 216};
  std::string layout_name = "auto";
  bool json = false;
  int threads_all = all_cores();
  double budget = 1.0;
  app.add_option("--matrix-dir", matrix_dir, "Folder of Matrix Market files (default: the build's matrix_dir or $FRECHET_MATRIX_DIR)");
  app.add_option("--matrices", names, "Matrix files to read from the folder, without .mtx");
  app.add_option("--grids", grids, "Edge lengths n of the generated n^3 7-point Laplacians");
  app.add_option("--layout", layout_name, "Force a kernel layout instead of the automatic choice")
      ->check(CLI::IsMember({"auto", "csr", "sell", "dia"}));
  app.add_option("--threads", threads_all, "Thread count of the all-core runs")->check(CLI::PositiveNumber);
  app.add_option("--budget", budget, "Seconds per timing (reps are chosen from it, 7 to 50)")->check(CLI::PositiveNumber);
  app.add_flag("--json", json, "Print one JSON object instead of the table");
  CLI11_PARSE(app, argc, argv);

  try {
    std::vector<Case> cases;
    std::vector<std::string> notes;
    for (const std::string& name : names) {
      const std::filesystem::path path = std::filesystem::path(matrix_dir) / (name + ".mtx");
      if (matrix_dir.empty() || !std::filesystem::exists(path)) {
        notes.push_back("skipped " + name + ": " + (matrix_dir.empty() ? "no matrix folder" : path.string() + " not found"));
        continue;
      }
      cases.push_back({name, frechet::read_matrix_market(path).matrix});
    }
    for (std::size_t n : grids)
      cases.push_back({"laplacian_3d_" + std::to_string(n) + "^3", frechet::laplacian_3d(n, n, n)});

    std::vector<int> thread_counts{1};
    if (threads_all > 1) thread_counts.push_back(threads_all);
    // 3 x 16M doubles = 384 MB, far beyond the 32 MB of L3 cache of the machines we measure on.
    const std::size_t triad_n = std::size_t{1} << 24;
    std::vector<double> triad;
    for (int threads : thread_counts) {
      set_threads(threads);
      triad.push_back(triad_gbps(triad_n, budget));
    }

    std::vector<Row> rows;
    for (Case& c : cases) {
      if (layout_name != "auto") c.matrix = c.matrix.with_layout(layout_name);
      const CsrMatrix& a = c.matrix;
      const double bytes = 12.0 * static_cast<double>(a.nnz()) + 20.0 * static_cast<double>(a.rows());
      const double csr_bytes = 12.0 * static_cast<double>(a.nnz()) + 4.0 * static_cast<double>(a.rows() + 1);
      frechet::Random rng(1);
      const Vector x = rng.gaussian_vector(a.cols());
      Vector y(a.rows());
#ifdef FRECHET_EIGEN_PEER
      // Eigen reads the very same arrays: a map, not a copy.
      const Eigen::Map<const Eigen::SparseMatrix<double, Eigen::RowMajor, int>> ea(
          static_cast<Eigen::Index>(a.rows()), static_cast<Eigen::Index>(a.cols()), static_cast<Eigen::Index>(a.nnz()),
          a.row_offsets().data(), a.col_indices().data(), a.values().data());
      const Eigen::Map<const Eigen::VectorXd> ex(x.data(), static_cast<Eigen::Index>(x.size()));
      Eigen::VectorXd ey(static_cast<Eigen::Index>(a.rows()));
#endif
      for (std::size_t k = 0; k < thread_counts.size(); ++k) {
        set_threads(thread_counts[k]);
        const double t = median_seconds([&] { a.apply(x, y); }, budget);
        Row row{c.name, a.rows(), a.nnz(), std::string(a.layout()),
                static_cast<double>(a.layout_bytes()) / csr_bytes, thread_counts[k], t, bytes / t * 1e-9, triad[k],
                std::nullopt};
#ifdef FRECHET_EIGEN_PEER
        const double te = median_seconds([&] { ey.noalias() = ea * ex; }, budget);
        double diff = 0.0, scale = 0.0;
        for (std::size_t i = 0; i < y.size(); ++i) {
          diff = std::max(diff, std::abs(y[i] - ey[static_cast<Eigen::Index>(i)]));
          scale = std::max(scale, std::abs(ey[static_cast<Eigen::Index>(i)]));
        }
        if (diff > 1e-12 * scale) throw frechet::NumericalError("spmv: frechet and Eigen disagree on " + c.name);
        row.eigen_gbps = bytes / te * 1e-9;
#endif
        rows.push_back(row);
      }
    }

    if (json) {
      nlohmann::json out = frechet::bench::json_report("spmv");
      for (const Row& r : rows) {
        nlohmann::json j{{"name", r.name},     {"threads", r.threads},         {"rows", r.rows},
                         {"nnz", r.nnz},       {"layout", r.layout},           {"layout_bytes_over_csr", r.plan_ratio},           {"seconds", r.seconds},
                         {"gbps", r.gbps},     {"triad_gbps", r.triad},        {"ratio_spmv_to_triad", r.gbps / r.triad}};
        if (r.eigen_gbps) {
          j["eigen_gbps"] = *r.eigen_gbps;
          j["ratio_frechet_to_eigen"] = r.gbps / *r.eigen_gbps;
        }
        out["cases"].push_back(j);
      }
      frechet::bench::print_json(out);
      return 0;
    }
    std::printf("SpMV y = A x, effective GB/s = (12 nnz + 20 rows) bytes / median time; triad = a[i] = b[i] + s c[i], 24 bytes/element\n");
    std::printf("ratios compare rates of the same run: spmv/triad, and frechet/eigen (> 1: frechet is faster);\n");
    std::printf("+mem = bytes the layout holds besides the CSR arrays / bytes of the CSR arrays\n\n");
    std::printf("%-22s %9s %10s %6s %5s %3s %10s %8s %8s %7s", "case", "rows", "nnz", "layout", "+mem", "thr",
                "median_ms", "GB/s", "triad", "/triad");
#ifdef FRECHET_EIGEN_PEER
    std::printf(" %8s %8s", "eigen", "/eigen");
#endif
    std::printf("\n");
    for (const Row& r : rows) {
      std::printf("%-22s %9zu %10zu %6s %5.2f %3d %10.4f %8.2f %8.2f %7.2f", r.name.c_str(), r.rows, r.nnz,
                  r.layout.c_str(), r.plan_ratio, r.threads, r.seconds * 1e3, r.gbps, r.triad, r.gbps / r.triad);
      if (r.eigen_gbps) std::printf(" %8.2f %8.2f", *r.eigen_gbps, r.gbps / *r.eigen_gbps);
      std::printf("\n");
    }
    for (const std::string& note : notes) std::printf("note: %s\n", note.c_str());
    // Other processes on the cores distort the all-core figures most: say how busy the machine was.
    if (std::ifstream load("/proc/loadavg"); load) {
      double one_minute = 0.0;
      load >> one_minute;
      std::printf("load average (1 min) at the end of the run: %.2f on %d cores\n", one_minute, all_cores());
    }
  } catch (const frechet::Error& e) {
    std::fprintf(stderr, "spmv: %s\n", e.what());
    return 1;
  }
  return 0;
}
