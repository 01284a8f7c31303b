#pragma once
/// \file
/// The owning vector of doubles, and the views that functions take, so that any contiguous storage
/// works without copies.

#include <span>
#include <utility>
#include <vector>

namespace frechet {

/// An owning, contiguous vector of doubles: a std::vector<double> in every respect (it converts
/// both ways, and spans view it), but a type of namespace frechet. That is what lets a function
/// written once for every mode, `[](const auto& x) { return sum(exp(x)) + dot(x, x); }`, find
/// frechet's operations by argument-dependent lookup on plain vectors too, as it does on dual and
/// tape vectors, with no using-directive at the caller (doc/architecture.md, "Vector").
class Vector : public std::vector<double> {
public:
  using std::vector<double>::vector;
  Vector() = default;
  /// From a std::vector<double>, copied or moved.
  Vector(const std::vector<double>& v) : std::vector<double>(v) {}             // NOLINT(google-explicit-constructor)
  Vector(std::vector<double>&& v) noexcept : std::vector<double>(std::move(v)) {}  // NOLINT(google-explicit-constructor)
};

/// A mutable view of contiguous doubles (the output argument of kernels and operators).
using VectorView = std::span<double>;
/// A read-only view of contiguous doubles (the input argument of kernels and operators).
using ConstVectorView = std::span<const double>;

}  // namespace frechet
