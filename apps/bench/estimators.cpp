// estimators: the stochastic estimators' time per operator product against the bare product, on the
// 3D Laplacian in CSR (default 100^3 = 10^6 unknowns). Each estimator spends its products on the
// operator and the rest on probes, dot products, orthogonalization (Hutch++'s QR, Lanczos' full
// reorthogonalization) and small dense work; ratio_to_product is its time per product over one
// product timed alone in the same run, so 1 means the estimator adds nothing to its products. Medians
// of --repeats calls, one thread and all cores.

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "frechet/krylov/hutchinson.hpp"
#include "frechet/krylov/hutchpp.hpp"
#include "frechet/krylov/stochastic_lanczos_quadrature.hpp"
#include "frechet/linop/laplacian.hpp"

namespace {

using frechet::Vector;
using namespace frechet::bench;

struct Estimator {
  std::string name;
  int products;  // operator products per call
  std::function<double()> run;  // returns the estimate
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Stochastic trace estimators: time per operator product against the product alone", "estimators"};
  int grid = 100, repeats = 5;
  bool json = false;
  app.add_option("--grid", grid, "edge of the 3D Laplacian grid (100: 10^6 unknowns)")->check(CLI::Range(2, 400));
  app.add_option("--repeats", repeats, "timed calls of each estimator (the median is reported)")->check(CLI::PositiveNumber);
  app.add_flag("--json", json, "print one JSON object and nothing else");
  CLI11_PARSE(app, argc, argv);

  const frechet::CsrMatrix a = frechet::laplacian_3d(grid, grid, grid);
  const std::vector<Estimator> estimators{
      {"hutchinson_trace", 30, [&] { return frechet::hutchinson_trace(a, {.probes = 30, .seed = 1}).estimate; }},
      {"hutchinson_diagonal", 30, [&] { return frechet::hutchinson_diagonal(a, {.probes = 30, .seed = 1}).diagonal[0]; }},
      {"hutchpp_trace", 30, [&] { return frechet::hutchpp_trace(a, {.operator_products = 30, .seed = 1}).estimate; }},
      {"lanczos_quadrature_log_determinant", 10 * 30,
       [&] { return frechet::lanczos_quadrature_log_determinant(a, {.probes = 10, .lanczos_steps = 30, .seed = 1}).estimate; }},
  };

  nlohmann::json report = json_report("estimators");
  std::vector<int> thread_counts{1};
  if (all_cores() > 1) thread_counts.push_back(all_cores());
  if (!json) std::printf("%-36s %8s %3s %9s %12s %12s %9s\n", "estimator", "n", "thr", "products", "ms/call", "ms/product", "/product");
  for (const int threads : thread_counts) {
    set_threads(threads);
    Vector x(a.cols(), 1.0), y(a.rows(), 0.0);
    const double product = median_seconds([&] { a.apply(x, y); keep(y[0]); }, 0.5);
    report["cases"].push_back({{"name", "product"}, {"n", a.rows()}, {"threads", threads}, {"seconds", product}});
    if (!json) std::printf("%-36s %8zu %3d %9d %12.3f %12.3f %9.2f\n", "product alone", a.rows(), threads, 1, 1e3 * product,
                           1e3 * product, 1.0);
    for (const Estimator& e : estimators) {
      double estimate = 0.0;
      const double seconds = median_of_calls([&] { estimate = e.run(); keep(estimate); }, repeats);
      const double per_product = seconds / e.products;
      report["cases"].push_back({{"name", e.name},
                                 {"n", a.rows()},
                                 {"threads", threads},
                                 {"operator_products", e.products},
                                 {"seconds", seconds},
                                 {"estimate", estimate},
                                 {"ratio_to_product", per_product / product}});
      if (!json) std::printf("%-36s %8zu %3d %9d %12.3f %12.3f %9.2f\n", e.name.c_str(), a.rows(), threads, e.products,
                             1e3 * seconds, 1e3 * per_product, per_product / product);
    }
  }
  if (json) std::printf("%s\n", report.dump(2).c_str());
  return 0;
}
