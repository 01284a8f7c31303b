#include "frechet/petsc/distributed_laplacian.hpp"

#include <limits>
#include <string>
#include <vector>

#include "frechet/core/error.hpp"
#include "halo.hpp"

namespace frechet {
namespace {

constexpr OperatorTraits spd{.symmetric = true, .positive_semidefinite = true, .positive_definite = true};

void check_grid(std::size_t nx, std::size_t ny, std::size_t nz) {
  if (nx == 0 || ny == 0 || nz == 0)
    throw ArgumentError("distributed_laplacian_3d: grid dimensions must be positive, got " + std::to_string(nx) + "x" +
                        std::to_string(ny) + "x" + std::to_string(nz));
  // Global indices must fit PetscInt and SparseIndex; entries only per rank (checked where stored).
  if (nx * ny * nz > static_cast<std::size_t>(std::numeric_limits<SparseIndex>::max()))
    throw ArgumentError("distributed_laplacian_3d: " + std::to_string(nx * ny * nz) +
                        " unknowns exceed the 32-bit index limit of frechet and of this PETSc build");
}

// y = 6 u - (the neighbours of u) on one line of nx points: c the line, the four lines beside it
// in y and z (a line of zeros where the neighbour is outside the domain), the x neighbours within.
void stencil_line(std::size_t nx, const double* c, const double* south, const double* north, const double* below,
                  const double* above, double* y) {
  if (nx == 1) {
    y[0] = 6 * c[0] - south[0] - north[0] - below[0] - above[0];
    return;
  }
  y[0] = 6 * c[0] - c[1] - south[0] - north[0] - below[0] - above[0];
  for (std::size_t i = 1; i + 1 < nx; ++i)
    y[i] = 6 * c[i] - c[i - 1] - c[i + 1] - south[i] - north[i] - below[i] - above[i];
  const std::size_t l = nx - 1;
  y[l] = 6 * c[l] - c[l - 1] - south[l] - north[l] - below[l] - above[l];
}

// The matrix-free slab operator. The halo holds the plane below the slab (if any) then the plane
// above it (if any).
class DistributedLaplacian3d final : public DistributedOperator {
public:
  DistributedLaplacian3d(MPI_Comm comm, std::size_t nx, std::size_t ny, std::size_t nz, LocalRange planes)
      : DistributedOperator(comm, planes.size * nx * ny, planes.size * nx * ny, spd),
        nx_(nx), ny_(ny), planes_(planes.size), has_below_(planes.size > 0 && planes.begin > 0),
        has_above_(planes.size > 0 && planes.begin + planes.size < nz), zeros_(nx, 0.0) {
    const std::size_t plane = nx * ny;
    std::vector<SparseIndex> ghosts;
    if (has_below_)
      for (std::size_t p = 0; p < plane; ++p) ghosts.push_back(static_cast<SparseIndex>((planes.begin - 1) * plane + p));
    if (has_above_)
      for (std::size_t p = 0; p < plane; ++p)
        ghosts.push_back(static_cast<SparseIndex>((planes.begin + planes.size) * plane + p));
    halo_ = std::make_shared<detail::Halo>(comm, rows(), ghosts);
  }

  Vector diagonal() const override { return Vector(rows(), 6.0); }

private:
  void apply_impl(ConstVectorView x, VectorView y) const override {
    if (planes_ == 0) {  // still a party to the collective exchange
      halo_->begin_gather(x);
      halo_->finish_gather();
      return;
    }
    halo_->begin_gather(x);
    for (std::size_t k = 1; k + 1 < planes_; ++k) apply_plane(x, y, k, x.data() + (k - 1) * plane(), x.data() + (k + 1) * plane());
    const ConstVectorView ghosts = halo_->finish_gather();
    const double* ghost_below = has_below_ ? ghosts.data() : nullptr;
    const double* ghost_above = has_above_ ? ghosts.data() + (has_below_ ? plane() : 0) : nullptr;
    const double* first_below = ghost_below;
    const double* first_above = planes_ > 1 ? x.data() + plane() : ghost_above;
    apply_plane(x, y, 0, first_below, first_above);
    if (planes_ > 1) apply_plane(x, y, planes_ - 1, x.data() + (planes_ - 2) * plane(), ghost_above);
  }

  void apply_adjoint_impl(ConstVectorView x, VectorView y) const override { apply_impl(x, y); }

  std::size_t plane() const { return nx_ * ny_; }

  // Plane k of the slab; below and above are the neighbouring planes, null outside the domain.
  void apply_plane(ConstVectorView x, VectorView y, std::size_t k, const double* below, const double* above) const {
    const double* zero = zeros_.data();
    const double* c = x.data() + k * plane();
    double* out = y.data() + k * plane();
    for (std::size_t j = 0; j < ny_; ++j) {
      const std::size_t o = j * nx_;
      stencil_line(nx_, c + o, j > 0 ? c + o - nx_ : zero, j + 1 < ny_ ? c + o + nx_ : zero,
                   below != nullptr ? below + o : zero, above != nullptr ? above + o : zero, out + o);
    }
  }

  std::size_t nx_, ny_, planes_;
  bool has_below_, has_above_;
  Vector zeros_;  // the neighbour line outside the domain
  std::shared_ptr<detail::Halo> halo_;
};

}  // namespace

DistributedCsrMatrix distributed_laplacian_3d(MPI_Comm comm, std::size_t nx, std::size_t ny, std::size_t nz) {
  check_grid(nx, ny, nz);
  const LocalRange planes = split_ownership(comm, nz);
  const std::size_t plane = nx * ny, n = plane * nz, m = plane * planes.size;
  if (7 * m > static_cast<std::size_t>(std::numeric_limits<SparseIndex>::max()))
    throw ArgumentError("distributed_laplacian_3d: this rank's " + std::to_string(7 * m) +
                        " entries exceed the 32-bit index limit; use more ranks");
  std::vector<SparseIndex> offsets(m + 1, 0), columns;
  Vector values;
  columns.reserve(7 * m);
  values.reserve(7 * m);
  // laplacian_3d's rows, in its order: -z, -y, -x, centre, +x, +y, +z keeps each row sorted.
  std::size_t local = 0;
  for (std::size_t k = planes.begin; k < planes.begin + planes.size; ++k)
    for (std::size_t j = 0; j < ny; ++j)
      for (std::size_t i = 0; i < nx; ++i, ++local) {
        const std::size_t row = (k * ny + j) * nx + i;
        const auto put = [&](std::size_t c, double v) {
          columns.push_back(static_cast<SparseIndex>(c));
          values.push_back(v);
        };
        if (k > 0) put(row - plane, -1.0);
        if (j > 0) put(row - nx, -1.0);
        if (i > 0) put(row - 1, -1.0);
        put(row, 6.0);
        if (i + 1 < nx) put(row + 1, -1.0);
        if (j + 1 < ny) put(row + nx, -1.0);
        if (k + 1 < nz) put(row + plane, -1.0);
        offsets[local + 1] = static_cast<SparseIndex>(columns.size());
      }
  return DistributedCsrMatrix(comm, CsrMatrix(m, n, std::move(offsets), std::move(columns), std::move(values)), m, spd);
}

std::shared_ptr<const DistributedOperator> distributed_laplacian_3d_operator(MPI_Comm comm, std::size_t nx,
                                                                            std::size_t ny, std::size_t nz) {
  check_grid(nx, ny, nz);
  return std::make_shared<const DistributedLaplacian3d>(comm, nx, ny, nz, split_ownership(comm, nz));
}

}  // namespace frechet
