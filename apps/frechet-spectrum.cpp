// frechet-spectrum: the trace of a symmetric matrix, exactly or by a stochastic estimator, and its
// largest eigenvalues by Lanczos.
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <string>

#include "cli_main.hpp"
#include "frechet/krylov/hutchinson.hpp"
#include "frechet/krylov/hutchpp.hpp"
#include "frechet/krylov/lanczos.hpp"
#include "frechet/linop/matrix_market.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Options {
  std::string matrix;
  std::string trace = "hutchpp";
  int operator_products = 102;
  std::uint64_t seed = 0;
  int eigs = 0;
  bool json = false;
};

double exact_trace(const frechet::CsrMatrix& a) {
  double t = 0.0;
  for (double d : a.diagonal()) t += d;
  return t;
}

nlohmann::json trace_report(const Options& o, const frechet::CsrMatrix& a) {
  const auto start = Clock::now();
  nlohmann::json r{{"method", o.trace}, {"exact", exact_trace(a)}};
  if (o.trace == "exact") {
    r["estimate"] = r["exact"];
    r["standard_error"] = 0.0;
    r["operator_products"] = 0;
  } else {
    const frechet::TraceResult e =
        o.trace == "hutchinson"
            ? frechet::hutchinson_trace(a, {.probes = o.operator_products, .seed = o.seed})
            : frechet::hutchpp_trace(a, {.operator_products = o.operator_products, .seed = o.seed});
    r["estimate"] = e.estimate;
    r["standard_error"] = e.standard_error;
    r["operator_products"] = e.operator_products;
    r["relative_error"] = std::abs(e.estimate - r["exact"].get<double>()) / std::abs(r["exact"].get<double>());
  }
  r["seconds"] = seconds_since(start);
  return r;
}

nlohmann::json eigen_report(const Options& o, const frechet::CsrMatrix& a) {
  const auto start = Clock::now();
  const frechet::LanczosResult l = frechet::lanczos(a, {.count = o.eigs, .seed = o.seed});
  return {{"count", o.eigs},
          {"eigenvalues", l.eigenvalues},
          {"residual_norms", l.residual_norms},
          {"operator_products", l.operator_products},
          {"converged", l.converged},
          {"seconds", seconds_since(start)}};
}

void print_text(const nlohmann::json& r) {
  std::printf("matrix       %s (%zu x %zu, %zu nonzeros)\n", r["matrix"].get<std::string>().c_str(),
              r["rows"].get<std::size_t>(), r["cols"].get<std::size_t>(), r["nnz"].get<std::size_t>());
  const auto& t = r["trace"];
  std::printf("trace        %.10g by %s (%d products)", t["estimate"].get<double>(),
              t["method"].get<std::string>().c_str(), t["operator_products"].get<int>());
  if (t.contains("relative_error")) {
    std::printf(", standard error %.3g; exact %.10g, relative error %.2e", t["standard_error"].get<double>(),
                t["exact"].get<double>(), t["relative_error"].get<double>());
  }
  std::printf("\n");
  if (!r.contains("eigenvalues")) return;
  const auto& e = r["eigenvalues"];
  std::printf("eigenvalues  %d largest by Lanczos (%d products, %s):\n", e["count"].get<int>(),
              e["operator_products"].get<int>(), e["converged"].get<bool>() ? "converged" : "NOT converged");
  for (std::size_t j = 0; j < e["eigenvalues"].size(); ++j) {
    std::printf("  %3zu  %.15g   (residual %.2e)\n", j + 1, e["eigenvalues"][j].get<double>(),
                e["residual_norms"][j].get<double>());
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app("Estimate the trace of a square matrix and compute its largest eigenvalues.", "frechet-spectrum");
  frechet::apps::show_defaults(app);
  Options o;
  app.add_option("MATRIX", o.matrix, "a Matrix Market file (.mtx)")->required();
  app.add_option("--trace", o.trace, "exact, hutchinson or hutchpp")
      ->check(CLI::IsMember({"exact", "hutchinson", "hutchpp"}));
  app.add_option("--operator-products", o.operator_products, "products with A the estimator may use")
      ->check(frechet::apps::positive());
  // non_negative() first: CLI11 would read "-1" into the unsigned seed as 2^64 - 1.
  app.add_option("--seed", o.seed, "seed of the random probes and of the Lanczos start vector")
      ->check(frechet::apps::non_negative());
  app.add_option("--eigs", o.eigs, "number of largest eigenvalues by Lanczos (the matrix must be symmetric)")
      ->check(frechet::apps::non_negative());
  app.add_flag("--json", o.json, "print one JSON object instead of text");
  frechet::apps::add_threads_option(app);
  return frechet::apps::run_cli(app, argc, argv, [&] {
    const frechet::SparseMatrixFile file = frechet::read_matrix_market(o.matrix);
    const frechet::CsrMatrix& a = file.matrix;
    if (a.rows() != a.cols()) {
      throw frechet::ShapeError("MATRIX " + o.matrix + ": a trace needs a square matrix, got " +
                                std::to_string(a.rows()) + " x " + std::to_string(a.cols()));
    }
    nlohmann::json r{{"matrix", o.matrix}, {"rows", a.rows()}, {"cols", a.cols()}, {"nnz", a.nnz()},
                     {"seed", o.seed}};
    r["trace"] = trace_report(o, a);
    if (o.eigs > 0) r["eigenvalues"] = eigen_report(o, a);
    if (o.json) {
      std::printf("%s\n", r.dump().c_str());
    } else {
      print_text(r);
    }
    return 0;
  });
}
