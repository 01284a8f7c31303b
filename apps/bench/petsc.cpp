// PETSc layer benchmark (issue #17), run under mpiexec at 1 and 2 ranks: CG time per iteration on the
// 3D Laplacian, frechet-on-PETSc (to_petsc_matrix of frechet's distributed operators) against PETSc's
// own in the same run and the same KSP (KSPCG, no preconditioner, the unpreconditioned norm, a fixed
// iteration count): assembled (PETSc's MPIAIJ) and matrix-free (PETSc's idiomatic DMDA shell). At one
// rank also frechet's serial cg. Then the distributed adjoint's time over its forward solve, and
// Hutchinson's trace estimate per probe (at one rank against the serial estimator).
#include <CLI/CLI.hpp>
#include <petscdmda.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "frechet/krylov/cg.hpp"
#include "frechet/krylov/hutchinson.hpp"
#include "frechet/linop/laplacian.hpp"
#include "frechet/petsc/petsc.hpp"

namespace {

using frechet::Vector;

// PETSc's matrix-free 7-point Laplacian on a DMDA (z-slabs, so that its numbering is frechet's):
// DMGlobalToLocal for the ghost planes, then one loop over the owned points.
struct DmdaLaplacian {
  DM da = nullptr;
  Vec local = nullptr;
  Mat shell = nullptr;
  ~DmdaLaplacian() {
    MatDestroy(&shell);
    VecDestroy(&local);
    DMDestroy(&da);
  }
};

PetscErrorCode dmda_mult(Mat a, Vec x, Vec y) {
  DmdaLaplacian* s = nullptr;
  PetscFunctionBeginUser;
  PetscCall(MatShellGetContext(a, &s));
  PetscCall(DMGlobalToLocalBegin(s->da, x, INSERT_VALUES, s->local));
  PetscCall(DMGlobalToLocalEnd(s->da, x, INSERT_VALUES, s->local));
  PetscInt xs, ys, zs, xm, ym, zm, mx, my, mz;
  PetscCall(DMDAGetInfo(s->da, nullptr, &mx, &my, &mz, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                        nullptr, nullptr));
  PetscCall(DMDAGetCorners(s->da, &xs, &ys, &zs, &xm, &ym, &zm));
  const PetscScalar*** u;
  PetscScalar*** v;
  PetscCall(DMDAVecGetArrayRead(s->da, s->local, &u));
  PetscCall(DMDAVecGetArray(s->da, y, &v));
  for (PetscInt k = zs; k < zs + zm; ++k)
    for (PetscInt j = ys; j < ys + ym; ++j)
      for (PetscInt i = xs; i < xs + xm; ++i) {
        double r = 6 * u[k][j][i];
        if (i > 0) r -= u[k][j][i - 1];
        if (i < mx - 1) r -= u[k][j][i + 1];
        if (j > 0) r -= u[k][j - 1][i];
        if (j < my - 1) r -= u[k][j + 1][i];
        if (k > 0) r -= u[k - 1][j][i];
        if (k < mz - 1) r -= u[k + 1][j][i];
        v[k][j][i] = r;
      }
  PetscCall(DMDAVecRestoreArrayRead(s->da, s->local, &u));
  PetscCall(DMDAVecRestoreArray(s->da, y, &v));
  PetscFunctionReturn(0);
}

PetscErrorCode dmda_diagonal(Mat, Vec d) { return VecSet(d, 6.0); }

void check(PetscErrorCode code, const char* call) {
  if (code != 0) throw frechet::NumericalError(std::string("PETSc ") + call + " failed");
}

std::unique_ptr<DmdaLaplacian> dmda_laplacian(MPI_Comm comm, PetscInt n, PetscInt local_rows) {
  auto s = std::make_unique<DmdaLaplacian>();
  check(DMDACreate3d(comm, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, n, n, n, 1, 1,
                     PETSC_DECIDE, 1, 1, nullptr, nullptr, nullptr, &s->da),
        "DMDACreate3d");
  check(DMSetUp(s->da), "DMSetUp");
  check(DMCreateLocalVector(s->da, &s->local), "DMCreateLocalVector");
  check(MatCreateShell(comm, local_rows, local_rows, n * n * n, n * n * n, s.get(), &s->shell), "MatCreateShell");
  check(MatShellSetOperation(s->shell, MATOP_MULT, reinterpret_cast<void (*)(void)>(dmda_mult)), "MatShellSetOperation");
  check(MatShellSetOperation(s->shell, MATOP_GET_DIAGONAL, reinterpret_cast<void (*)(void)>(dmda_diagonal)),
        "MatShellSetOperation");
  return s;
}

// KSPCG on a PETSc Mat as the benchmark fixes it: no preconditioner, the unpreconditioned
// norm, exactly `iterations` iterations (rtol 1e-30). Both variants run through this same KSP code, so
// that only the matrix differs.
struct FixedCg {
  KSP ksp = nullptr;
  Vec b = nullptr, x = nullptr;
  FixedCg(Mat a, int iterations) {
    PC pc = nullptr;
    check(KSPCreate(PetscObjectComm(reinterpret_cast<PetscObject>(a)), &ksp), "KSPCreate");
    check(KSPSetOperators(ksp, a, a), "KSPSetOperators");
    check(KSPSetType(ksp, KSPCG), "KSPSetType");
    check(KSPGetPC(ksp, &pc), "KSPGetPC");
    check(PCSetType(pc, PCNONE), "PCSetType");
    check(KSPSetNormType(ksp, KSP_NORM_UNPRECONDITIONED), "KSPSetNormType");
    check(KSPSetTolerances(ksp, 1e-30, 0.0, PETSC_DEFAULT, iterations), "KSPSetTolerances");
    check(MatCreateVecs(a, &x, &b), "MatCreateVecs");
    check(VecSet(b, 1.0), "VecSet");
    check(KSPSetUp(ksp), "KSPSetUp");
  }
  FixedCg(const FixedCg&) = delete;
  FixedCg& operator=(const FixedCg&) = delete;
  ~FixedCg() {
    VecDestroy(&b);
    VecDestroy(&x);
    KSPDestroy(&ksp);
  }
  std::function<void()> solve() {
    return [this] {
      MPI_Barrier(PetscObjectComm(reinterpret_cast<PetscObject>(ksp)));
      check(KSPSolve(ksp, b, x), "KSPSolve");
      PetscReal norm = 0;
      check(VecNorm(x, NORM_2, &norm), "VecNorm");
      frechet::bench::keep(norm);
    };
  }
};

// The implicit layer's test problem at scale: F(x, theta) = A x + theta_0 x^3 - theta_1 1, A the
// distributed 3D Laplacian, F_x assembled as A with its diagonal raised (so that Jacobi reads it).
frechet::DistributedRootProblem cubic_problem(std::shared_ptr<const frechet::DistributedCsrMatrix> a) {
  frechet::DistributedRootProblem p;
  p.comm = a->comm();
  p.residual = [a](frechet::ConstVectorView x, frechet::ConstVectorView theta, frechet::VectorView f) {
    a->apply(x, f);
    for (std::size_t i = 0; i < x.size(); ++i) f[i] += theta[0] * x[i] * x[i] * x[i] - theta[1];
  };
  p.jacobian_x = [a](frechet::ConstVectorView x, frechet::ConstVectorView theta) -> frechet::OperatorPtr {
    const frechet::CsrMatrix& l = a->local_rows();
    Vector values(l.values().begin(), l.values().end());
    for (std::size_t i = 0; i < l.rows(); ++i)
      for (auto e = l.row_offsets()[i]; e < l.row_offsets()[i + 1]; ++e)
        if (static_cast<std::size_t>(l.col_indices()[e]) == a->row_begin() + i) values[e] += 3 * theta[0] * x[i] * x[i];
    const frechet::CsrMatrix j(l.rows(), l.cols(),
                               std::vector<frechet::SparseIndex>(l.row_offsets().begin(), l.row_offsets().end()),
                               std::vector<frechet::SparseIndex>(l.col_indices().begin(), l.col_indices().end()),
                               std::move(values));
    return std::make_shared<const frechet::DistributedCsrMatrix>(a->comm(), j, a->cols(), a->traits());
  };
  p.theta_vjp = [comm = a->comm()](frechet::ConstVectorView x, frechet::ConstVectorView, frechet::ConstVectorView w) {
    double local[2] = {0.0, 0.0};
    for (std::size_t i = 0; i < x.size(); ++i) {
      local[0] += x[i] * x[i] * x[i] * w[i];
      local[1] -= w[i];
    }
    Vector total(2);
    MPI_Allreduce(local, total.data(), 2, MPI_DOUBLE, MPI_SUM, comm);
    return total;
  };
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  frechet::PetscSession session(argc, argv);
  CLI::App app("CG per iteration on the distributed 3D Laplacian: frechet-on-PETSc against PETSc's own KSPCG, "
               "assembled and matrix-free; and the distributed adjoint over its forward solve",
               "bench_petsc");
  app.option_defaults()->always_capture_default();
  int n = 100, iterations = 200, repeats = 5, adjoint_n = 60, probes = 20;
  bool json = false;
  app.add_option("--n", n, "grid side: n^3 unknowns");
  app.add_option("--iterations", iterations, "CG iterations per timed solve (fixed: rtol 1e-30)");
  app.add_option("--repeats", repeats, "timed solves per variant, interleaved; the median is reported");
  app.add_option("--adjoint-n", adjoint_n, "grid side of the adjoint problem");
  app.add_option("--probes", probes, "Rademacher probes per timed Hutchinson trace estimate");
  app.add_flag("--json", json, "print the JSON report");
  app.allow_extras();  // PETSc's own options (-log_view, ...)
  CLI11_PARSE(app, argc, argv);
  {
    frechet::bench::set_threads(1);
    const MPI_Comm comm = session.comm();
    const auto side = static_cast<std::size_t>(n);
    nlohmann::json report = frechet::bench::json_report("petsc");
    const frechet::PetscSolveOptions cg_options{.method = "cg", .rtol = 1e-30, .max_iterations = iterations};

    // Assembled: PETSc's MPIAIJ and frechet's DistributedCsrMatrix, the same rows.
    const auto csr = std::make_shared<const frechet::DistributedCsrMatrix>(
        frechet::distributed_laplacian_3d(comm, side, side, side));
    {
      const frechet::PetscMatrix aij = frechet::to_petsc_aij(*csr), shell = frechet::to_petsc_matrix(csr);
      FixedCg kspcg(aij.get(), iterations), frechet_cg(shell.get(), iterations);
      const auto t = frechet::bench::interleaved_medians({kspcg.solve(), frechet_cg.solve()}, repeats);
      nlohmann::json c{{"case", "assembled"},
                       {"ranks", session.size()},
                       {"unknowns", csr->global_rows()},
                       {"iterations", iterations},
                       {"frechet_layout", std::string(csr->diagonal_block().layout())},
                       {"ms_per_iteration_kspcg", 1e3 * t[0] / iterations},
                       {"ms_per_iteration_frechet", 1e3 * t[1] / iterations},
                       {"ratio_kspcg_to_frechet", t[0] / t[1]}};
      if (session.size() == 1) {  // frechet's own serial cg, same rule and iterations
        const frechet::CsrMatrix serial = frechet::laplacian_3d(side, side, side);
        const Vector b(serial.rows(), 1.0);
        const double s = frechet::bench::median_of_calls(
            [&] { frechet::bench::keep(frechet::cg(serial, b, {.rtol = 1e-30, .max_iterations = iterations}).residual_norm); },
            repeats);
        c["ms_per_iteration_serial"] = 1e3 * s / iterations;
        c["ratio_serial_to_petsc"] = s / t[1];
      }
      report["cases"].push_back(c);
    }
    // Matrix-free: PETSc's DMDA shell and frechet's slab operator.
    {
      const auto dmda = dmda_laplacian(comm, n, static_cast<PetscInt>(csr->rows()));
      PetscInt lo = 0, hi = 0;
      Vec probe = nullptr;
      check(DMCreateGlobalVector(dmda->da, &probe), "DMCreateGlobalVector");
      check(VecGetOwnershipRange(probe, &lo, &hi), "VecGetOwnershipRange");
      VecDestroy(&probe);
      if (static_cast<std::size_t>(lo) != csr->row_begin() || static_cast<std::size_t>(hi - lo) != csr->rows())
        throw frechet::NumericalError("the DMDA's partition is not frechet's z-slabs");
      const frechet::PetscMatrix shell =
          frechet::to_petsc_matrix(frechet::distributed_laplacian_3d_operator(comm, side, side, side));
      FixedCg kspcg(dmda->shell, iterations), frechet_cg(shell.get(), iterations);
      const auto t = frechet::bench::interleaved_medians({kspcg.solve(), frechet_cg.solve()}, repeats);
      report["cases"].push_back({{"case", "matrix_free"},
                                 {"ranks", session.size()},
                                 {"unknowns", csr->global_rows()},
                                 {"iterations", iterations},
                                 {"ms_per_iteration_kspcg", 1e3 * t[0] / iterations},
                                 {"ms_per_iteration_frechet", 1e3 * t[1] / iterations},
                                 {"ratio_kspcg_to_frechet", t[0] / t[1]}});
    }
    // The adjoint: petsc_implicit_vjp (KSPSolveTranspose with the kept Jacobi) against a forward solve
    // with J(x*) to the same tolerance, each from scratch.
    {
      const auto as = static_cast<std::size_t>(adjoint_n);
      const auto a = std::make_shared<const frechet::DistributedCsrMatrix>(frechet::distributed_laplacian_3d(comm, as, as, as));
      const frechet::DistributedRootProblem problem = cubic_problem(a);
      const Vector theta{0.5, 2.0};
      const frechet::NewtonResult root = frechet::petsc_root_find(problem, Vector(a->rows(), 0.0), theta, {.rtol = 1e-10},
                                                                  {.method = "gmres", .pc_type = "jacobi"});
      if (!root.converged) throw frechet::NumericalError("the adjoint benchmark's Newton iteration did not converge");
      const frechet::PetscMatrix jacobian = frechet::to_petsc_matrix(problem.jacobian_x(root.x, theta), comm);
      int forward_iterations = 0;
      const auto t = frechet::bench::interleaved_medians(
          {[&] {
             MPI_Barrier(comm);
             const auto r = frechet::petsc_solve(jacobian, root.x, {.method = "gmres", .pc_type = "jacobi", .rtol = 1e-10});
             forward_iterations = r.iterations;
           },
           [&] {
             MPI_Barrier(comm);
             frechet::bench::keep(frechet::petsc_implicit_vjp(problem, root, theta, root.x)[0]);
           }},
          repeats);
      report["cases"].push_back({{"case", "adjoint"},
                                 {"ranks", session.size()},
                                 {"unknowns", a->global_rows()},
                                 {"newton_iterations", root.iterations},
                                 {"forward_iterations", forward_iterations},
                                 {"ms_forward_solve", 1e3 * t[0]},
                                 {"ms_adjoint", 1e3 * t[1]},
                                 {"ratio_adjoint_to_forward", t[1] / t[0]}});
    }
    // Hutchinson's trace on the assembled Laplacian: the serial estimator's body on this rank's rows
    // (each rank's slice of every probe, one reduction); at one rank also hutchinson_trace itself.
    {
      const frechet::HutchinsonOptions h{.probes = probes};
      std::vector<std::function<void()>> calls{[&] {
        MPI_Barrier(comm);
        frechet::bench::keep(frechet::petsc_hutchinson_trace(*csr, h).estimate);
      }};
      const frechet::CsrMatrix serial = session.size() == 1 ? frechet::laplacian_3d(side, side, side) : frechet::CsrMatrix();
      if (session.size() == 1) calls.push_back([&] { frechet::bench::keep(frechet::hutchinson_trace(serial, h).estimate); });
      const auto t = frechet::bench::interleaved_medians(calls, repeats);
      nlohmann::json c{{"case", "hutchinson_trace"},
                       {"ranks", session.size()},
                       {"unknowns", csr->global_rows()},
                       {"probes", probes},
                       {"ms_per_probe_petsc", 1e3 * t[0] / probes}};
      if (session.size() == 1) {
        c["ms_per_probe_serial"] = 1e3 * t[1] / probes;
        c["ratio_serial_to_petsc"] = t[1] / t[0];
      }
      report["cases"].push_back(c);
    }
    if (session.rank() == 0) {
      if (json) {
        frechet::bench::print_json(report);
      } else {
        for (const auto& c : report["cases"]) std::printf("%s\n", c.dump().c_str());
      }
    }
  }
  return 0;
}
