// Every solver on every real matrix of FRECHET_MATRIX_DIR that suits it: SPD matrices with CG and
// MINRES (plain and Jacobi-preconditioned) and GMRES/BiCGSTAB (Jacobi), nonsymmetric ones with
// GMRES(50) and BiCGSTAB, rectangular ones with LSQR and LSMR. Each result is checked against a dense
// LAPACK solve (n <= 5000), its reported residual against the one recomputed here, and matrices that
// unpreconditioned Krylov methods cannot solve must say so. Iteration counts are printed
// (--log_level=message).
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <iomanip>
#include <map>
#include <sstream>
#include <string>

#include "frechet/krylov/hutchinson.hpp"
#include "frechet/krylov/lanczos.hpp"
#include "frechet/linop/matrix_market.hpp"
#include "krylov_test_support.hpp"

using namespace frechet;
using namespace frechet::testing;

namespace {

enum class Kind { spd, nonsymmetric, rectangular };

// What is known of each matrix: its kind (see the folder's README) and its 2-norm condition number
// (numpy.linalg.svd, computed once), which bounds the forward error: ||x - x*|| / ||x*|| <=
// cond * ||b - A x|| / ||b|| for square A.
struct Known {
  Kind kind;
  double cond;
};
const std::map<std::string, Known> known = {
    {"LUNDA", {Kind::spd, 2.80e6}},          {"494_bus", {Kind::spd, 2.42e6}},
    {"nos6", {Kind::spd, 7.65e6}},           {"gr_900_900_crg", {Kind::spd, 1.95e2}},
    {"1138_bus", {Kind::spd, 8.57e6}},       {"bcsstk13", {Kind::spd, 1.10e10}},
    {"ani4", {Kind::spd, 1.82e3}},           {"bcsstk16", {Kind::spd, 4.94e9}},
    {"west0479", {Kind::nonsymmetric, 3.25e11}}, {"pde900", {Kind::nonsymmetric, 1.53e2}},
    {"olm1000", {Kind::nonsymmetric, 1.49e6}},   {"watt_2", {Kind::nonsymmetric, 1.36e11}},
    {"bayer10", {Kind::nonsymmetric, 0.0}},      {"lp_e226", {Kind::rectangular, 9.13e3}},
    {"illc1033", {Kind::rectangular, 1.89e4}},   {"well1033", {Kind::rectangular, 1.66e2}},
};

// SciPy 1.10 scipy.sparse.linalg.cg iteration counts on b = A 1, tol = 1e-8, atol = 0, maxiter = 20000
// (plain, and M = diag(A)^{-1}), from Debian's python3-scipy: the independent reference of the issue.
const std::map<std::string, std::pair<int, int>> scipy_cg_iterations = {
    {"LUNDA", {307, 90}},      {"494_bus", {1141, 393}}, {"nos6", {668, 84}},  {"gr_900_900_crg", {41, 41}},
    {"1138_bus", {2151, 934}}, {"ani4", {340, 340}},      {"bcsstk13", {20000, 1359}}, {"bcsstk16", {313, 197}},
};

// Unpreconditioned GMRES(50) does not solve these (README: not within 20n iterations).
bool krylov_hard(const std::string& name) {
  return name == "west0479" || name == "olm1000" || name == "bayer10";
}

struct Problem {
  std::string name;
  CsrMatrix a;
  Known info;
  Vector b;
  Vector reference;  // dense direct solution, empty when n > 5000
};

Problem load(const std::filesystem::path& file) {
  Problem p{file.stem().string(), read_matrix_market(file).matrix, known.at(file.stem().string()), {}, {}};
  const std::size_t m = p.a.rows(), n = p.a.cols();
  if (p.info.kind == Kind::rectangular && m > n) {
    // Tall: an inconsistent right-hand side, so that least squares is not just a solve.
    Random rng(1);
    p.b = p.a.apply(Vector(n, 1.0));
    const Vector noise = rng.gaussian_vector(m);
    axpy(0.1 * norm2(p.b) / norm2(noise), noise, p.b);
    p.reference = QrFactorization(p.a.to_dense()).solve_least_squares(p.b);
  } else if (p.info.kind == Kind::rectangular) {
    // Wide: consistent, and the minimum-norm solution x = A^T (A A^T)^{-1} b.
    p.b = p.a.apply(Vector(n, 1.0));
    p.reference = p.a.apply_adjoint(QrFactorization(p.a.to_dense().transposed()).solve_normal(p.b));
  } else {
    p.b = p.a.apply(Vector(n, 1.0));  // as frechet-solve does: the exact solution is the ones vector
    if (n <= 5000) {
      p.reference = p.info.kind == Kind::spd ? CholeskyFactorization(p.a.to_dense()).solve(p.b)
                                             : LuFactorization(p.a.to_dense()).solve(p.b);
    }
  }
  return p;
}

double relative_error_2(ConstVectorView x, ConstVectorView reference) {
  Vector d(x.begin(), x.end());
  axpy(-1.0, reference, d);
  return norm2(d) / norm2(reference);
}

// The checks every run passes, converged or not: the reported residual is the true one, the reason
// agrees with it, and a converged solution is as close to the dense one as its residual allows.
void check_run(const Problem& p, Method method, bool preconditioned, const SolveResult& r, double rtol) {
  const double true_norm = true_residual(p.a, p.b, r.x);
  BOOST_TEST(r.residual_norm == true_norm, boost::test_tools::tolerance(1e-10));
  BOOST_TEST(r.converged == (r.reason == Reason::converged));
  const bool least_squares = method == Method::lsqr || method == Method::lsmr;
  if (least_squares) {
    BOOST_TEST(*r.normal_residual_norm == normal_residual(p.a, p.b, r.x), boost::test_tools::tolerance(1e-8));
  }
  std::string error_text = "-";
  if (!p.reference.empty()) {
    const double error = relative_error_2(r.x, p.reference);
    std::ostringstream text;
    text << std::setprecision(3) << error;
    error_text = text.str();
    if (r.converged && least_squares && p.a.rows() > p.a.cols()) {
      // Normal equations: ||x - x*|| <= ||(A^T A)^{-1}|| ||A^T r||, i.e. cond^2 rtol relative.
      BOOST_TEST(error <= 10.0 * p.info.cond * p.info.cond * rtol + 1e-12);
    } else if (r.converged && !least_squares) {
      BOOST_TEST(error <= 1.01 * p.info.cond * true_norm / norm2(p.b) + 1e-12);
    }
  }
  if (r.converged && !least_squares && !(method == Method::minres && preconditioned)) {
    BOOST_TEST(true_norm <= rtol * norm2(p.b));  // (preconditioned MINRES tests the P-norm)
  }
  if (!r.converged) BOOST_TEST(true_norm > rtol * norm2(p.b));  // it did not hide a success either
  BOOST_TEST_MESSAGE(p.name << " " << p.a.rows() << "x" << p.a.cols() << " " << method_name(method)
                            << (preconditioned ? "+jacobi" : "") << ": " << r.iterations << " iterations, "
                            << reason_name(r.reason) << ", relative residual " << true_norm / norm2(p.b)
                            << ", error vs dense " << error_text);
}

std::vector<std::filesystem::path> files_of(Kind kind) {
  std::vector<std::filesystem::path> out;
  for (const auto& f : matrix_files()) {
    const auto it = known.find(f.stem().string());
    if (it != known.end() && it->second.kind == kind) out.push_back(f);
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(krylov_matrices)

BOOST_AUTO_TEST_CASE(spd_matrices) {
  const auto files = files_of(Kind::spd);
  BOOST_TEST(files.size() == 8u);
  const double rtol = 1e-10;
  for (const auto& file : files) {
    const Problem p = load(file);
    BOOST_TEST_CONTEXT(p.name) {
      const int limit = static_cast<int>(std::min<std::size_t>(5 * p.a.rows(), 10000));
      const OperatorPtr jac = jacobi_inverse(p.a.diagonal());
      for (Method m : {Method::cg, Method::minres}) {
        for (bool pre : {false, true}) {
          const SolveResult r = solve(m, p.a, p.b, {.rtol = rtol, .max_iterations = limit, .preconditioner = pre ? jac : nullptr});
          check_run(p, m, pre, r, rtol);
          // Jacobi-preconditioned CG and MINRES solve every one of them; plain ones all but bcsstk13.
          if (pre || p.name != "bcsstk13") BOOST_TEST(r.converged);
        }
      }
      for (Method m : {Method::gmres, Method::bicgstab}) {
        const SolveResult r = solve(m, p.a, p.b, {.rtol = rtol, .max_iterations = limit, .preconditioner = jac, .restart = 50});
        check_run(p, m, true, r, rtol);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(cg_iteration_counts_match_scipy) {
  // Same b, same rule (||r|| <= 1e-8 ||b||): within 5% of SciPy's counts, where both converge.
  for (const auto& file : files_of(Kind::spd)) {
    const Problem p = load(file);
    const auto [plain_ref, jacobi_ref] = scipy_cg_iterations.at(p.name);
    const SolveResult plain = cg(p.a, p.b, {.rtol = 1e-8, .max_iterations = 20000});
    const SolveResult pre = cg(p.a, p.b, {.rtol = 1e-8, .max_iterations = 20000, .preconditioner = jacobi_inverse(p.a.diagonal())});
    BOOST_TEST_MESSAGE(p.name << ": cg " << plain.iterations << " (SciPy " << plain_ref << "), jacobi-pcg "
                              << pre.iterations << " (SciPy " << jacobi_ref << ")");
    BOOST_TEST_CONTEXT(p.name) {
      BOOST_TEST(plain.converged == (plain_ref < 20000));
      BOOST_TEST(std::abs(plain.iterations - plain_ref) <= 0.05 * plain_ref);
      BOOST_TEST(pre.converged);
      BOOST_TEST(std::abs(pre.iterations - jacobi_ref) <= 0.05 * jacobi_ref);
    }
  }
}

BOOST_AUTO_TEST_CASE(nonsymmetric_matrices) {
  const auto files = files_of(Kind::nonsymmetric);
  BOOST_TEST(files.size() == 5u);
  const double rtol = 1e-10;
  for (const auto& file : files) {
    const Problem p = load(file);
    BOOST_TEST_CONTEXT(p.name) {
      const int limit = static_cast<int>(std::min<std::size_t>(4 * p.a.rows(), 5000));
      const SolveResult g = gmres(p.a, p.b, {.rtol = rtol, .max_iterations = limit, .restart = 50});
      check_run(p, Method::gmres, false, g, rtol);
      const SolveResult s = bicgstab(p.a, p.b, {.rtol = rtol, .max_iterations = limit});
      check_run(p, Method::bicgstab, false, s, rtol);
      if (krylov_hard(p.name)) {
        // An honest failure: a reason other than converged, never a claimed success.
        BOOST_TEST(!g.converged);
        BOOST_TEST(!s.converged);
        BOOST_TEST((g.reason == Reason::max_iterations || g.reason == Reason::stagnation));
      } else {
        BOOST_TEST(g.converged);
      }
      const Vector diag = p.a.diagonal();
      if (std::all_of(diag.begin(), diag.end(), [](double d) { return d != 0.0; })) {
        const OperatorPtr jac = jacobi_inverse(diag);
        check_run(p, Method::gmres, true, gmres(p.a, p.b, {.rtol = rtol, .max_iterations = limit, .preconditioner = jac, .restart = 50}), rtol);
        check_run(p, Method::bicgstab, true, bicgstab(p.a, p.b, {.rtol = rtol, .max_iterations = limit, .preconditioner = jac}), rtol);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(rectangular_matrices) {
  const auto files = files_of(Kind::rectangular);
  BOOST_TEST(files.size() == 3u);
  const double rtol = 1e-10;
  for (const auto& file : files) {
    const Problem p = load(file);
    BOOST_TEST_CONTEXT(p.name) {
      for (Method m : {Method::lsqr, Method::lsmr}) {
        const SolveResult r = solve(m, p.a, p.b, {.rtol = rtol, .max_iterations = 20 * static_cast<int>(p.a.cols())});
        BOOST_TEST(r.converged);
        check_run(p, m, false, r, rtol);
        if (p.a.rows() < p.a.cols()) {
          // Consistent: the minimum-norm solution, to the accuracy cond * relres allows.
          BOOST_TEST(relative_error_2(r.x, p.reference) <= p.info.cond * r.residual_norm / norm2(p.b) + 1e-8);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(spectra_of_spd_matrices) {
  // Lanczos' largest eigenvalue against LAPACK (n <= 1200), Hutchinson against the exact trace.
  for (const auto& file : files_of(Kind::spd)) {
    const Problem p = load(file);
    BOOST_TEST_CONTEXT(p.name) {
      const LanczosResult l = lanczos(p.a, {.count = 2, .basis_size = 40});
      BOOST_TEST(l.converged);
      BOOST_TEST(l.residual_norms[0] <= 1e-8 * l.eigenvalues[0]);
      if (p.a.rows() <= 1200) {
        const Vector exact = symmetric_eigen(p.a.to_dense()).values;
        BOOST_TEST(std::abs(l.eigenvalues[0] - exact.back()) <= 1e-8 * exact.back());
        // The second is an eigenvalue too, though not always lambda_{n-1}: gr_900_900_crg (a square
        // grid) has it double, and one start vector sees one direction of each eigenspace.
        double nearest = exact.back();
        for (double e : exact) if (std::abs(e - l.eigenvalues[1]) < std::abs(nearest - l.eigenvalues[1])) nearest = e;
        BOOST_TEST(std::abs(l.eigenvalues[1] - nearest) <= 1e-8 * exact.back());
        BOOST_TEST(l.eigenvalues[1] <= l.eigenvalues[0]);
      }
      double trace = 0.0;
      for (double d : p.a.diagonal()) trace += d;
      const TraceResult t = hutchinson_trace(p.a, {.probes = 50, .seed = 3});
      BOOST_TEST(std::abs(t.estimate - trace) <= 4.0 * t.standard_error + 1e-12 * std::abs(trace));
      BOOST_TEST_MESSAGE(p.name << ": lambda_max " << l.eigenvalues[0] << " in " << l.operator_products
                                << " products; trace " << trace << ", Hutchinson(50) " << t.estimate << " +- "
                                << t.standard_error);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
