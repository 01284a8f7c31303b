#include "frechet/ad/tape.hpp"

#include <algorithm>
#include <string>

namespace frechet {
namespace detail {

void throw_stale(const char* operation, std::uint32_t variable_generation, std::uint32_t tape_generation) {
  throw Error(std::string(operation) + ": variable recorded at generation " +
              std::to_string(variable_generation) + " of a tape that was cleared since (now generation " +
              std::to_string(tape_generation) + ")");
}

void throw_mixed_tapes(const char* operation) {
  throw ArgumentError(std::string(operation) + ": arguments are recorded on two different tapes");
}

void throw_tape_full(const char* operation) {
  throw ArgumentError(std::string(operation) + ": the tape has used all 2^32 - 1 adjoint indices");
}

void throw_statement_buffer_full(std::size_t needed) {
  throw ArgumentError("TapeScalar expression: the tape would hold " + std::to_string(needed) +
                      " statement operands, more than its limit of 2^31 - 1");
}

namespace {

template <class S> std::size_t vector_bytes(const VectorOf<S>& v) {
  if constexpr (std::is_same_v<S, double>) {
    return v.capacity() * sizeof(double);
  } else {
    return vector_bytes<typename S::value_type>(v.value) + vector_bytes<typename S::value_type>(v.tangent);
  }
}

template <class S> std::size_t vector_length(const VectorOf<S>& v) { return v.size(); }

// Grows an owning vector of level S to at least n entries (new entries zero).
template <class S> void grow_to(VectorOf<S>& v, std::size_t n) {
  if (v.size() >= n) return;
  const std::size_t target = std::max(n, 2 * v.size());
  if constexpr (std::is_same_v<S, double>) {
    v.resize(target, 0.0);
  } else {
    grow_to<typename S::value_type>(v.value, target);
    grow_to<typename S::value_type>(v.tangent, target);
  }
}

// Gives `out` the first n entries of `adjoints` by exchanging the two arrays' storage, and leaves
// `adjoints` all zero with its old length (in out's old storage, whose capacity, after the first
// exchange, is the tape's own).
template <class S> void hand_over(VectorOf<S>& adjoints, VectorOf<S>& out, std::size_t n) {
  if constexpr (std::is_same_v<S, double>) {
    const std::size_t length = adjoints.size();
    std::swap(adjoints, out);
    out.resize(n);
    adjoints.assign(length, 0.0);
  } else {
    hand_over<typename S::value_type>(adjoints.value, out.value, n);
    hand_over<typename S::value_type>(adjoints.tangent, out.tangent, n);
  }
}

}  // namespace
}  // namespace detail

template <class S> Tape<S>::~Tape() = default;

template <class S>
detail::Slot Tape<S>::allocate(std::size_t rows, std::size_t cols, const char* operation) {
  const std::size_t n = rows * cols;
  if (next_index_ + n >= detail::no_index ||
      values_used_ + n >= detail::no_index || rows >= detail::no_index || cols >= detail::no_index) {
    detail::throw_tape_full(operation);
  }
  detail::grow_to<S>(values_, values_used_ + n);
  detail::Slot s;
  s.offset = static_cast<std::uint32_t>(values_used_);
  s.index = take_indices(n);
  s.rows = static_cast<std::uint32_t>(rows);
  s.cols = static_cast<std::uint32_t>(cols);
  values_used_ += n;
  return s;
}

template <class S>
detail::Slot Tape<S>::constant(std::span<const double> values, std::size_t rows, std::size_t cols) {
  const std::size_t n = rows * cols;
  if (constants_used_ + n >= detail::no_index) detail::throw_tape_full("tape constant");
  if (constants_.size() < constants_used_ + n) constants_.resize(std::max(constants_used_ + n, 2 * constants_.size()));
  std::copy(values.begin(), values.end(), constants_.begin() + static_cast<std::ptrdiff_t>(constants_used_));
  detail::Slot s;
  s.offset = static_cast<std::uint32_t>(constants_used_);
  s.rows = static_cast<std::uint32_t>(rows);
  s.cols = static_cast<std::uint32_t>(cols);
  s.constant = true;
  constants_used_ += n;
  return s;
}

template <class S>
detail::Slot Tape<S>::constant_of_level(detail::CView<S> values, std::size_t rows, std::size_t cols) {
  const std::size_t n = rows * cols;
  if (values_used_ + n >= detail::no_index) detail::throw_tape_full("tape constant");
  detail::grow_to<S>(values_, values_used_ + n);
  detail::Slot s;
  s.offset = static_cast<std::uint32_t>(values_used_);
  s.rows = static_cast<std::uint32_t>(rows);
  s.cols = static_cast<std::uint32_t>(cols);
  values_used_ += n;
  detail::copy(values, detail::sub(detail::view(values_), s.offset, n));
  return s;
}

template <class S>
detail::Slot Tape<S>::scalar_slot(const TapeScalar<S>& x, const char* operation) {
  if (x.is_constant()) {
    if constexpr (std::is_same_v<S, double>) {
      const double v = x.value();
      return constant(std::span<const double>(&v, 1), 1, 1);
    } else {
      VectorOf<S> v = detail::zeros<S>(1);
      detail::put(detail::view(v), 0, x.value());
      return constant_of_level(detail::cview(v), 1, 1);
    }
  }
  if (x.tape() != this) detail::throw_mixed_tapes(operation);
  check_generation(x.generation(), operation);
  if (!x.is_variable()) return scalar_slot(materialize(x, operation), operation);
  detail::grow_to<S>(values_, values_used_ + 1);
  detail::Slot s;
  s.offset = static_cast<std::uint32_t>(values_used_);
  s.index = x.index();
  s.rows = 1;
  s.cols = 1;
  values_used_ += 1;
  detail::put(detail::view(values_), s.offset, x.value());
  return s;
}

template <class S>
TapeScalar<S> Tape<S>::materialize(const TapeScalar<S>& x, const char* operation) {
  if (x.is_constant() || x.is_variable()) return x;
  if (x.tape() != this) detail::throw_mixed_tapes(operation);
  check_generation(x.generation(), operation);
  statements_.reserve(TapeScalar<S>::capacity);
  const std::uint32_t lhs = push_statement(0);
  for (int k = 0; k < TapeScalar<S>::capacity; ++k)
    if (x.term_index(k) != detail::no_index) statements_.push_operand(x.term_index(k), x.term_coefficient(k));
  return TapeScalar<S>(x.value(), this, lhs, generation());
}

template <class S>
detail::CView<S> Tape<S>::value_view(const detail::Slot& s) const {
  if (s.constant) return detail::lift<S>(std::span<const double>(constants_).subspan(s.offset, s.size()));
  if (s.borrowed != detail::no_index) return detail::sub(borrowed_[s.borrowed], s.offset, s.size());
  return detail::sub(detail::cview(values_), s.offset, s.size());
}

template <class S>
detail::View<S> Tape<S>::value_view_mutable(const detail::Slot& s) {
  // Only slots that allocate() made are written: never a constant or a borrowed array.
  if (s.constant || s.borrowed != detail::no_index)
    throw Error("Tape::value_view_mutable: a constant or borrowed value is read-only");
  return detail::sub(detail::view(values_), s.offset, s.size());
}

template <class S>
detail::View<S> Tape<S>::adjoint_view(const detail::Slot& s) {
  if (s.index == detail::no_index) return {};
  return detail::sub(detail::view(adjoints_), s.index, s.size());
}

template <class S>
void Tape<S>::push_node(std::unique_ptr<detail::Node<S>> node) {
  // Statements before the node are pulled back after it: an accumulation before it cannot take
  // terms recorded after it.
  end_accumulation();
  node->statement_position = statements_.statement_count();
  nodes_.push_back(std::move(node));
}

template <class S>
TapeScalar<S> Tape<S>::variable(const S& x) {
  const detail::Slot s = allocate(1, 1, "Tape::variable");
  detail::put(value_view_mutable(s), 0, x);
  inputs_.push_back({s.index, 1, false});
  return TapeScalar<S>(x, this, s.index, generation());
}

template <class S>
TapeVector<S> Tape<S>::variable(const VectorOf<S>& x) {
  const detail::Slot s = allocate(x.size(), 1, "Tape::variable");
  detail::copy(detail::cview(x), value_view_mutable(s));
  inputs_.push_back({s.index, static_cast<std::uint32_t>(x.size()), false});
  return TapeVector<S>(this, s);
}

template <class S>
TapeVector<S> Tape<S>::borrow(detail::CView<S> x, detail::ValuePointer<S> in_place) {
  if (next_index_ + x.size() >= detail::no_index || borrowed_.size() >= detail::no_index)
    detail::throw_tape_full("Tape::variable_view");
  detail::Slot s;
  s.offset = 0;
  s.index = take_indices(x.size());
  s.rows = static_cast<std::uint32_t>(x.size());
  s.cols = 1;
  s.borrowed = static_cast<std::uint32_t>(borrowed_.size());
  borrowed_.push_back(x);
  inputs_.push_back({s.index, static_cast<std::uint32_t>(x.size()), false});
  return TapeVector<S>(this, s, in_place);
}

// The two variable_view overloads exist for one tape type each (their constraints). Their bodies
// still compile for the other type, behind `if constexpr`, because clang 14 instantiates a member
// whose constraint fails when the class is explicitly instantiated (the end of this file); that
// branch is never called.
template <class S>
TapeVector<S> Tape<S>::variable_view(std::span<const double> x)
  requires std::is_same_v<S, double>
{
  if constexpr (std::is_same_v<S, double>) {
    return borrow(x, {x.data()});
  } else {
    __builtin_unreachable();
  }
}

template <class S>
TapeVector<S> Tape<S>::variable_view(std::span<const double> value, std::span<const double> tangent)
  requires std::is_same_v<S, Dual<double>>
{
  if constexpr (std::is_same_v<S, Dual<double>>) {
    check_size("Tape::variable_view: size of the tangent", value.size(), tangent.size());
    return borrow(detail::CView<S>(value, tangent), {value.data(), tangent.data()});
  } else {
    __builtin_unreachable();
  }
}

template <class S>
TapeMatrix<S> Tape<S>::variable(const MatrixOf<S>& x) {
  const detail::Slot s = allocate(x.rows(), x.cols(), "Tape::variable");
  detail::copy(detail::cview(x), value_view_mutable(s));
  inputs_.push_back({s.index, static_cast<std::uint32_t>(x.rows() * x.cols()), false});
  return TapeMatrix<S>(this, s);
}

template <class S>
void Tape<S>::ensure_adjoints() {
  if (adjoints_dirty_) {
    detail::fill_zero(detail::view(adjoints_));
    adjoints_dirty_ = false;
    inputs_dirty_ = false;
  }
  if (inputs_dirty_) {
    zero_inputs();
    inputs_dirty_ = false;
  }
  detail::grow_to<S>(adjoints_, next_index_);
}

template <class S>
void Tape<S>::zero_inputs() {
  auto adj = detail::view(adjoints_);
  for (InputRange& r : inputs_) {
    if (r.dirty && r.begin + r.count <= detail::vector_length<S>(adjoints_))
      detail::fill_zero(detail::sub(adj, r.begin, r.count));
    r.dirty = false;
  }
}

template <class S>
void Tape<S>::seed(const TapeScalar<S>& y, const S& cotangent) {
  if (y.is_constant()) return;
  if (y.tape() != this) detail::throw_mixed_tapes("Tape::seed");
  check_generation(y.generation(), "Tape::seed");
  ensure_adjoints();
  for (int k = 0; k < TapeScalar<S>::capacity; ++k)
    if (y.term_index(k) != detail::no_index)
      detail::add_at(detail::view(adjoints_), y.term_index(k), cotangent * y.term_coefficient(k));
}

template <class S>
void Tape<S>::seed(const TapeVector<S>& y, detail::CView<S> cotangent) {
  if (y.tape() != this) detail::throw_mixed_tapes("Tape::seed");
  check_generation(y.generation(), "Tape::seed");
  check_size("Tape::seed: size of the cotangent", y.size(), cotangent.size());
  ensure_adjoints();
  detail::axpy(1.0, cotangent, adjoint_view(y.slot()));
}

template <class S>
void Tape<S>::seed(const TapeMatrix<S>& y, detail::CView<S> cotangent) {
  if (y.tape() != this) detail::throw_mixed_tapes("Tape::seed");
  check_generation(y.generation(), "Tape::seed");
  check_size("Tape::seed: size of the cotangent", y.size(), cotangent.size());
  ensure_adjoints();
  detail::axpy(1.0, cotangent, adjoint_view(y.slot()));
}

namespace detail {
namespace {

// The adjoint array of a tape through raw pointers: one array for double, a value and a tangent
// array for dual numbers (the views' checks for an absent tangent stay out of the loop).
struct DoubleAdjoints {
  double* a;
  double get(std::uint32_t i) const { return a[i]; }
  void zero(std::uint32_t i) const { a[i] = 0.0; }
  void add(std::uint32_t i, double x) const { a[i] += x; }
};
struct DualAdjoints {
  double* v;
  double* t;
  Dual<double> get(std::uint32_t i) const { return Dual<double>(v[i], t[i]); }
  void zero(std::uint32_t i) const {
    v[i] = 0.0;
    t[i] = 0.0;
  }
  void add(std::uint32_t i, const Dual<double>& x) const {
    v[i] += x.value();
    t[i] += x.tangent();
  }
};
DoubleAdjoints adjoint_pointers(Vector& a) { return {a.data()}; }
DualAdjoints adjoint_pointers(DualVector<double>& a) { return {a.value.data(), a.tangent.data()}; }

}  // namespace
}  // namespace detail

template <class S>
void Tape<S>::run_statements(std::size_t begin, std::size_t end) {
  const auto adj = detail::adjoint_pointers(adjoints_);
  const detail::Statement* st = statements_.statements();
  const std::uint32_t* idx = statements_.index();
  const S* partial = statements_.partial();
  // The adjoint of an accumulating statement's old accumulator (f += ...) is carried in a register
  // to the statement before it, so a chain of accumulations neither stores nor reloads it.
  S carry = S(0.0);
  std::size_t last = end > begin ? statements_.operand_end(end - 1) : 0;
  for (std::size_t s = end; s-- > begin;) {
    if constexpr (!std::is_same_v<S, double>) {
      // The tape of duals (20 bytes per operand, and two adjoint arrays) is read backwards mostly
      // from memory, and the hardware prefetchers follow these descending streams poorly:
      // prefetching 256 statements and operands ahead shortens the HVP's reverse pass. On the
      // gradient's tape the same prefetches cost more than they save (doc/benchmarks.md).
      constexpr std::size_t ahead = 256;
      if (s >= ahead) __builtin_prefetch(st + s - ahead);
      if (last >= ahead) {
        __builtin_prefetch(idx + last - ahead);
        __builtin_prefetch(partial + last - ahead);
      }
    }
    const std::uint32_t lhs = st[s].lhs;
    const S own = adj.get(lhs);
    const S a = own + carry;
    // Most left-hand sides are read only by the next statement (through the carry) and hold zero:
    // leaving those lines clean saves writing them back.
    if (!detail::is_zero_scalar(own)) adj.zero(lhs);
    const std::size_t first = st[s].start();
    for (std::size_t k = first; k < last; ++k) adj.add(idx[k], partial[k] * a);
    carry = st[s].accumulates_previous() ? a : S(0.0);
    last = first;
  }
  // A vector node recorded between this range and the statement before it: hand the carry over.
  if (begin > 0 && !detail::is_zero_scalar(carry)) adj.add(st[begin - 1].lhs, carry);
}

template <class S>
void Tape<S>::backward() {
  ensure_adjoints();
  adjoints_dirty_ = true;
  std::size_t end = statements_.statement_count();
  for (std::size_t k = nodes_.size(); k-- > 0;) {
    detail::Node<S>& node = *nodes_[k];
    run_statements(node.statement_position, end);
    end = node.statement_position;
    node.pullback(*this);
  }
  run_statements(0, end);
  adjoints_dirty_ = false;
  inputs_dirty_ = true;
  for (InputRange& r : inputs_) r.dirty = true;
}

template <class S>
void Tape<S>::run_statements_forward(std::size_t begin, std::size_t end, detail::View<S> tangents) const {
  const detail::Statement* st = statements_.statements();
  const std::uint32_t* idx = statements_.index();
  const S* partial = statements_.partial();
  for (std::size_t s = begin; s < end; ++s) {
    // The flag stands for the operand "statement before, partial 1" (the accumulator's old value).
    S t = st[s].accumulates_previous() ? detail::at(tangents, st[s - 1].lhs) : S(0.0);
    const std::size_t last = statements_.operand_end(s);
    for (std::size_t k = st[s].start(); k < last; ++k) t += partial[k] * detail::at(tangents, idx[k]);
    detail::put(tangents, st[s].lhs, t);
  }
}

template <class S>
void Tape<S>::forward_sweep(detail::View<S> tangents) const {
  check_size("Tape::forward_sweep: size of the tangents", next_index_, tangents.size());
  // Nodes and statements in recording order: a node follows the statements recorded before it.
  std::size_t begin = 0;
  for (const auto& node : nodes_) {
    run_statements_forward(begin, node->statement_position, tangents);
    begin = node->statement_position;
    node->push_forward(*this, tangents);
  }
  run_statements_forward(begin, statements_.statement_count(), tangents);
}

template <class S>
S Tape<S>::adjoint(const TapeScalar<S>& x) const {
  if (x.is_constant()) return S(0.0);
  check_generation(x.generation(), "Tape::adjoint");
  if (!x.is_variable()) {
    throw ArgumentError("Tape::adjoint: the scalar is a combination c0 x_i + c1 x_j of variables, not a variable "
                        "of its own; read the adjoint of an independent variable");
  }
  if (x.index() >= detail::vector_length<S>(adjoints_)) return S(0.0);
  return detail::at(detail::cview(adjoints_), x.index());
}

template <class S>
VectorOf<S> Tape<S>::adjoint(const TapeVector<S>& x) const {
  check_generation(x.generation(), "Tape::adjoint");
  VectorOf<S> out = detail::zeros<S>(x.size());
  if (x.slot().index + x.size() <= detail::vector_length<S>(adjoints_))
    detail::copy(detail::sub(detail::cview(adjoints_), x.slot().index, x.size()), detail::view(out));
  return out;
}

template <class S>
void Tape<S>::take_adjoint(const TapeVector<S>& x, VectorOf<S>& out) {
  check_generation(x.generation(), "Tape::take_adjoint");
  if (x.slot().index + x.size() > detail::vector_length<S>(adjoints_)) {  // nothing reached it
    out = detail::zeros<S>(x.size());
    return;
  }
  const detail::View<S> adjoint = detail::sub(detail::view(adjoints_), x.slot().index, x.size());
  // After a complete pass only input ranges hold non-zeros. When x's range starts the array and no
  // other input holds a result, out may take the array itself, and the tape zeroes out's old
  // storage instead of copying x's range out and zeroing it: one pass less over x's range, and the
  // next reverse pass finds its zeroed array in the cache (doc/benchmarks.md).
  const bool others_clean = std::all_of(inputs_.begin(), inputs_.end(), [&](const InputRange& r) {
    return !r.dirty || (r.begin == x.slot().index && r.count == x.size());
  });
  if (out.size() == x.size() && x.slot().index == 0 && !adjoints_dirty_ && others_clean) {
    detail::hand_over<S>(adjoints_, out, x.size());
  } else if (out.size() == x.size()) {
    detail::move_out(adjoint, detail::view(out));
  } else {  // a new vector: copied, not zero-filled and then overwritten
    out = detail::to_vector(detail::CView<S>(adjoint));
    detail::fill_zero(adjoint);
  }
  // Its own input range is clean again; any other range still is what it was.
  bool any_dirty = false;
  for (InputRange& r : inputs_) {
    if (r.begin == x.slot().index && r.count == x.size()) r.dirty = false;
    any_dirty = any_dirty || r.dirty;
  }
  inputs_dirty_ = any_dirty;
}

template <class S>
MatrixOf<S> Tape<S>::adjoint(const TapeMatrix<S>& x) const {
  check_generation(x.generation(), "Tape::adjoint");
  MatrixOf<S> out = detail::zero_matrix<S>(x.rows(), x.cols());
  if (x.slot().index + x.size() <= detail::vector_length<S>(adjoints_))
    detail::copy(detail::sub(detail::cview(adjoints_), x.slot().index, x.size()), detail::view(out));
  return out;
}

template <class S>
void Tape<S>::clear() {
  // Adjoints stay zero between recordings, except input ranges holding the last results.
  if (adjoints_dirty_) {
    detail::fill_zero(detail::view(adjoints_));
  } else if (inputs_dirty_) {
    zero_inputs();
  }
  adjoints_dirty_ = false;
  inputs_dirty_ = false;
  ++generation_;
  next_index_ = 0;
  statements_.clear();
  end_accumulation();
  statements_.set_index_budget(detail::no_index);
  values_used_ = 0;
  constants_used_ = 0;
  borrowed_.clear();
  inputs_.clear();
  nodes_.clear();
}

template <class S>
std::size_t Tape<S>::memory_bytes() const {
  std::size_t bytes = statements_.bytes() +
                      detail::vector_bytes<S>(values_) + constants_.capacity() * sizeof(double) +
                      detail::vector_bytes<S>(adjoints_) + inputs_.capacity() * sizeof(inputs_[0]) +
                      nodes_.capacity() * sizeof(nodes_[0]);
  for (const auto& node : nodes_) bytes += node->bytes();
  return bytes;
}

template class Tape<double>;
template class Tape<Dual<double>>;

}  // namespace frechet
