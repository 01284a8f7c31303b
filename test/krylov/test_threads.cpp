// Solves give the same bits on any number of threads, and independent solves run from several
// std::threads at once give the bits of the same solves run one after another.
#include <boost/test/unit_test.hpp>

#include <cstring>
#include <thread>
#include <vector>

#include "frechet/krylov/cg.hpp"
#include "frechet/krylov/gmres.hpp"
#include "frechet/linop/laplacian.hpp"
#include "krylov_test_support.hpp"

using namespace frechet;
using namespace frechet::testing;

namespace {

bool same_bits(const Vector& a, const Vector& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// 48^3 = 110592 unknowns: every vector kernel and product of the solve runs parallel.
const CsrMatrix& laplacian() {
  static const CsrMatrix a = laplacian_3d(48, 48, 48);
  return a;
}

Vector right_hand_side(std::uint64_t seed) {
  Random rng(seed);
  return rng.gaussian_vector(laplacian().rows());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(threads)

BOOST_AUTO_TEST_CASE(cg_and_gmres_give_the_same_bits_on_any_team) {
  const Vector b = right_hand_side(3);
  SolveResult cg1, gmres1;
  {
    ScopedThreads one(1);
    cg1 = cg(laplacian(), b, {.rtol = 1e-10});
    gmres1 = gmres(laplacian(), b, {.rtol = 1e-8, .max_iterations = 60, .restart = 20});
  }
  BOOST_TEST(cg1.converged);
  for (int threads : {2, 3}) {
    ScopedThreads team(threads);
    const SolveResult c = cg(laplacian(), b, {.rtol = 1e-10});
    const SolveResult g = gmres(laplacian(), b, {.rtol = 1e-8, .max_iterations = 60, .restart = 20});
    BOOST_TEST(c.iterations == cg1.iterations);
    BOOST_TEST(same_bits(c.x, cg1.x), "CG on " << threads << " threads");
    BOOST_TEST(g.iterations == gmres1.iterations);
    BOOST_TEST(same_bits(g.x, gmres1.x), "GMRES on " << threads << " threads");
  }
}

BOOST_AUTO_TEST_CASE(concurrent_solves_equal_serial_ones) {
  constexpr int solves = 3;
  std::vector<Vector> serial(solves), concurrent(solves);
  for (int k = 0; k < solves; ++k) serial[k] = cg(laplacian(), right_hand_side(10 + k), {.rtol = 1e-9}).x;
  std::vector<std::thread> workers;
  for (int k = 0; k < solves; ++k) {
    workers.emplace_back([k, &concurrent] { concurrent[k] = cg(laplacian(), right_hand_side(10 + k), {.rtol = 1e-9}).x; });
  }
  for (std::thread& w : workers) w.join();
  for (int k = 0; k < solves; ++k) BOOST_TEST(same_bits(concurrent[k], serial[k]), "solve " << k);
}

BOOST_AUTO_TEST_SUITE_END()
