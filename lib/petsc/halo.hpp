#pragma once
// The ghost exchange of a row-distributed operator: the entries of a distributed vector that this
// rank reads but other ranks own, gathered into a local buffer by a PETSc VecScatter (forward), and
// the buffer's contributions added back to their owners (reverse, for adjoint products).

#include <petscvec.h>

#include <span>
#include <vector>

#include "frechet/core/vector.hpp"
#include "frechet/linop/csr_matrix.hpp"

namespace frechet::detail {

class Halo {
public:
  /// Collective. owned is this rank's entry count of the distributed vector; ghosts the global
  /// indices this rank reads (ascending, none of them its own).
  Halo(MPI_Comm comm, std::size_t owned, std::span<const SparseIndex> ghosts);
  ~Halo();
  Halo(const Halo&) = delete;
  Halo& operator=(const Halo&) = delete;

  std::size_t ghost_count() const noexcept { return ghost_count_; }
  /// Starts gathering the ghost entries of x (this rank's part); x must stay valid until finish_gather.
  void begin_gather(ConstVectorView x);
  /// Completes the gather; the ghost entries, in the order of the constructor's ghosts.
  ConstVectorView finish_gather();
  /// The buffer to fill with contributions to the ghost entries, then scatter_add.
  VectorView ghost_buffer();
  /// y += the ghost buffer's entries added at their owners (y this rank's part). Collective.
  void scatter_add(VectorView y);

private:
  Vec owned_ = nullptr;  // a distributed vector without storage: the caller's arrays are placed in it
  Vec ghost_ = nullptr;  // sequential, ghost_count entries
  VecScatter scatter_ = nullptr;
  std::size_t ghost_count_ = 0;
  Vector ghost_storage_;  // ghost_'s array, so that no VecGetArray is needed to read or fill it
};

}  // namespace frechet::detail
