// The distributed Newton-Krylov root and its IFT adjoint: F(x, theta) = A x + theta_0 x^3 - theta_1 1
// with A the 3D Laplacian, against serial root_find and central differences of the root.
#include <boost/test/unit_test.hpp>

#include <vector>

#include "frechet/ad/ad.hpp"
#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "frechet/implicit/root_find.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/petsc/distributed_laplacian.hpp"
#include "frechet/petsc/newton_krylov.hpp"
#include "petsc_test_support.hpp"
#include "test_support.hpp"

using namespace frechet;
using frechet::testing::global_relative_error;
using frechet::testing::slice;
using frechet::testing::world;

namespace {

constexpr std::size_t side = 6;

// F(x, theta) = A x + theta_0 x^3 - theta_1 1 on this rank's rows; F_x = A + diag(3 theta_0 x^2),
// assembled as A's local rows with the diagonal entries raised, so that PCJACOBI reads it.
struct CubicProblem {
  DistributedCsrMatrix a = distributed_laplacian_3d(world(), side, side, side);
  DistributedRootProblem problem;

  CubicProblem() {
    problem.comm = world();
    problem.residual = [this](ConstVectorView x, ConstVectorView theta, VectorView f) {
      a.apply(x, f);
      for (std::size_t i = 0; i < x.size(); ++i) f[i] += theta[0] * x[i] * x[i] * x[i] - theta[1];
    };
    problem.jacobian_x = [this](ConstVectorView x, ConstVectorView theta) -> OperatorPtr {
      const CsrMatrix& l = a.local_rows();
      Vector values(l.values().begin(), l.values().end());
      for (std::size_t i = 0; i < l.rows(); ++i)
        for (auto e = l.row_offsets()[i]; e < l.row_offsets()[i + 1]; ++e)
          if (static_cast<std::size_t>(l.col_indices()[e]) == a.row_begin() + i) values[e] += 3 * theta[0] * x[i] * x[i];
      const CsrMatrix j(l.rows(), l.cols(), std::vector<SparseIndex>(l.row_offsets().begin(), l.row_offsets().end()),
                        std::vector<SparseIndex>(l.col_indices().begin(), l.col_indices().end()), std::move(values));
      return std::make_shared<const DistributedCsrMatrix>(world(), j, a.cols(), a.traits());
    };
    problem.theta_vjp = [](ConstVectorView x, ConstVectorView, ConstVectorView w) {
      double local[2] = {0.0, 0.0};  // F_theta = [x^3, -1]
      for (std::size_t i = 0; i < x.size(); ++i) {
        local[0] += x[i] * x[i] * x[i] * w[i];
        local[1] -= w[i];
      }
      Vector total(2);
      MPI_Allreduce(local, total.data(), 2, MPI_DOUBLE, MPI_SUM, world());
      return total;
    };
  }
};

// 1/2 ||x*(theta)||^2 over all ranks.
double half_squared_root_norm(const CubicProblem& c, const Vector& theta) {
  const NewtonResult r = petsc_root_find(c.problem, Vector(c.a.rows(), 0.0), theta, {.rtol = 1e-13},
                                         {.method = "gmres", .pc_type = "jacobi"});
  BOOST_TEST(r.converged);
  const double n = global_norm2(world(), r.x);
  return 0.5 * n * n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(newton_krylov)

BOOST_AUTO_TEST_CASE(root_equals_serial_root_find) {
  const CubicProblem c;
  const Vector theta{0.5, 2.0};
  const NewtonResult r = petsc_root_find(c.problem, Vector(c.a.rows(), 0.0), theta, {.rtol = 1e-12},
                                         {.method = "gmres", .pc_type = "jacobi"});
  BOOST_TEST(r.converged);
  BOOST_TEST(r.residual_norm <= 1e-12 * r.initial_residual_norm);
  BOOST_TEST(r.jacobian_evaluations == r.iterations);
  BOOST_TEST(r.linear_iterations > 0);
  BOOST_TEST(r.residual_history.size() == static_cast<std::size_t>(r.iterations) + 1);
  BOOST_TEST(r.preconditioner != nullptr);

  // The serial root by Newton with a dense LU, F written once over CSR arrays for the AD layer.
  const CsrMatrix a = laplacian_3d(side, side, side);
  const auto f = [&](const auto& x) {
    using T = scalar_t<std::remove_cvref_t<decltype(x)>>;
    std::vector<T> out;
    for (std::size_t i = 0; i < a.rows(); ++i) {
      T sum = 0.5 * x[i] * x[i] * x[i] - 2.0;
      for (auto e = a.row_offsets()[i]; e < a.row_offsets()[i + 1]; ++e) sum += a.values()[e] * x[a.col_indices()[e]];
      out.push_back(sum);
    }
    return out;
  };
  const NewtonResult serial = root_find(f, Vector(a.rows(), 0.0), {.rtol = 1e-12});
  BOOST_TEST(serial.converged);
  BOOST_TEST(global_relative_error(world(), r.x, slice(serial.x, c.a.row_begin(), c.a.rows())) < 1e-10);
}

BOOST_AUTO_TEST_CASE(implicit_vjp_matches_central_differences) {
  const CubicProblem c;
  const Vector theta{0.5, 2.0};
  const NewtonResult r = petsc_root_find(c.problem, Vector(c.a.rows(), 0.0), theta, {.rtol = 1e-13},
                                         {.method = "gmres", .pc_type = "jacobi"});
  BOOST_TEST(r.converged);
  // d/dtheta of 1/2 ||x*||^2 is the VJP with x_bar = x*.
  const Vector grad = petsc_implicit_vjp(c.problem, r, theta, r.x);
  // h = 1e-4: the roots are accurate to about 1e-12 relative, so a smaller h lets their error
  // dominate the quotient; the truncation error O(h^2) stays below 1e-7.
  const double h = 1e-4;
  for (std::size_t k = 0; k < theta.size(); ++k) {
    Vector plus = theta, minus = theta;
    plus[k] += h;
    minus[k] -= h;
    const double fd = (half_squared_root_norm(c, plus) - half_squared_root_norm(c, minus)) / (2 * h);
    BOOST_TEST(grad[k] == fd, boost::test_tools::tolerance(1e-6));
  }
  // Without the forward KSP: a KSP made from the options gives the same gradient.
  NewtonResult without = r;
  without.preconditioner = nullptr;
  const Vector fresh = petsc_implicit_vjp(c.problem, without, theta, r.x, {.method = "gmres", .pc_type = "jacobi", .rtol = 1e-10});
  BOOST_TEST(frechet::testing::relative_error(fresh, grad) < 1e-8);
}

BOOST_AUTO_TEST_CASE(bad_input_and_failures) {
  const CubicProblem c;
  const Vector theta{0.5, 2.0};
  const Vector x0(c.a.rows(), 0.0);
  BOOST_CHECK_THROW(petsc_root_find(c.problem, x0, theta, {.linear_solver = NewtonLinearSolver::sparse_lu}), ArgumentError);
  BOOST_CHECK_THROW(petsc_root_find(c.problem, x0, theta, {}, {.method = "gmres", .rtol = 1e-3}), ArgumentError);
  BOOST_CHECK_THROW(petsc_root_find(c.problem, x0, theta, {.rtol = 0}), ArgumentError);
  const NewtonResult capped = petsc_root_find(c.problem, x0, theta, {.max_iterations = 1});
  BOOST_TEST(capped.reason == Reason::max_iterations);
  BOOST_CHECK_THROW(petsc_implicit_vjp(c.problem, capped, theta, capped.x), NumericalError);
}

BOOST_AUTO_TEST_SUITE_END()
