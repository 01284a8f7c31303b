#pragma once
/// \file
/// The hot paths of recording, inline: evaluating an expression into a statement, accumulations
/// f += e, element access. Included by tape.hpp; internal to the AD layer.

namespace frechet {

// ================================================================================================
// Inline definitions (the hot paths of recording).

template <class S>
template <class E>
FRECHET_AD_INLINE TapeScalar<S> TapeScalar<S>::evaluate(const E& e) {
  if constexpr (std::is_same_v<E, TapeScalar<S>>) {
    return e;
  } else {
    if (e.tape == nullptr) {  // an expression of constants is a constant: no terms
      TapeScalar c;
      c.value_ = e.value();
      return c;
    }
    return e.tape->record(e);
  }
}

namespace detail {
/// The terms of an expression with repeated indices merged: each index kept at its first position
/// with the (compensated) sum of its partials, later copies emptied (no_index). The positions are
/// compile-time, so the comparisons the compiler can decide (the same variable read twice, a variable
/// against an empty term) fold away.
template <class S, int N>
struct MergedTerms {
  std::uint32_t index[N];
  S partial[N];
};

// -0 in every part: x + negative_zero is x for every x (signed zeros included), so the compiler
// folds the compensation of a term that no merge can reach.
inline double negative_zero(double) { return -0.0; }
template <class T> Dual<T> negative_zero(const Dual<T>&) { return Dual<T>(negative_zero(T{}), negative_zero(T{})); }

// Merges term K of t into the first earlier term J with the same index (compile-time positions, so
// the terms stay in registers), as a compensated sum: p_J + p_K = s + e exactly, with s = fl(p_J +
// p_K) kept in p_J and the rounding error e (Knuth's TwoSum, componentwise for dual numbers) added
// to the compensation c_J, which merge_terms adds back at the end (Neumaier's summation).
// Why: a combination used twice, as in (r - r) with r = k x_1 + ..., expands into the partials k and
// -k of x_1 beside x_1's other partials. Summed left to right, a partial smaller than ulp(k) is
// absorbed (0.5 - 1e17 + 1e17 = 0) where a tape that recorded r would have cancelled k first; the
// compensation keeps it. Without cancellation fl(s + c) is s: the result is what it was.
template <int K, class S, int N> FRECHET_AD_INLINE void merge_repeated_term(MergedTerms<S, N>& t, S (&c)[N]) {
  const auto merge = [&](S& into, S& compensation) FRECHET_AD_LAMBDA_INLINE {
    const S s = into + t.partial[K];
    const S from_into = s - t.partial[K];
    compensation = compensation + ((into - from_into) + (t.partial[K] - (s - from_into)));
    into = s;
    t.index[K] = no_index;
  };
  [&]<int... J>(std::integer_sequence<int, J...>) FRECHET_AD_LAMBDA_INLINE {
    (void)((t.index[J] == t.index[K] ? (merge(t.partial[J], c[J]), true) : false) || ...);
  }(std::make_integer_sequence<int, K>{});
}
// Filled in place: returned by value, the aggregate is copied, which the compiler does not elide
// for dual and `auto` expressions (instruction counts in doc/benchmarks.md).
template <class E, class S, int N> FRECHET_AD_INLINE void merge_terms(const E& e, MergedTerms<S, N>& t) {
  [&]<int... K>(std::integer_sequence<int, K...>) FRECHET_AD_LAMBDA_INLINE {
    S c[N];
    ((t.index[K] = e.index[K], t.partial[K] = e.partial[K], c[K] = negative_zero(e.partial[K])), ...);
    (merge_repeated_term<K>(t, c), ...);
    ((t.partial[K] = t.partial[K] + c[K]), ...);
  }(std::make_integer_sequence<int, N>{});
}
}  // namespace detail

template <class S>
template <class E>
FRECHET_AD_INLINE TapeScalar<S> Tape<S>::record(const E& e) {
  check_generation(e.generation, "TapeScalar expression");
  constexpr int n = E::capacity;
  constexpr int kept = TapeScalar<S>::capacity;
  static_assert(kept == 2, "the compaction below is written for two terms");
  detail::MergedTerms<S, n> t;
  detail::merge_terms(e, t);
  if constexpr (n <= kept) {
    // Fits as it is (merging leaves holes, which a TapeScalar allows): no statement.
    return TapeScalar<S>(e.value(), this, generation(), t.index[0], t.partial[0],
                         n > 1 ? t.index[n - 1] : detail::no_index, n > 1 ? t.partial[n - 1] : S(0.0));
  } else {
    // The first two distinct variables, and how many there are.
    int survivors = 0;
    std::uint32_t i0 = detail::no_index, i1 = detail::no_index;
    S c0 = S(0.0), c1 = S(0.0);
    [&]<int... K>(std::integer_sequence<int, K...>) FRECHET_AD_LAMBDA_INLINE {
      ((t.index[K] != detail::no_index
            ? (survivors == 0 ? (i0 = t.index[K], c0 = t.partial[K], 0)
                              : (survivors == 1 ? (i1 = t.index[K], c1 = t.partial[K], 0) : 0),
               ++survivors)
            : 0),
       ...);
    }(std::make_integer_sequence<int, n>{});
    if (survivors <= kept) return TapeScalar<S>(e.value(), this, generation(), i0, c0, i1, c1);
    statements_.reserve(static_cast<std::size_t>(n));
    const std::uint32_t lhs = push_statement(0);
    [&]<int... K>(std::integer_sequence<int, K...>) FRECHET_AD_LAMBDA_INLINE {
      ((t.index[K] != detail::no_index ? statements_.push_operand(t.index[K], t.partial[K]) : void()), ...);
    }(std::make_integer_sequence<int, n>{});
    return TapeScalar<S>(e.value(), this, lhs, generation());
  }
}

template <class S>
template <bool Subtract, class E>
FRECHET_AD_INLINE void Tape<S>::record_accumulation(TapeScalar<S>& f, const E& e) {
  // Both current (one test for the two): f and e are on this tape, e's tape was checked by the caller.
  if (((f.generation() ^ generation()) | (e.generation ^ generation())) != 0)
    detail::throw_stale("TapeScalar +=", f.generation() != generation() ? f.generation() : e.generation, generation());
  constexpr int n = E::capacity;
  detail::MergedTerms<S, n> t;
  detail::merge_terms(e, t);
  // The old value of the accumulator, when the previous statement assigned it (the usual case), is
  // the statement's flag rather than an operand; otherwise its terms are operands.
  const auto push_e = [&]<int... K>(std::integer_sequence<int, K...>) FRECHET_AD_LAMBDA_INLINE {
    ((t.index[K] != detail::no_index ? statements_.push_operand(t.index[K], Subtract ? S(-t.partial[K]) : t.partial[K])
                                     : void()),
     ...);
  };
  const S value = Subtract ? S(f.value_ - e.value()) : S(f.value_ + e.value());
  // f lives in the caller's memory, so every field written costs a store per statement.
  if (f.index_[0] == open_accumulator_) {
    // f is the open accumulator (no other variable holds its index, so nothing has read the value
    // it stands for, and its statement is the last one): e's terms join that statement. (f is on a
    // tape, so its first term is a variable and never no_index, the value when nothing is open.)
    statements_.reserve_operands(static_cast<std::size_t>(n));
    push_e(std::make_integer_sequence<int, n>{});
    f.value_ = value;
    return;
  }
  statements_.reserve(static_cast<std::size_t>(n) + TapeScalar<S>::capacity);
  if (f.index_[0] == statements_.last_lhs() && f.index_[1] == detail::no_index && detail::is_one(f.coefficient_[0])) {
    // f holds the previous statement's variable (one term, coefficient 1, this tape and
    // generation), and will hold this statement's: only its value and index change.
    f.index_[0] = push_statement(detail::Statement::accumulates);
    push_e(std::make_integer_sequence<int, n>{});
    f.value_ = value;
  } else {
    const std::uint32_t lhs = push_statement(0);
    [&]<int... K>(std::integer_sequence<int, K...>) FRECHET_AD_LAMBDA_INLINE {
      ((f.index_[K] != detail::no_index ? statements_.push_operand(f.index_[K], f.coefficient_[K]) : void()), ...);
    }(std::make_integer_sequence<int, TapeScalar<S>::capacity>{});
    push_e(std::make_integer_sequence<int, n>{});
    f = TapeScalar<S>(value, this, lhs, generation());
  }
  f.accumulating_ = true;
  open_accumulator_ = f.index_[0];
}

template <class E> FRECHET_AD_INLINE TapeScalar<detail::ExprScalar<E>> detail::to_scalar(const E& e) {
  return TapeScalar<detail::ExprScalar<E>>(e);
}

template <class S>
template <class E>
FRECHET_AD_INLINE TapeScalar<S>& TapeScalar<S>::operator+=(const E& e) {
  if constexpr (std::is_same_v<std::remove_cvref_t<E>, TapeScalar>) {
    return *this += detail::unary<S>(e, e.value(), detail::PlusOne{});
  } else if constexpr (TapeExpression<E>) {
    // Through e's tape (the same one): the compiler then knows it from the reads of e's operands.
    if (e.tape == tape_ && e.tape != nullptr) {
      e.tape->template record_accumulation<false>(*this, e);
      return *this;
    }
  }
  return *this = evaluate(*this + e);
}
template <class S>
template <class E>
FRECHET_AD_INLINE TapeScalar<S>& TapeScalar<S>::operator-=(const E& e) {
  if constexpr (std::is_same_v<std::remove_cvref_t<E>, TapeScalar>) {
    return *this -= detail::unary<S>(e, e.value(), detail::PlusOne{});
  } else if constexpr (TapeExpression<E>) {
    // Through e's tape (the same one): the compiler then knows it from the reads of e's operands.
    if (e.tape == tape_ && e.tape != nullptr) {
      e.tape->template record_accumulation<true>(*this, e);
      return *this;
    }
  }
  return *this = evaluate(*this - e);
}
template <class S>
template <class E>
FRECHET_AD_INLINE TapeScalar<S>& TapeScalar<S>::operator*=(const E& e) {
  return *this = evaluate(*this * e);
}
template <class S>
template <class E>
FRECHET_AD_INLINE TapeScalar<S>& TapeScalar<S>::operator/=(const E& e) {
  return *this = evaluate(*this / e);
}

template <class S>
FRECHET_AD_INLINE TapeScalar<S> TapeVector<S>::operator[](std::size_t i) const {
  // Only a default-constructed handle has no tape, and reading it is a precondition violation;
  // knowing the tape is not null lets the compiler drop the constant-accumulator test of f += x[i].
  if (tape_ == nullptr) __builtin_unreachable();
  tape_->check_generation(generation_, "TapeVector::operator[]");
  const std::uint32_t index = slot_.index + static_cast<std::uint32_t>(i);
  // allocate() keeps every index below no_index; telling the compiler lets it fold the merging of
  // expression terms against the unused term of a variable.
  if (index == detail::no_index) __builtin_unreachable();
  const S value = in_place_.value != nullptr ? in_place_.at(i) : tape_->value_at(slot_.offset + static_cast<std::uint32_t>(i));
  return TapeScalar<S>(value, tape_, index, generation_);
}

template <class S>
TapeScalar<S> TapeMatrix<S>::operator()(std::size_t i, std::size_t j) const {
  tape_->check_generation(generation_, "TapeMatrix::operator()");
  const auto k = static_cast<std::uint32_t>(i + j * slot_.rows);
  return TapeScalar<S>(tape_->value_at(slot_.offset + k), tape_, slot_.index + k, generation_);
}

template <class S>
VectorOf<S> TapeVector<S>::value() const {
  tape_->check_generation(generation_, "TapeVector::value");
  VectorOf<S> out = detail::zeros<S>(size());
  detail::copy(tape_->value_view(slot_), detail::view(out));
  return out;
}

template <class S>
MatrixOf<S> TapeMatrix<S>::value() const {
  tape_->check_generation(generation_, "TapeMatrix::value");
  MatrixOf<S> out = detail::zero_matrix<S>(rows(), cols());
  detail::copy(tape_->value_view(slot_), detail::view(out));
  return out;
}

}  // namespace frechet
