// doc/guide.md, "When things go wrong": bad input throws a frechet::Error subclass whose message
// names the argument, what was expected and what was given; a solver that fails says why in its result.
#include <cmath>
#include <cstdio>
#include <limits>

#include "frechet/frechet.hpp"

template <class Call> void report(const char* call_name, Call&& call) {
  try {
    call();
    std::printf("%s: no exception\n", call_name);
  } catch (const frechet::ShapeError& e) {
    std::printf("%s\n  ShapeError: %s\n", call_name, e.what());
  } catch (const frechet::ArgumentError& e) {
    std::printf("%s\n  ArgumentError: %s\n", call_name, e.what());
  } catch (const frechet::NonFiniteError& e) {
    std::printf("%s\n  NonFiniteError: %s\n", call_name, e.what());
  } catch (const frechet::ParseError& e) {  // also says where: e.file(), e.line()
    std::printf("%s\n  ParseError at line %zu: %s\n", call_name, e.line(), e.what());
  } catch (const frechet::NumericalError& e) {
    std::printf("%s\n  NumericalError: %s\n", call_name, e.what());
  } catch (const frechet::IoError& e) {
    std::printf("%s\n  IoError: %s\n", call_name, e.what());
  } catch (const frechet::Error& e) {  // the base of them all: enough when the kind does not matter
    std::printf("%s\n  Error: %s\n", call_name, e.what());
  }
}

int main() {
  using namespace frechet;
  const CsrMatrix a = laplacian_2d(10, 10);
  report("cg(a, Vector(99, 1.0))", [&] { cg(a, Vector(99, 1.0)); });
  report("cg(a, b, {.restart = 50})", [&] { cg(a, Vector(100, 1.0), {.restart = 50}); });
  report("diagonal_operator({1, NaN})",
         [] { diagonal_operator(Vector{1.0, std::numeric_limits<double>::quiet_NaN()}); });
  report("read_matrix_market(\"data/truncated.mtx\")", [] { read_matrix_market("data/truncated.mtx"); });
  report("read_matrix_market(\"missing.mtx\")", [] { read_matrix_market("missing.mtx"); });
  DenseMatrix indefinite(2, 2);
  indefinite(0, 0) = indefinite(1, 1) = 1.0, indefinite(0, 1) = indefinite(1, 0) = 2.0;
  report("CholeskyFactorization(indefinite)", [&] { CholeskyFactorization c(indefinite); });

  // A solver that runs and does not converge does not throw: its result says why.
  const SolveResult r = cg(a, Vector(100, 1.0), {.max_iterations = 5});
  std::printf("cg with max_iterations = 5: converged %d\n  %s\n", r.converged, to_string(r.reason).c_str());
  return r.reason == Reason::max_iterations ? 0 : 1;
}
