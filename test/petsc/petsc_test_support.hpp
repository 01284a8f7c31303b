#pragma once
// What the PETSc suite's tests share: the communicator, this rank's slice of a serial vector, and
// errors reduced over the ranks (the same value on every rank).

#include <petscsys.h>

#include <algorithm>
#include <cmath>
#include <ostream>

#include "frechet/core/vector.hpp"
#include "frechet/krylov/solve_result.hpp"
#include "frechet/petsc/distributed_operator.hpp"

namespace frechet {
/// Boost.Test prints a failed comparison of reasons by name.
inline std::ostream& operator<<(std::ostream& out, Reason reason) { return out << reason_name(reason); }
}  // namespace frechet

namespace frechet::testing {

inline MPI_Comm world() { return PETSC_COMM_WORLD; }

inline int world_size() {
  int size = 1;
  MPI_Comm_size(world(), &size);
  return size;
}

/// Entries [begin, begin + size) of a serial vector.
inline Vector slice(ConstVectorView x, std::size_t begin, std::size_t size) {
  return Vector(x.begin() + static_cast<std::ptrdiff_t>(begin), x.begin() + static_cast<std::ptrdiff_t>(begin + size));
}

/// max over all ranks of max_i |a_i - b_i|, divided by the max over all ranks of max_i |b_i|.
inline double global_relative_error(MPI_Comm comm, ConstVectorView a, ConstVectorView b) {
  double local[2] = {a.size() == b.size() ? 0.0 : INFINITY, 0.0};
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    local[0] = std::max(local[0], std::abs(a[i] - b[i]));
    local[1] = std::max(local[1], std::abs(b[i]));
  }
  double global[2] = {0.0, 0.0};
  MPI_Allreduce(local, global, 2, MPI_DOUBLE, MPI_MAX, comm);
  return global[0] / std::max(global[1], 1e-300);
}

/// True on every rank when ok holds on every rank.
inline bool on_every_rank(MPI_Comm comm, bool ok) {
  int mine = ok ? 1 : 0, all = 0;
  MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, comm);
  return all == 1;
}

}  // namespace frechet::testing
