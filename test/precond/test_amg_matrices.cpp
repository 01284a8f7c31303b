// AMG-preconditioned CG on every SPD matrix of FRECHET_MATRIX_DIR: it converges to rtol 1e-8 with
// fewer iterations than Jacobi-preconditioned CG needs (SciPy's counts, from test/krylov), and its
// V-cycle passes the symmetry and positivity checks CG relies on. Iteration counts and hierarchies
// are printed (--log_level=message).
#include <boost/test/unit_test.hpp>

#include <map>
#include <string>

#include "frechet/krylov/cg.hpp"
#include "frechet/linop/matrix_market.hpp"
#include "frechet/precond/amg.hpp"
#include "test_support.hpp"

using namespace frechet;
using namespace frechet::testing;

namespace {

// SciPy 1.10 cg iterations with M = diag(A)^-1 on b = A 1, tol 1e-8 (test/krylov/test_matrices.cpp).
const std::map<std::string, int> jacobi_cg_iterations = {
    {"LUNDA", 90},     {"494_bus", 393}, {"nos6", 84},     {"gr_900_900_crg", 41},
    {"1138_bus", 934}, {"ani4", 340},    {"bcsstk13", 1359}, {"bcsstk16", 197},
};

}  // namespace

BOOST_AUTO_TEST_CASE(amg_cg_converges_on_the_spd_matrices) {
  int seen = 0;
  for (const auto& file : matrix_files()) {
    const std::string name = file.stem().string();
    const auto known = jacobi_cg_iterations.find(name);
    if (known == jacobi_cg_iterations.end()) continue;
    ++seen;
    const auto a = std::make_shared<const CsrMatrix>(read_matrix_market(file).matrix);
    // The default, and a small coarsest level so that the smaller matrices get a hierarchy too.
    for (const std::size_t coarsest : {std::size_t{500}, std::size_t{50}}) BOOST_TEST_CONTEXT(name << ", coarsest_size " << coarsest) {
      const auto m = amg_preconditioner(a, {.coarsest_size = coarsest});
      Random rng(21);
      const Vector u = rng.gaussian_vector(a->rows());
      const Vector v = rng.gaussian_vector(a->rows());
      const Vector mv = m->apply(v);
      BOOST_TEST(std::abs(dot(u, mv) - dot(m->apply(u), v)) <= 1e-10 * norm2(u) * norm2(mv));
      BOOST_TEST(dot(v, mv) > 0.0);

      const Vector b = a->apply(Vector(a->rows(), 1.0));
      const SolveResult r = cg(*a, b, {.rtol = 1e-8, .max_iterations = 5000, .preconditioner = m});
      BOOST_TEST_MESSAGE(name << " (coarsest_size " << coarsest << "): " << r.iterations << " AMG-CG iterations (Jacobi-CG " << known->second
                              << ")\n" << to_string(m->hierarchy()));
      BOOST_TEST(r.converged);
      BOOST_TEST(r.residual_norm <= 1e-8 * r.rhs_norm);
      BOOST_TEST(r.iterations < known->second);
    }
  }
  BOOST_TEST(seen == 8);
}
