// Benchmark of the differentiation layer: the cost of a gradient and of a Hessian-vector product
// relative to the plain double function, compiled with the same flags and timed in the same run.
//   (a) extended Rosenbrock, n = 10^6, written with scalar operations (named temporaries and `auto`
//       temporaries);
//   (b) the same function written with vector operations;
//   (c) a two-layer MLP loss on a 1000 x 100 batch written with matrix operations.
// Each figure is the median of repeated timings. --json prints {"benchmark": "ad", "cases": [...]}.

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "frechet/ad/ad.hpp"
#include "frechet/core/random.hpp"

#ifdef FRECHET_ADOLC_PEER
#include <adolc/adolc.h>
#endif

using namespace frechet;

namespace {

// ---- the functions, each written once ------------------------------------------------------------

template <class V> scalar_t<V> rosenbrock_scalar(const V& x) {
  using T = scalar_t<V>;
  T f = 0.0;
  for (std::size_t i = 0; i + 1 < x.size(); i += 2) {
    const T a = x[i + 1] - x[i] * x[i];
    const T b = 1.0 - x[i];
    f += 100.0 * a * a + b * b;
  }
  return f;
}

template <class V> scalar_t<V> rosenbrock_auto(const V& x) {
  scalar_t<V> f = 0.0;
  for (std::size_t i = 0; i + 1 < x.size(); i += 2) {
    const auto a = x[i + 1] - x[i] * x[i];
    const auto b = 1.0 - x[i];
    f += 100.0 * a * a + b * b;
  }
  return f;
}

template <class V> auto rosenbrock_vector(const V& x) {
  const std::size_t half = x.size() / 2;
  const auto odd = frechet::slice(x, 0, half, 2);
  const auto even = frechet::slice(x, 1, half, 2);
  const auto a = even - frechet::square(odd);
  const auto b = 1.0 - odd;
  return 100.0 * frechet::dot(a, a) + frechet::dot(b, b);
}

struct MlpData {
  DenseMatrix x, y;
  std::size_t inputs, hidden, outputs;
};

// L = 0.5 / m ||tanh(X W1 + b1) W2 + b2 - Y||_F^2 with the parameters packed in one vector.
template <class V> auto mlp_loss(const MlpData& d, const V& theta) {
  const std::size_t n1 = d.inputs * d.hidden, n2 = d.hidden * d.outputs;
  const auto w1 = frechet::reshape(frechet::slice(theta, 0, n1), d.inputs, d.hidden);
  const auto b1 = frechet::slice(theta, n1, d.hidden);
  const auto w2 = frechet::reshape(frechet::slice(theta, n1 + d.hidden, n2), d.hidden, d.outputs);
  const auto b2 = frechet::slice(theta, n1 + d.hidden + n2, d.outputs);
  const auto h = frechet::tanh(frechet::broadcast_add(frechet::matmul(d.x, w1), b1));
  const auto r = frechet::broadcast_add(frechet::matmul(h, w2), b2) - d.y;
  return (0.5 / static_cast<double>(d.x.rows())) * frechet::sum(frechet::square(r));
}

double testing_relative(const Vector& a, const Vector& b) {
  double d = 0, s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    d = std::max(d, std::abs(a[i] - b[i]));
    s = std::max(s, std::abs(b[i]));
  }
  return d / std::max(s, 1e-300);
}

// An MLP with `layers` hidden tanh layers of width `width` on the same batch, parameters packed:
// its tape grows with the number of layers (nodes, activations), not with the number of weights.
template <class V> auto deep_mlp_loss(const DenseMatrix& x, const DenseMatrix& y, std::size_t layers,
                                      std::size_t width, const V& theta) {
  std::size_t at = 0, in = x.cols();
  auto h = frechet::tanh(frechet::matmul(x, frechet::reshape(frechet::slice(theta, 0, in * width), in, width)));
  at += in * width;
  for (std::size_t l = 1; l < layers; ++l) {
    h = frechet::tanh(frechet::matmul(h, frechet::reshape(frechet::slice(theta, at, width * width), width, width)));
    at += width * width;
  }
  const auto r = frechet::matmul(h, frechet::reshape(frechet::slice(theta, at, width * y.cols()), width, y.cols())) - y;
  return 0.5 * frechet::sum(frechet::square(r));
}

struct LayerStudy {
  std::size_t layers, width, weights, nodes, tape_bytes;
};

std::vector<LayerStudy> tape_by_layers(const DenseMatrix& x, const DenseMatrix& y) {
  std::vector<LayerStudy> out;
  for (auto [layers, width] : {std::pair<std::size_t, std::size_t>{1, 100}, {2, 100}, {4, 100}, {2, 50}, {2, 200}}) {
    const std::size_t weights = x.cols() * width + (layers - 1) * width * width + width * y.cols();
    Random rng(3);
    Vector theta = rng.gaussian_vector(weights);
    for (double& t : theta) t *= 0.05;
    Tape<> tape;
    const auto tv = tape.variable(theta);
    const TapeScalar<> l = deep_mlp_loss(x, y, layers, width, tv);
    tape.seed(l, 1.0);
    tape.backward();
    out.push_back({layers, width, weights, tape.node_count(), tape.memory_bytes()});
  }
  return out;
}

// The MLP loss written by hand with preallocated buffers: the cheapest plain f, for reference.
struct MlpHandwritten {
  const MlpData& d;
  DenseMatrix h, out;
  explicit MlpHandwritten(const MlpData& data)
      : d(data), h(data.x.rows(), data.hidden), out(data.x.rows(), data.outputs) {}
  double operator()(const Vector& theta) {
    const std::size_t n1 = d.inputs * d.hidden, n2 = d.hidden * d.outputs, m = d.x.rows();
    DenseMatrix w1(d.inputs, d.hidden), w2(d.hidden, d.outputs);
    std::copy(theta.begin(), theta.begin() + static_cast<std::ptrdiff_t>(n1), w1.data());
    std::copy(theta.begin() + static_cast<std::ptrdiff_t>(n1 + d.hidden),
              theta.begin() + static_cast<std::ptrdiff_t>(n1 + d.hidden + n2), w2.data());
    gemm(1.0, d.x, Transpose::no, w1, Transpose::no, 0.0, h);
    for (std::size_t j = 0; j < d.hidden; ++j)
      for (std::size_t i = 0; i < m; ++i) h(i, j) = std::tanh(h(i, j) + theta[n1 + j]);
    gemm(1.0, h, Transpose::no, w2, Transpose::no, 0.0, out);
    double s = 0.0;
    for (std::size_t j = 0; j < d.outputs; ++j)
      for (std::size_t i = 0; i < m; ++i) {
        const double r = out(i, j) + theta[n1 + d.hidden + n2 + j] - d.y(i, j);
        s += r * r;
      }
    return 0.5 / static_cast<double>(m) * s;
  }
};

// ---- timing -----------------------------------------------------------------------------------

// A limit for case (a): frechet's tape layout (operands as an array of 4-byte indices and an array
// of partials, one adjoint array, the accumulation f += ... as one statement), filled by a
// hand-written loop that knows the function: x read in place, the two partials of each pair written
// directly, the reverse pass one loop over the operands, the gradient handed over by exchanging
// arrays as Tape::take_adjoint does. What an operator-overloading tape with this layout could at
// best cost.
struct HandWrittenTape {
  Vector adjoints;
  std::vector<std::uint32_t> index;
  Vector partial;

  bench::Clock::time_point marks[5];  // the phases of the last call

  void gradient(const Vector& x, Vector& g) {
    marks[0] = bench::Clock::now();
    const std::size_t n = x.size(), pairs = n / 2;
    adjoints.resize(n + 1, 0.0);
    index.resize(2 * pairs);
    partial.resize(2 * pairs);
    marks[1] = bench::Clock::now();
    double f = 0.0;
    for (std::size_t p = 0; p < pairs; ++p) {
      const double x0 = x[2 * p], x1 = x[2 * p + 1];
      const double a = x1 - x0 * x0, b = 1.0 - x0;
      f += 100.0 * a * a + b * b;
      index[2 * p] = static_cast<std::uint32_t>(2 * p + 1);
      partial[2 * p] = 200.0 * a;
      index[2 * p + 1] = static_cast<std::uint32_t>(2 * p);
      partial[2 * p + 1] = -400.0 * a * x0 - 2.0 * b;
    }
    marks[2] = bench::Clock::now();
    adjoints[n] = 1.0;  // the seed of f, whose statement is the whole accumulation
    const double a = adjoints[n];
    adjoints[n] = 0.0;
    for (std::size_t k = 2 * pairs; k-- > 0;) adjoints[index[k]] += partial[k] * a;
    marks[3] = bench::Clock::now();
    const std::size_t length = adjoints.size();
    std::swap(adjoints, g);
    g.resize(n);
    adjoints.assign(length, 0.0);
    marks[4] = bench::Clock::now();
    bench::keep(f);
  }
};

#ifdef FRECHET_ADOLC_PEER
// ADOL-C's taped gradient of the same scalar template on adouble: trace (buffers large enough to
// keep the tape in memory, no tape files) and one gradient() call, per evaluation, as ours.
double adolc_gradient_seconds(const Vector& x, int repeats, Vector& g) {
  const int n = static_cast<int>(x.size());
  const unsigned big = 1u << 26;
  g.assign(x.size(), 0.0);
  return bench::median_of_calls(
      [&] {
        trace_on(1, 0, big, big, big, big);
        std::vector<adouble> ax(x.size());
        for (std::size_t i = 0; i < x.size(); ++i) ax[i] <<= x[i];
        adouble f = rosenbrock_scalar(ax);
        double y = 0.0;
        f >>= y;
        trace_off();
        gradient(1, n, x.data(), g.data());
      },
      repeats);
}
#endif

// Where a gradient's time goes on a reused tape: taking x (a view: nearly nothing), recording f,
// the reverse pass, and handing the adjoint out (medians of separately timed phases).
struct Phases {
  double copy_in = 0, record = 0, reverse = 0, read_out = 0;
};

// The median of each phase's timings.
Phases phase_medians(const std::vector<double> (&t)[4]) {
  return {bench::median(t[0]), bench::median(t[1]), bench::median(t[2]), bench::median(t[3])};
}

TapeVector<> view_of(Tape<>& tape, const Vector& x) { return tape.variable_view(x); }
TapeVector<Dual<double>> view_of(Tape<Dual<double>>& tape, const DualVector<double>& x) {
  return tape.variable_view(x.value, x.tangent);
}

template <class S, class X, class F> Phases time_phases(F f, const X& x, int repeats) {
  Tape<S> tape;
  VectorOf<S> out;
  std::vector<double> t[4];
  double sink = 0;
  for (int r = 0; r <= repeats; ++r) {
    const auto t0 = bench::Clock::now();
    tape.clear();
    const auto xv = view_of(tape, x);
    const auto t1 = bench::Clock::now();
    const TapeScalar<S> y = f(xv);
    const auto t2 = bench::Clock::now();
    tape.seed(y, S(1.0));
    tape.backward();
    const auto t3 = bench::Clock::now();
    tape.take_adjoint(xv, out);
    const auto t4 = bench::Clock::now();
    sink += primal_value(y.value());
    if (r == 0) continue;  // warm-up
    const bench::Clock::time_point marks[5] = {t0, t1, t2, t3, t4};
    for (int k = 0; k < 4; ++k) t[k].push_back(bench::seconds_between(marks[k], marks[k + 1]));
  }
  bench::keep(sink);
  return phase_medians(t);
}

struct Case {
  std::string name, style;
  std::size_t n = 0;
  double f_seconds = 0, grad_seconds = 0, hvp_seconds = 0, grad_fresh_seconds = 0;
  std::size_t tape_bytes = 0, hvp_tape_bytes = 0, nodes = 0, statements = 0;
  double grad_error = 0;  // relative difference to a reference gradient, sanity only
  double f_reference_seconds = 0;  // the cheapest hand-written plain f (scalar loop / preallocated BLAS)
  double adolc_seconds = 0;        // ADOL-C's taped gradient, when built with -Dadolc_peer=enabled
  double hand_tape_seconds = 0;    // the hand-written tape of the same layout (case (a) only)
  Phases hand_tape_phases;
  Phases grad_phases, hvp_phases;  // scalar-style cases only
};

// Times f, the gradient on a reused tape and the HVP on a reused tape of duals (interleaved), then
// the gradient through grad() (a new tape each call), for a function of one vector.
template <class F, class Reference>
Case measure(const std::string& name, const std::string& style, F f, const Vector& x, int repeats,
             const Vector* reference_gradient, Reference reference_f) {
  Case c;
  c.name = name;
  c.style = style;
  c.n = x.size();
  double sink = 0;
  Tape<> tape;
  Vector g;
  Random rng(7);
  const Vector v = rng.gaussian_vector(x.size());
  Tape<Dual<double>> htape;
  const DualVector<double> xd(x, v);
  DualVector<double> gh;
  const std::vector<double> t = bench::interleaved_medians(
      {[&] { sink += f(x); },
       [&] {
         tape.clear();
         const auto xv = tape.variable_view(x);
         const TapeScalar<> y = f(xv);
         tape.seed(y, 1.0);
         tape.backward();
         tape.take_adjoint(xv, g);
       },
       [&] {
         htape.clear();
         const auto xv = htape.variable_view(x, v);
         const TapeScalar<Dual<double>> y = f(xv);
         htape.seed(y, Dual<double>(1.0));
         htape.backward();
         htape.take_adjoint(xv, gh);  // gh.value is the gradient, gh.tangent is H v
       },
       [&] { sink += reference_f(x); }},
      repeats);
  c.f_seconds = t[0];
  c.grad_seconds = t[1];
  c.hvp_seconds = t[2];
  c.f_reference_seconds = t[3];
  c.tape_bytes = tape.memory_bytes();
  c.hvp_tape_bytes = htape.memory_bytes();
  c.nodes = tape.node_count();
  c.statements = tape.statement_count();
  if (reference_gradient != nullptr) c.grad_error = testing_relative(g, *reference_gradient);
  c.grad_fresh_seconds = bench::median_of_calls([&] { g = grad(f, x); }, std::max(3, repeats / 4));
  if (style == "scalar") {
    c.grad_phases = time_phases<double>(f, x, repeats);
    c.hvp_phases = time_phases<Dual<double>>(f, xd, repeats);
  }
  bench::keep(sink);  // keeps f from being optimised away
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Cost of gradients and Hessian-vector products relative to the plain function"};
  bool json = false;
  int repeats = 21;
  std::size_t n = 1000000;
  app.add_flag("--json", json, "print one JSON object");
  app.add_option("--repeats", repeats, "timings per figure (the median is reported)")->check(CLI::PositiveNumber);
  app.add_option("--n", n, "Rosenbrock dimension (even)")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  n += n % 2;

  Random rng(1);
  Vector x(n);
  rng.fill_uniform(x, -1.0, 1.5);
  Vector reference(n, 0.0);
  for (std::size_t i = 0; i + 1 < n; i += 2) {
    const double a = x[i + 1] - x[i] * x[i];
    reference[i] = -400.0 * x[i] * a - 2.0 * (1.0 - x[i]);
    reference[i + 1] = 200.0 * a;
  }

  std::vector<Case> cases;
  // The reference f of the Rosenbrock cases is the scalar loop on doubles.
  const auto scalar_f = [](const Vector& v) { return rosenbrock_scalar(v); };
  cases.push_back(measure("rosenbrock_scalar", "scalar", [](const auto& v) { return rosenbrock_scalar(v); }, x,
                          repeats, &reference, scalar_f));
  cases.push_back(measure("rosenbrock_scalar_auto", "scalar", [](const auto& v) { return rosenbrock_auto(v); }, x,
                          repeats, &reference, scalar_f));
  cases.push_back(measure("rosenbrock_vector", "vector", [](const auto& v) { return rosenbrock_vector(v); }, x,
                          repeats, &reference, scalar_f));
  {
    HandWrittenTape hand;
    Vector g_hand;
    std::vector<double> t[4];
    cases[0].hand_tape_seconds = bench::median_of_calls(
        [&] {
          hand.gradient(x, g_hand);
          for (int k = 0; k < 4; ++k)
            t[k].push_back(bench::seconds_between(hand.marks[k], hand.marks[k + 1]));
        },
        repeats);
    cases[0].hand_tape_phases = phase_medians(t);
    if (testing_relative(g_hand, reference) > 1e-12) std::fprintf(stderr, "hand-written tape gradient disagrees\n");
  }
#ifdef FRECHET_ADOLC_PEER
  {
    Vector g_adolc;
    cases[0].adolc_seconds = adolc_gradient_seconds(x, std::max(3, repeats / 4), g_adolc);
    if (testing_relative(g_adolc, reference) > 1e-12) std::fprintf(stderr, "ADOL-C gradient disagrees\n");
  }
#endif

  MlpData d{DenseMatrix(1000, 100), DenseMatrix(1000, 10), 100, 100, 10};
  rng.fill_gaussian(d.x.values());
  rng.fill_gaussian(d.y.values());
  Vector theta(d.inputs * d.hidden + d.hidden + d.hidden * d.outputs + d.outputs);
  rng.fill_gaussian(theta);
  for (double& t : theta) t *= 0.1;
  MlpHandwritten handwritten(d);
  if (std::abs(handwritten(theta) - mlp_loss(d, theta)) > 1e-12 * std::abs(mlp_loss(d, theta)))
    std::fprintf(stderr, "hand-written MLP loss disagrees with the templated one\n");
  cases.push_back(measure("mlp_1000x100", "vector", [&d](const auto& t) { return mlp_loss(d, t); }, theta,
                          repeats, nullptr, [&](const Vector& t) { return handwritten(t); }));

  const std::vector<LayerStudy> study = tape_by_layers(d.x, d.y);

  if (json) {
    nlohmann::json out = bench::json_report("ad");
    for (const Case& c : cases) {
      out["cases"].push_back({{"name", c.name},
                              {"style", c.style},
                              {"n", c.n},
                              {"f_ms", c.f_seconds * 1e3},
                              {"grad_ms", c.grad_seconds * 1e3},
                              {"hvp_ms", c.hvp_seconds * 1e3},
                              {"grad_fresh_tape_ms", c.grad_fresh_seconds * 1e3},
                              {"ratio_grad_to_f", c.grad_seconds / c.f_seconds},
                              {"ratio_hvp_to_f", c.hvp_seconds / c.f_seconds},
                              {"ratio_grad_fresh_tape_to_f", c.grad_fresh_seconds / c.f_seconds},
                              {"f_reference_ms", c.f_reference_seconds * 1e3},
                              {"ratio_grad_to_reference_f", c.grad_seconds / c.f_reference_seconds},
                              {"ratio_hvp_to_reference_f", c.hvp_seconds / c.f_reference_seconds},
                              {"tape_bytes", c.tape_bytes},
                              {"hvp_tape_bytes", c.hvp_tape_bytes},
                              {"tape_nodes", c.nodes},
                              {"tape_statements", c.statements},
                              {"gradient_error", c.grad_error}});
      if (c.style == "scalar") {
        const auto phases = [&](const Phases& p) {
          return nlohmann::json{{"copy_in_ms", p.copy_in * 1e3}, {"record_ms", p.record * 1e3},
                                {"reverse_ms", p.reverse * 1e3}, {"read_out_ms", p.read_out * 1e3}};
        };
        out["cases"].back()["grad_phases"] = phases(c.grad_phases);
        out["cases"].back()["hvp_phases"] = phases(c.hvp_phases);
      }
      if (c.hand_tape_seconds > 0) {
        out["cases"].back()["hand_written_tape_grad_ms"] = c.hand_tape_seconds * 1e3;
        out["cases"].back()["ratio_hand_written_tape_to_f"] = c.hand_tape_seconds / c.f_seconds;
        out["cases"].back()["ratio_grad_to_hand_written_tape"] = c.grad_seconds / c.hand_tape_seconds;
        out["cases"].back()["hand_written_tape_phases"] = {
            {"copy_in_ms", c.hand_tape_phases.copy_in * 1e3}, {"record_ms", c.hand_tape_phases.record * 1e3},
            {"reverse_ms", c.hand_tape_phases.reverse * 1e3}, {"read_out_ms", c.hand_tape_phases.read_out * 1e3}};
      }
      if (c.adolc_seconds > 0) {
        out["cases"].back()["adolc_grad_ms"] = c.adolc_seconds * 1e3;
        out["cases"].back()["ratio_adolc_to_frechet"] = c.adolc_seconds / c.grad_seconds;
        out["cases"].back()["ratio_adolc_grad_to_f"] = c.adolc_seconds / c.f_seconds;
      }
    }
    nlohmann::json layers = nlohmann::json::array();
    for (const LayerStudy& l : study)
      layers.push_back({{"hidden_layers", l.layers}, {"width", l.width}, {"weights", l.weights},
                        {"tape_nodes", l.nodes}, {"tape_bytes", l.tape_bytes}});
    out["cases"].back()["tape_by_layers"] = layers;
    bench::print_json(out);
    return 0;
  }
  std::printf("%-24s %-7s %9s %9s %9s %8s %8s %12s %8s %10s\n", "case", "style", "f ms", "grad ms", "hvp ms",
              "grad/f", "hvp/f", "tape bytes", "nodes", "stmts");
  for (const Case& c : cases) {
    std::printf("%-24s %-7s %9.3f %9.3f %9.3f %8.2f %8.2f %12zu %8zu %10zu\n", c.name.c_str(), c.style.c_str(),
                c.f_seconds * 1e3, c.grad_seconds * 1e3, c.hvp_seconds * 1e3, c.grad_seconds / c.f_seconds,
                c.hvp_seconds / c.f_seconds, c.tape_bytes, c.nodes, c.statements);
  }
  std::printf("grad() with a new tape each call: ");
  for (const Case& c : cases) std::printf("%s %.2fx  ", c.name.c_str(), c.grad_fresh_seconds / c.f_seconds);
  std::printf("\nHand-written tape of the same layout, gradient of rosenbrock_scalar: %.3f ms = %.2fx f; ours is %.2fx it\n",
              cases[0].hand_tape_seconds * 1e3, cases[0].hand_tape_seconds / cases[0].f_seconds,
              cases[0].grad_seconds / cases[0].hand_tape_seconds);
  if (cases[0].adolc_seconds > 0)
    std::printf("\nADOL-C taped gradient of rosenbrock_scalar: %.3f ms = %.1fx f, %.1fx ours\n",
                cases[0].adolc_seconds * 1e3, cases[0].adolc_seconds / cases[0].f_seconds,
                cases[0].adolc_seconds / cases[0].grad_seconds);
  std::printf("\nPhases of the scalar cases, ms (take x, record f, reverse pass, hand the adjoint out):\n");
  for (const Case& c : cases)
    if (c.style == "scalar")
      std::printf("  %-24s grad %.3f %.3f %.3f %.3f   hvp %.3f %.3f %.3f %.3f\n", c.name.c_str(),
                  c.grad_phases.copy_in * 1e3, c.grad_phases.record * 1e3, c.grad_phases.reverse * 1e3,
                  c.grad_phases.read_out * 1e3, c.hvp_phases.copy_in * 1e3, c.hvp_phases.record * 1e3,
                  c.hvp_phases.reverse * 1e3, c.hvp_phases.read_out * 1e3);
  {
    const Phases& h = cases[0].hand_tape_phases;
    std::printf("  %-24s grad %.3f %.3f %.3f %.3f\n", "hand-written tape", h.copy_in * 1e3, h.record * 1e3,
                h.reverse * 1e3, h.read_out * 1e3);
  }
  std::printf("\nTape of an MLP on the 1000 x 100 batch, by depth and width:\n%8s %6s %9s %6s %12s\n", "layers",
              "width", "weights", "nodes", "tape bytes");
  for (const LayerStudy& l : study)
    std::printf("%8zu %6zu %9zu %6zu %12zu\n", l.layers, l.width, l.weights, l.nodes, l.tape_bytes);
  std::printf("\nAgainst the cheapest hand-written f (scalar loop for Rosenbrock, preallocated BLAS for the MLP):\n");
  for (const Case& c : cases)
    std::printf("  %-24s f %.3f ms: grad %.2fx, hvp %.2fx\n", c.name.c_str(), c.f_reference_seconds * 1e3,
                c.grad_seconds / c.f_reference_seconds, c.hvp_seconds / c.f_reference_seconds);
  return 0;
}
