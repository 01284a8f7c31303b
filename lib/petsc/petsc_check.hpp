#pragma once
// PETSc error codes into frechet exceptions, and frechet exceptions out of PETSc's callbacks: the one
// place where the two error models meet. PetscCall works only in functions returning PetscErrorCode,
// and Debian's PETSc is built as C (no PetscCallThrow), so frechet code calls check().

#include <petscsys.h>

#include <exception>
#include <string>

#include "frechet/core/error.hpp"

namespace frechet::detail {

/// Throws NumericalError "PETSc <call> failed: <PETSc's message>" unless code is 0.
inline void check(PetscErrorCode code, const char* call) {
  if (code == 0) return;
  const char* text = nullptr;
  PetscErrorMessage(code, &text, nullptr);
  throw NumericalError(std::string("PETSc ") + call + " failed: " + (text != nullptr ? text : "error") + " (code " +
                       std::to_string(static_cast<int>(code)) + ")");
}

/// Where a callback that PETSc calls (a shell product, a monitor) keeps the exception it caught, so
/// that no exception crosses PETSc's C frames: the callback returns PETSC_ERR_LIB, PETSc unwinds
/// with error codes, and the frechet function that called PETSc rethrows the original exception.
struct CallbackErrors {
  std::exception_ptr error;

  /// Runs f; an exception is stored and becomes PETSC_ERR_LIB (the first one is kept).
  template <class F> PetscErrorCode guard(F&& f) noexcept {
    try {
      f();
      return 0;
    } catch (...) {
      if (!error) error = std::current_exception();
      return PETSC_ERR_LIB;
    }
  }

  /// After a PETSc call: rethrows a stored callback exception, else check(code, call).
  void rethrow_or_check(PetscErrorCode code, const char* call) {
    if (error) {
      std::exception_ptr e = error;
      error = nullptr;
      std::rethrow_exception(e);
    }
    check(code, call);
  }
};

}  // namespace frechet::detail
