// Properties every linear solver shares: the result shape, the history and the monitor, the edge
// cases (b = 0, n = 1, max_iterations), and bad input.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "frechet/core/error.hpp"
#include "frechet/krylov/lanczos.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/linop/operators.hpp"
#include "krylov_test_support.hpp"

using namespace frechet;
using namespace frechet::testing;

BOOST_AUTO_TEST_SUITE(solver_contract)

BOOST_AUTO_TEST_CASE(every_solver_solves_poisson_with_true_residual) {
  const CsrMatrix a = laplacian_2d(12, 10);
  const DenseMatrix dense = a.to_dense();
  Random rng(1);
  const Vector b = rng.gaussian_vector(a.rows());
  const Vector reference = CholeskyFactorization(dense).solve(b);
  for (Method m : all_methods) {
    BOOST_TEST_CONTEXT(method_name(m)) {
      const SolveResult r = solve(m, a, b, {.rtol = 1e-10});
      BOOST_TEST(r.converged);
      BOOST_TEST(r.reason == Reason::converged);
      BOOST_TEST(relative_error(r.x, reference) < 1e-7);
      const double true_norm = true_residual(a, b, r.x);
      BOOST_TEST(r.residual_norm == true_norm, boost::test_tools::tolerance(1e-12));
      BOOST_TEST(r.rhs_norm == norm2(b), boost::test_tools::tolerance(1e-14));
      BOOST_TEST(r.residual_history.size() == static_cast<std::size_t>(r.iterations) + 1);
      BOOST_TEST(r.operator_products >= r.iterations);
      const bool least_squares = m == Method::lsqr || m == Method::lsmr;
      BOOST_TEST(r.normal_residual_norm.has_value() == least_squares);
      if (least_squares) {
        BOOST_TEST(*r.normal_residual_norm <= 1e-10 * norm2(a.apply_adjoint(b)));
        BOOST_TEST(*r.normal_residual_norm == normal_residual(a, b, r.x),
                   boost::test_tools::tolerance(1e-10));
      } else {
        BOOST_TEST(true_norm <= 1e-10 * norm2(b));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(monitor_sees_every_history_entry_once) {
  const CsrMatrix a = laplacian_2d(8, 8);
  const Vector b(a.rows(), 1.0);
  for (Method m : all_methods) {
    BOOST_TEST_CONTEXT(method_name(m)) {
      std::vector<int> iterations;
      Vector norms;
      const SolveResult r = solve(m, a, b, {.rtol = 1e-8, .monitor = [&](int k, double norm) {
                                              iterations.push_back(k);
                                              norms.push_back(norm);
                                            }});
      BOOST_TEST(r.converged);
      BOOST_REQUIRE(iterations.size() == static_cast<std::size_t>(r.iterations) + 1);
      for (std::size_t k = 0; k < iterations.size(); ++k) BOOST_TEST(iterations[k] == static_cast<int>(k));
      BOOST_TEST(norms == r.residual_history, boost::test_tools::per_element());
    }
  }
}

BOOST_AUTO_TEST_CASE(zero_rhs_returns_zero_at_once) {
  const CsrMatrix a = laplacian_2d(4, 4);
  const Vector b(a.rows(), 0.0);
  for (Method m : all_methods) {
    BOOST_TEST_CONTEXT(method_name(m)) {
      int calls = 0;
      const SolveResult r = solve(m, a, b, {.x0 = Vector(a.rows(), 3.0), .monitor = [&](int, double) {
                                              ++calls;
                                            }});
      BOOST_TEST(r.converged);
      BOOST_TEST(r.iterations == 0);
      BOOST_TEST(r.operator_products == 0);
      BOOST_TEST(norm_inf(r.x) == 0.0);
      BOOST_TEST(r.residual_norm == 0.0);
      BOOST_TEST(r.residual_history == Vector{0.0}, boost::test_tools::per_element());
      BOOST_TEST(calls == 1);
    }
  }
}

BOOST_AUTO_TEST_CASE(one_by_one_system) {
  const DenseTestOperator a(DenseMatrix{{4.0}}, {.symmetric = true, .positive_definite = true});
  const Vector b{2.0};
  for (Method m : all_methods) {
    BOOST_TEST_CONTEXT(method_name(m)) {
      const SolveResult r = solve(m, a, b, {});
      BOOST_TEST(r.converged);
      BOOST_TEST(r.iterations == 1);
      BOOST_TEST(r.x[0] == 0.5, boost::test_tools::tolerance(1e-15));
    }
  }
}

BOOST_AUTO_TEST_CASE(max_iterations_stops_with_true_residual) {
  const CsrMatrix a = laplacian_2d(20, 20);
  const Vector b(a.rows(), 1.0);
  for (Method m : all_methods) {
    BOOST_TEST_CONTEXT(method_name(m)) {
      const SolveResult r = solve(m, a, b, {.max_iterations = 5});
      BOOST_TEST(!r.converged);
      BOOST_TEST(r.reason == Reason::max_iterations);
      BOOST_TEST(r.iterations == 5);
      BOOST_TEST(r.residual_norm == true_residual(a, b, r.x), boost::test_tools::tolerance(1e-12));
      // Five iterations did reduce the residual; CG minimises the A-norm of the error instead, and
      // its residual may grow.
      if (m != Method::cg) BOOST_TEST(r.residual_norm < norm2(b));
    }
  }
}

BOOST_AUTO_TEST_CASE(zero_max_iterations_returns_x0_and_its_residual) {
  const CsrMatrix a = laplacian_2d(5, 5);
  Random rng(2);
  const Vector b = rng.gaussian_vector(a.rows());
  const Vector x0 = rng.gaussian_vector(a.rows());
  const Vector exact = CholeskyFactorization(a.to_dense()).solve(b);
  for (Method m : all_methods) {
    BOOST_TEST_CONTEXT(method_name(m)) {
      const SolveResult r = solve(m, a, b, {.max_iterations = 0, .x0 = x0});
      BOOST_TEST(r.reason == Reason::max_iterations);
      BOOST_TEST(r.iterations == 0);
      BOOST_TEST(r.x == x0, boost::test_tools::per_element());
      BOOST_TEST(r.residual_norm == true_residual(a, b, x0), boost::test_tools::tolerance(1e-13));
      // An x0 that already solves the system converges without iterating.
      const SolveResult done = solve(m, a, b, {.rtol = 1e-8, .max_iterations = 0, .x0 = exact});
      BOOST_TEST(done.converged);
      BOOST_TEST(done.iterations == 0);
    }
  }
}

BOOST_AUTO_TEST_CASE(initial_guess_is_used) {
  const CsrMatrix a = laplacian_2d(15, 15);
  Random rng(3);
  const Vector b = rng.gaussian_vector(a.rows());
  const Vector exact = CholeskyFactorization(a.to_dense()).solve(b);
  Vector near = exact;
  for (double& v : near) v *= 1.0 + 1e-6;
  for (Method m : all_methods) {
    BOOST_TEST_CONTEXT(method_name(m)) {
      const SolveResult cold = solve(m, a, b, {.rtol = 1e-10});
      const SolveResult warm = solve(m, a, b, {.rtol = 1e-10, .x0 = near});
      BOOST_TEST(warm.converged);
      BOOST_TEST(warm.iterations < cold.iterations);
      BOOST_TEST(relative_error(warm.x, exact) < 1e-7);
    }
  }
}

BOOST_AUTO_TEST_CASE(bad_input_throws_and_names_the_argument) {
  const CsrMatrix a = laplacian_2d(3, 3);
  const Vector b(a.rows(), 1.0);
  const DenseTestOperator wide(DenseMatrix(3, 5, 1.0));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (Method m : all_methods) {
    BOOST_TEST_CONTEXT(method_name(m)) {
      const bool least_squares = m == Method::lsqr || m == Method::lsmr;
      if (!least_squares) BOOST_CHECK_THROW(solve(m, wide, Vector(3, 1.0), {}), ShapeError);
      BOOST_CHECK_THROW(solve(m, a, Vector(4, 1.0), {}), ShapeError);
      Vector bad = b;
      bad[2] = nan;
      BOOST_CHECK_THROW(solve(m, a, bad, {}), NonFiniteError);
      BOOST_CHECK_THROW(solve(m, a, b, {.rtol = 0.0, .atol = 0.0}), ArgumentError);
      BOOST_CHECK_THROW(solve(m, a, b, {.rtol = -1e-8}), ArgumentError);
      BOOST_CHECK_THROW(solve(m, a, b, {.rtol = nan}), ArgumentError);
      BOOST_CHECK_THROW(solve(m, a, b, {.atol = -1.0}), ArgumentError);
      BOOST_CHECK_THROW(solve(m, a, b, {.max_iterations = -1}), ArgumentError);
      BOOST_CHECK_THROW(solve(m, a, b, {.x0 = Vector(2, 0.0)}), ShapeError);
      BOOST_CHECK_THROW(solve(m, a, b, {.x0 = Vector(a.rows(), nan)}), NonFiniteError);
      BOOST_CHECK_THROW(solve(m, a, b, {.preconditioner = jacobi_inverse(Vector(4, 1.0))}), ShapeError);
      // One tolerance may be zero.
      BOOST_TEST(solve(m, a, b, {.rtol = 0.0, .atol = 1e-10}).converged);
      BOOST_TEST(solve(m, a, b, {.rtol = 1e-10, .atol = 0.0}).converged);
      try {
        solve(m, a, b, {.rtol = 0.0, .atol = 0.0});
      } catch (const ArgumentError& e) {
        const std::string what = e.what();
        BOOST_TEST(what.find(method_name(m)) != std::string::npos);
        BOOST_TEST(what.find("rtol") != std::string::npos);
      }
    }
  }
  BOOST_CHECK_THROW(gmres(a, b, {.restart = 0}), ArgumentError);
  BOOST_CHECK_THROW(lsqr(a, b, {.damping = -1.0}), ArgumentError);
  BOOST_CHECK_THROW(lsmr(a, b, {.x0 = Vector(a.rows(), 1.0), .damping = 0.5}), ArgumentError);
  BOOST_CHECK_THROW(lsqr(a, b, {.preconditioner = jacobi_inverse(Vector(a.rows(), 1.0)), .damping = 0.5}),
                    ArgumentError);
}

BOOST_AUTO_TEST_CASE(a_field_the_solver_does_not_use_throws_and_names_its_solvers) {
  const CsrMatrix a = laplacian_2d(4, 4);
  const Vector b(a.rows(), 1.0);
  using Solver = SolveResult (*)(const LinearOperator&, ConstVectorView, const SolverOptions&);
  const auto expect_rejected = [&](const std::string& name, Solver solver, const SolverOptions& options,
                                   const std::string& message) {
    BOOST_TEST_CONTEXT(name) {
      try {
        solver(a, b, options);
        BOOST_ERROR("the unused field was accepted");
      } catch (const ArgumentError& e) {
        BOOST_TEST(std::string(e.what()).find(name + ": " + message) != std::string::npos);
      }
    }
  };
  const std::string restart = "options.restart: used only by gmres and fgmres";
  const std::string damping = "options.damping: used only by lsqr and lsmr";
  const std::pair<const char*, Solver> all[] = {{"cg", cg},       {"minres", minres}, {"bicgstab", bicgstab},
                                                {"gmres", gmres}, {"fgmres", fgmres}, {"lsqr", lsqr},
                                                {"lsmr", lsmr}};
  for (const auto& [name, solver] : all) {
    const std::string s = name;
    if (s != "gmres" && s != "fgmres") expect_rejected(s, solver, {.restart = 10}, restart);
    if (s != "lsqr" && s != "lsmr") expect_rejected(s, solver, {.damping = 0.5}, damping);
  }
}

BOOST_AUTO_TEST_CASE(solvers_take_an_operator_pointer_and_reject_a_null_one) {
  const OperatorPtr a = dense_operator(DenseMatrix{{4.0, 1.0}, {1.0, 3.0}});
  const Vector b{1.0, 2.0};
  const SolveResult by_pointer = cg(a, b, {.rtol = 1e-12});
  const SolveResult by_reference = cg(*a, b, {.rtol = 1e-12});
  BOOST_TEST(by_pointer.converged);
  BOOST_TEST(by_pointer.x == by_reference.x, boost::test_tools::per_element());
  try {
    cg(OperatorPtr{}, b);
    BOOST_ERROR("a null operator was accepted");
  } catch (const ArgumentError& e) {
    BOOST_TEST(std::string(e.what()).find("cg: operator") != std::string::npos);
  }
  BOOST_CHECK_THROW(lanczos(OperatorPtr{}), ArgumentError);
}

BOOST_AUTO_TEST_CASE(non_finite_operator_output_is_reported_with_a_finite_iterate) {
  const CsrMatrix a = laplacian_2d(10, 10);
  const Vector b(a.rows(), 1.0);
  for (Method m : all_methods) {
    BOOST_TEST_CONTEXT(method_name(m)) {
      const PoisonedOperator poisoned(a, 6);
      const SolveResult r = solve(m, poisoned, b, {});
      BOOST_TEST(!r.converged);
      BOOST_TEST(r.reason == Reason::non_finite);
      BOOST_TEST(all_finite(r.x));
      BOOST_TEST(r.iterations <= 6);
    }
  }
}

BOOST_AUTO_TEST_CASE(reasons_have_names_and_advice) {
  for (Reason reason : {Reason::converged, Reason::max_iterations, Reason::breakdown, Reason::indefinite,
                        Reason::non_finite, Reason::stagnation}) {
    const std::string name(reason_name(reason));
    const std::string text(to_string(reason));
    BOOST_TEST(text.rfind(name + ": ", 0) == 0u);
    BOOST_TEST(text.size() > name.size() + 20);
  }
}

BOOST_AUTO_TEST_SUITE_END()
