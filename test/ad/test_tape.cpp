// The tape: scalar-style recording, reuse and memory, stale and mixed variables, non-finite values.
#include <boost/test/unit_test.hpp>

#include <limits>
#include <utility>

#include "ad_test_support.hpp"

using namespace frechet;
using frechet::testing::relative_error;

namespace {

// Extended Rosenbrock written with scalar operations, once for every scalar type.
template <class V> scalar_t<V> rosenbrock(const V& x) {
  using T = scalar_t<V>;
  T f = 0.0;
  for (std::size_t i = 0; i + 1 < x.size(); i += 2) {
    const T a = x[i + 1] - x[i] * x[i];
    const T b = 1.0 - x[i];
    f += 100.0 * a * a + b * b;
  }
  return f;
}

// The same with unevaluated `auto` intermediates: one statement per term.
template <class V> scalar_t<V> rosenbrock_auto(const V& x) {
  scalar_t<V> f = 0.0;
  for (std::size_t i = 0; i + 1 < x.size(); i += 2) {
    const auto a = x[i + 1] - x[i] * x[i];
    const auto b = 1.0 - x[i];
    f += 100.0 * a * a + b * b;
  }
  return f;
}

// A std::span<const T> function, as existing scalar code is often written.
template <class T> T span_sum_of_squares(std::span<const T> x) {
  T s = 0.0;
  for (const T& v : x) s += v * v;
  return s;
}

// A random straight-line program over a few scalar registers, the same for every scalar type (the
// generator is seeded inside): combinations of up to two variables, statements, accumulations with
// and without the flag, copies, constants and vector nodes between statements, in random order.
// Every operation keeps values bounded, so that finite differences stay meaningful.
template <class V> scalar_t<V> random_program(const V& x, std::uint64_t seed) {
  using T = scalar_t<V>;
  Random rng(seed);
  std::vector<T> r;
  for (std::size_t i = 0; i < x.size(); ++i) r.push_back(x[i]);
  r.push_back(T(0.5));  // a constant register
  const auto pick = [&] { return static_cast<std::size_t>(rng.next_u64() % r.size()); };
  for (int step = 0; step < 40; ++step) {
    const std::size_t d = pick(), a = pick(), b = pick();
    switch (rng.next_u64() % 18) {
      case 0: r[d] = 0.5 * (r[a] + r[b]); break;
      case 1: r[d] = r[a] - 0.5 * r[b]; break;
      case 2: r[d] = tanh(r[a] * r[b]); break;
      case 3: r[d] = sin(r[a]) + 0.5 * r[b] * r[a]; break;
      case 4: r[d] += 0.5 * sin(r[a] * r[b]); break;
      case 5: r[d] -= exp(0.1 * r[a]); break;
      case 6: r[d] = r[a]; break;                        // a copy is the same variable
      case 7: r[d] += 0.1 * r[d] * cos(r[a]); break;     // the accumulator in its own update
      case 8: r[d] = r[a] / (2.0 + r[b] * r[b]); break;
      case 9: r[d] += 0.01 * frechet::dot(x, x) * r[a]; break;  // a vector node between statements
      case 10: {
        const auto e = r[a] * r[b];  // an unevaluated expression used twice
        r[d] = 0.5 * tanh(e) + 0.1 * e * r[d];
        break;
      }
      case 11: r[d] *= 0.5 + 0.25 * cos(r[a]); break;
      case 12: {
        using std::max;
        r[d] = -r[a] + max(r[b], r[d]);
        break;
      }
      case 13: r[d] /= 1.5 + sin(r[b]); break;
      case 14: r[d] = 0.5 * r[d] - (r[a] - r[b]) * 0.25; break;
      case 15: {  // an accumulation chain (one statement), read half-way by a copy and an expression
        r[d] += 0.5 * r[a] * r[b];
        r[d] -= 0.25 * r[b];
        const T kept = r[d];
        const T scaled = 0.5 * r[d];
        r[d] += 0.125 * r[a] * r[a];
        r[a] = 0.5 * kept + scaled;
        break;
      }
      case 16: r[d] += 0.3 * r[a] * r[b]; break;  // usually joins the accumulation before it
      case 17: r.push_back(r[d]); r[d] += 0.2 * r[a]; break;  // a copy in a growing vector
    }
  }
  T s = 0.0;
  for (const T& v : r) s += v;
  return s;
}

Vector rosenbrock_gradient(const Vector& x) {
  Vector g(x.size(), 0.0);
  for (std::size_t i = 0; i + 1 < x.size(); i += 2) {
    const double a = x[i + 1] - x[i] * x[i];
    g[i] = -400.0 * x[i] * a - 2.0 * (1.0 - x[i]);
    g[i + 1] = 200.0 * a;
  }
  return g;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tape)

BOOST_AUTO_TEST_CASE(scalar_style_gradient_and_hvp) {
  Random rng(1);
  for (std::size_t n : {2u, 10u, 1000u}) {
    const Vector x = rng.gaussian_vector(n);
    const auto f = [](const auto& v) { return rosenbrock(v); };
    const auto [value, g] = value_and_grad(f, x);
    BOOST_TEST(value == rosenbrock(x));
    BOOST_TEST(relative_error(g, rosenbrock_gradient(x)) <= 1e-14);
    BOOST_TEST(relative_error(grad([](const auto& v) { return rosenbrock_auto(v); }, x), g) <= 1e-14);
    const Vector v = rng.gaussian_vector(n);
    // H v of Rosenbrock by hand: per pair (x0, x1), H = [[1200 x0^2 - 400 x1 + 2, -400 x0], [-400 x0, 200]].
    Vector hv(n, 0.0);
    for (std::size_t i = 0; i + 1 < n; i += 2) {
      hv[i] = (1200 * x[i] * x[i] - 400 * x[i + 1] + 2) * v[i] - 400 * x[i] * v[i + 1];
      hv[i + 1] = -400 * x[i] * v[i] + 200 * v[i + 1];
    }
    BOOST_TEST(relative_error(hvp(f, x, v), hv) <= 1e-13);
  }
}

BOOST_AUTO_TEST_CASE(statements_only_where_more_than_two_variables_meet) {
  Tape<> tape;
  const auto x = tape.variable(Vector{0.5, 1.5, -0.5, 2.0, 1.0, -1.0});
  const TapeScalar<> f = rosenbrock(x);
  // a = x1 - x0^2 and b = 1 - x0 depend on at most two variables: kept as combinations, no
  // statement. The first f += gives f = c0 x0 + c1 x1 (no statement); the second meets four
  // variables (one statement, four operands); the third adds its two variables to that statement,
  // since nothing has read f in between (six operands in all).
  BOOST_TEST(tape.statement_count() == 1u);
  BOOST_TEST(tape.node_count() == 0u);
  BOOST_TEST(tape.operand_count() == 6u);
  tape.clear();
  const auto y = tape.variable(Vector{0.5, 1.5, -0.5, 2.0, 1.0, -1.0});
  const TapeScalar<> g = rosenbrock_auto(y);
  BOOST_TEST(tape.statement_count() == 1u);  // the same tape: `auto` intermediates are combinations too
  BOOST_TEST(tape.operand_count() == 6u);
  tape.seed(g, 1.0);
  tape.backward();
  BOOST_TEST(relative_error(tape.adjoint(y), rosenbrock_gradient(Vector{0.5, 1.5, -0.5, 2.0, 1.0, -1.0})) <= 1e-15);
  (void)f;
}

BOOST_AUTO_TEST_CASE(accumulations_in_every_shape) {
  // f += e records f's old value as a flag on the statement when the previous statement assigned f,
  // and as an operand otherwise; each shape is checked in every mode (check_rule: finite
  // differences, duality, HVP, forward-over-forward).
  const Vector x{0.3, -1.2, 2.0, 0.7};
  const auto across_a_node = [](const auto& z) {
    using T = scalar_t<decltype(z)>;
    T f = z[0] * z[1] + z[2] * z[3] + z[0];  // a statement
    const T s = frechet::dot(z, z);          // a vector node between two accumulations
    f += z[1] * z[2] + s;                    // flag: carried across the node
    return f;
  };
  const auto accumulator_in_its_own_update = [](const auto& z) {
    using T = scalar_t<decltype(z)>;
    T f = z[0] * z[1] * z[2];
    f += z[3] * z[0] * f;  // old f with partial 1 (flag) and with partial z3 z0 (operand)
    f -= f * z[1];
    return f;
  };
  const auto copy_then_accumulate = [](const auto& z) {
    using T = scalar_t<decltype(z)>;
    T f = z[0] * z[1] * z[2];
    const T kept = f;          // the old value stays in use
    const T g = z[3] * z[2] * z[1];  // another statement in between: f is an operand, not a flag
    f += z[3] * g;
    f -= 2.0 * z[0];
    return f * kept + sin(f);
  };
  const auto constants_and_other_shapes = [](const auto& z) {
    using T = scalar_t<decltype(z)>;
    T f = 1.5;  // a constant accumulator
    f += z[0];
    f += 2.0 * z[1] * z[0];
    f += T(3.0);
    f -= exp(z[2]) * z[3];
    T h = z[0] * z[1] * z[3];
    for (int k = 0; k < 3; ++k) h += h * z[k];
    return f * h;
  };
  frechet::testing::check_rule("accumulation across a vector node", across_a_node, x, 11, {}, true);
  frechet::testing::check_rule("accumulator in its own update", accumulator_in_its_own_update, x, 12, {}, true);
  frechet::testing::check_rule("copy, then accumulate", copy_then_accumulate, x, 13, {}, true);
  frechet::testing::check_rule("constant accumulators", constants_and_other_shapes, x, 14, {}, true);
  Tape<> tape;
  const auto xv = tape.variable(x);
  (void)across_a_node(xv);
  BOOST_TEST(tape.node_count() == 1u);
}

BOOST_AUTO_TEST_CASE(an_accumulation_is_one_statement_until_it_is_read) {
  // f += e on the accumulator the previous `+=` assigned joins that statement, so a loop of
  // accumulations is one statement. Anything that reads the accumulator in between (a copy, an
  // expression, a rule, a vector node recorded after it) makes its statement final: a reader holds
  // the index as the value it had then.
  const Vector x{0.3, -1.2, 2.0, 0.7, -0.4, 1.1};
  Tape<> tape;
  {
    const auto z = tape.variable(x);
    TapeScalar<> f = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) f += z[i] * z[(i + 1) % x.size()] * z[(i + 2) % x.size()];
    BOOST_TEST(tape.statement_count() == 2u);  // the first `+=` on a constant, then one accumulation
    BOOST_TEST(tape.index_count() == x.size() + 2);
    // Reading the index ends the accumulation: the next `+=` is a statement of its own.
    (void)f.index();
    f += z[0] * z[3];
    BOOST_TEST(tape.statement_count() == 3u);
    (void)f.term_index(0);
    f += z[0] * z[3];
    BOOST_TEST(tape.statement_count() == 4u);
    // Once read, f is no longer an accumulator: copying it again leaves another accumulation open
    // (and so never writes to a tape that may be gone by then).
    const TapeScalar<> kept = f;
    TapeScalar<> g = z[1] * z[2] * z[3];
    g += z[4] * z[5];
    const TapeScalar<> again = f;
    g += z[0] * z[5];
    BOOST_TEST(tape.statement_count() == 6u);
    (void)kept;
    (void)again;
  }
  // The next recording on the tape reuses the adjoint indices: the open accumulation of the last
  // one must not carry over to a statement that now has the same left-hand side.
  const auto statements_then_copy = [](const auto& z) {
    using T = scalar_t<decltype(z)>;
    const T g = z[0] * z[1] * z[2];
    T h = z[1] * z[2] * z[3];  // the left-hand side that was the open accumulation before
    const T kept = h;
    h += z[4] * z[5];
    return g * h * kept;
  };
  const Vector expected = grad(statements_then_copy, x);
  tape.clear();
  {
    const auto z = tape.variable(x);
    TapeScalar<> f = z[0] * z[1] * z[2];  // statement 6
    f += z[3] * z[4] * z[5];              // statement 7, open when the tape is cleared
  }
  tape.clear();
  BOOST_TEST(relative_error(grad(tape, statements_then_copy, x), expected) <= 1e-15);
  const auto copied_half_way = [](const auto& z) {
    using T = scalar_t<decltype(z)>;
    T f = z[0] * z[1] * z[2];
    f += z[3] * z[4] * z[5];
    const T kept = f;  // the copy ends the accumulation
    f += z[1] * z[2] * z[3];
    T assigned = z[0];
    assigned = f;  // so does a copy assignment
    f += z[2] * z[2];
    const T moved = std::move(f);  // and a move, which copies (the source stays valid)
    f += z[0] * z[5];
    return f * kept + (assigned + moved) * z[3];
  };
  const auto read_by_an_expression = [](const auto& z) {
    using T = scalar_t<decltype(z)>;
    T f = z[0] * z[1] * z[2];
    f += z[3] * z[4];
    const T g = 2.0 * f;  // a scaled variable: holds f's index, no statement of its own
    f += z[5] * z[1];
    return f * g + sin(g);
  };
  const auto node_in_between = [](const auto& z) {
    using T = scalar_t<decltype(z)>;
    T f = z[0] * z[1] * z[2];
    f += z[3] * z[4];
    const T s = frechet::sum(frechet::square(z));  // statements before a node run after its pullback
    f += s * z[5];
    return f;
  };
  const auto through_a_rule = [](const auto& z) {
    using T = scalar_t<decltype(z)>;
    T f = z[0] * z[1] * z[2];
    f += z[3] * z[4];
    const auto v = frechet::stack(std::span<const T>(&f, 1));  // the rule reads f's index, no copy
    f += z[5] * z[2];
    return f * frechet::dot(v, v);
  };
  const auto copies_in_a_vector = [](const auto& z) {
    using T = scalar_t<decltype(z)>;
    std::vector<T> partial_sums;
    T f = z[0] * z[1] * z[2];
    for (std::size_t i = 0; i < z.size(); ++i) {
      f += z[i] * z[(i + 3) % z.size()];
      partial_sums.push_back(f);
    }
    T s = 0.0;
    for (std::size_t i = 0; i < partial_sums.size(); ++i) s += partial_sums[i] * z[i];
    return s;
  };
  frechet::testing::check_rule("accumulator copied half-way", copied_half_way, x, 21, {}, true);
  frechet::testing::check_rule("accumulator read by an expression", read_by_an_expression, x, 22, {}, true);
  frechet::testing::check_rule("vector node inside an accumulation", node_in_between, x, 23, {}, true);
  frechet::testing::check_rule("accumulator read by a rule", through_a_rule, x, 24, {}, true);
  frechet::testing::check_rule("partial sums kept in a vector", copies_in_a_vector, x, 25, {}, true);
}

BOOST_AUTO_TEST_CASE(expressions_of_constants_are_constants) {
  // Found by the random programs: a constant built from an expression of constants must carry no
  // term, or a later expression would read it as a variable (index 0 of the tape).
  Tape<> tape;
  const auto x = tape.variable(Vector{0.3, -1.2});
  const TapeScalar<> c0 = 0.5;
  const TapeScalar<> c = c0 / (2.0 + c0 * c0);
  BOOST_TEST(c.is_constant());
  BOOST_TEST(c.term_count() == 0);
  TapeScalar<> s = x[1] * x[1];
  s += c;
  tape.seed(s, 1.0);
  tape.backward();
  BOOST_TEST(relative_error(tape.adjoint(x), Vector{0.0, -2.4}) <= 1e-15);
  const TapeScalar<Dual<double>> d0(Dual<double>(0.5, 1.0));
  const TapeScalar<Dual<double>> d = d0 * d0 + 1.0;
  BOOST_TEST(d.is_constant());
  BOOST_TEST(d.term_count() == 0);
}

BOOST_AUTO_TEST_CASE(a_combination_used_twice_keeps_small_partials) {
  // Found by fuzz_tape (test/fuzz/corpus/tape/combination_used_twice): r3 is a combination with a
  // partial of about 1e17 in x[1], used twice in r3 - r3. Its expanded terms, 0.5 - 0.25e17 + 0.25e17
  // for x[1], summed left to right gave 0 instead of 0.5; the merge now sums them compensated.
  const auto f = [](const auto& x) {
    using T = frechet::scalar_t<std::remove_cvref_t<decltype(x)>>;
    T r3 = x[0] * 0.0 + 1e17;
    r3 /= 1.5 + sin(x[1]);
    const T r1 = 0.5 * x[1] - (r3 - r3) * 0.25;
    return r1 * r1;
  };
  const Vector x{0.3, -0.7};
  const double r1 = 0.5 * x[1];
  const Vector expected{0.0, 2.0 * r1 * 0.5};
  BOOST_TEST(relative_error(frechet::grad(f, x), expected) <= 1e-15);
  // The same through a tape of dual numbers: the Hessian's column along x[1] is (0, 0.5).
  const Vector h = frechet::hvp(f, x, Vector{0.0, 1.0});
  BOOST_TEST(relative_error(h, Vector{0.0, 0.5}) <= 1e-15);
  // Three copies whose rounded sum loses the small term twice over.
  const auto g = [](const auto& x) {
    using T = frechet::scalar_t<std::remove_cvref_t<decltype(x)>>;
    T r = x[0] * 0.0 + 3e16;
    r /= 1.5 + sin(x[1]);
    const T s = x[1] + r * 0.5 - r * 0.25 - r * 0.25;
    return s;
  };
  // 0.5 - 0.25 - 0.25 is exactly 0 in forward mode: d/dx[1] is exactly 1.
  BOOST_TEST(relative_error(frechet::grad(g, x), Vector{0.0, 1.0}) <= 1e-15);
}

BOOST_AUTO_TEST_CASE(random_programs_in_every_mode) {
  // 100 random programs over 4 variables: gradient against finite differences and against forward
  // mode by duality, HVP against differences of the gradient, forward-over-forward against
  // forward-over-reverse, Hessian symmetry (check_rule).
  Random rng(77);
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    const Vector x = rng.gaussian_vector(4);
    const auto f = [seed](const auto& v) { return random_program(v, seed); };
    frechet::testing::check_rule("random program", f, x, seed, {}, true);
  }
}

BOOST_AUTO_TEST_CASE(single_variable_intermediates_are_scaled_variables) {
  Tape<> tape;
  const auto x = tape.variable(Vector{1.5, 2.0});
  const TapeScalar<> b = 3.0 * x[0] - 1.0;
  BOOST_TEST(tape.statement_count() == 0u);
  BOOST_TEST(b.term_count() == 1);
  BOOST_TEST(b.term_coefficient(0) == 3.0);
  BOOST_TEST(b.term_index(0) == x[0].index());
  BOOST_CHECK_THROW(tape.adjoint(b), ArgumentError);
  // Used by a vector node, it becomes a variable of its own (one statement).
  const auto v = frechet::stack(std::vector<TapeScalar<>>{b, x[1]});
  BOOST_TEST(tape.statement_count() == 1u);
  const TapeScalar<> y = frechet::dot(v, v) + b * frechet::sum(v);
  tape.seed(y, 1.0);
  tape.backward();
  const Vector g = tape.adjoint(x);
  // y = b^2 + x1^2 + b (b + x1) with b = 3 x0 - 1: dy/dx0 = 3 (2b + 2b + x1), dy/dx1 = 2 x1 + b.
  const double bv = 3.5;
  BOOST_TEST(std::abs(g[0] - 3.0 * (4.0 * bv + 2.0)) <= 1e-13);
  BOOST_TEST(std::abs(g[1] - (4.0 + bv)) <= 1e-13);
  // Second order: a single-variable intermediate whose coefficient carries a tangent.
  const auto quartic = [](const auto& z) {
    scalar_t<decltype(z)> s = 0.0;
    for (std::size_t i = 0; i < z.size(); ++i) {
      const scalar_t<decltype(z)> c = z[i] * z[i];
      s += c * c;
    }
    return s;
  };
  const Vector x0{0.5, -2.0}, dir{1.0, 3.0};
  const Vector h = hvp(quartic, x0, dir);
  BOOST_TEST(std::abs(h[0] - 12.0 * 0.25 * 1.0) <= 1e-13);
  BOOST_TEST(std::abs(h[1] - 12.0 * 4.0 * 3.0) <= 1e-12);
  const Vector hv = hvp([](const auto& z) { return frechet::sum(frechet::exp(z * z[0])); }, x0, dir);
  BOOST_TEST(frechet::testing::relative_error(hv, hvp([](const auto& z) {
    const scalar_t<decltype(z)> z0 = z[0] + 0.0 * z[1];  // a recorded statement instead of a scaled copy
    return frechet::sum(frechet::exp(z * z0));
  }, x0, dir)) <= 1e-14);
}

BOOST_AUTO_TEST_CASE(span_functions_through_stacked_scalars) {
  const Vector x{1.0, -2.0, 3.0};
  const Vector g = grad([](const auto& v) {
    std::vector<scalar_t<decltype(v)>> xs;
    for (std::size_t i = 0; i < v.size(); ++i) xs.push_back(v[i]);
    return span_sum_of_squares(std::span<const scalar_t<decltype(v)>>(xs));
  }, x);
  BOOST_TEST(relative_error(g, Vector{2.0, -4.0, 6.0}) == 0.0);
}

BOOST_AUTO_TEST_CASE(reuse_keeps_memory_and_gives_the_same_gradient) {
  Random rng(2);
  const Vector x0 = rng.gaussian_vector(2000);
  const DenseMatrix a = testing::random_dense(50, 2000, rng);
  Tape<> tape;
  Vector first;
  std::size_t bytes = 0;
  for (int round = 0; round < 3; ++round) {
    tape.clear();
    const auto x = tape.variable(x0);
    const TapeScalar<> y = rosenbrock(x) + frechet::logsumexp(frechet::matvec(a, x));
    tape.seed(y, 1.0);
    tape.backward();
    const Vector g = tape.adjoint(x);
    if (round == 0) {
      first = g;
    } else {
      BOOST_TEST(relative_error(g, first) == 0.0);
    }
    if (round == 1) bytes = tape.memory_bytes();
    if (round == 2) BOOST_TEST(tape.memory_bytes() == bytes);  // clear() keeps capacity
    BOOST_TEST(tape.node_count() == 2u);  // matvec of 50 x 2000 is one node, logsumexp another
  }
  BOOST_TEST(bytes > 0u);
}

BOOST_AUTO_TEST_CASE(repeated_backward_passes_start_from_zero) {
  Tape<> tape;
  const auto x = tape.variable(Vector{1.0, 2.0});
  const TapeScalar<> y = x[0] * x[1];
  for (int k = 1; k <= 3; ++k) {
    tape.seed(y, static_cast<double>(k));
    tape.backward();
    const Vector g = tape.adjoint(x);
    BOOST_TEST(g[0] == 2.0 * k);
    BOOST_TEST(g[1] == 1.0 * k);
  }
}

BOOST_AUTO_TEST_CASE(take_adjoint_moves_the_result_out) {
  Tape<> tape;
  const auto x = tape.variable(Vector{1.0, 2.0});
  const auto z = tape.variable(Vector{3.0});
  const TapeScalar<> y = x[0] * x[1] * z[0];
  Vector g;
  for (int k = 1; k <= 2; ++k) {
    tape.seed(y, 1.0);
    tape.backward();
    tape.take_adjoint(x, g);
    BOOST_TEST(g == (Vector{6.0, 3.0}), boost::test_tools::per_element());
    BOOST_TEST(norm_inf(tape.adjoint(x)) == 0.0);  // moved out
    BOOST_TEST(tape.adjoint(z)[0] == 2.0);          // the other input still holds its result
  }
}

template <class T, class... A>
concept can_view = requires(T& t, A&&... a) { t.variable_view(std::forward<A>(a)...); };

BOOST_AUTO_TEST_CASE(variables_read_in_place) {
  // variable_view reads the caller's array instead of copying it: the same gradients and
  // Hessian-vector products as a copied variable, through scalar statements and vector nodes alike,
  // and a tape smaller by the array.
  Random rng(31);
  const Vector x = rng.gaussian_vector(200), v = rng.gaussian_vector(200);
  DenseMatrix a(5, 200);
  rng.fill_gaussian(a.values());
  const auto f = [&](const auto& z) {
    using T = scalar_t<decltype(z)>;
    T s = rosenbrock(z);
    s += frechet::logsumexp(frechet::matvec(a, z)) + 0.5 * frechet::dot(z, z);
    return s;
  };
  Tape<> copied, viewed;
  const auto xc = copied.variable(x);
  const auto xv = viewed.variable_view(x);
  BOOST_TEST(xv.value() == x, boost::test_tools::per_element());
  const TapeScalar<> yc = f(xc), yv = f(xv);
  BOOST_TEST(yv.value() == yc.value());
  BOOST_TEST(viewed.memory_bytes() + x.size() * sizeof(double) <= copied.memory_bytes());
  copied.seed(yc, 1.0);
  copied.backward();
  viewed.seed(yv, 1.0);
  viewed.backward();
  const Vector gc = copied.adjoint(xc), gv = viewed.adjoint(xv);
  BOOST_TEST(relative_error(gv, gc) == 0.0);
  BOOST_TEST(relative_error(gv, grad(f, x)) == 0.0);

  Tape<Dual<double>> dual;
  const auto xd = dual.variable_view(x, v);
  const TapeScalar<Dual<double>> yd = f(xd);
  dual.seed(yd, Dual<double>(1.0));
  dual.backward();
  DualVector<double> gd;
  dual.take_adjoint(xd, gd);
  Tape<Dual<double>> dual_copied;
  const auto xdc = dual_copied.variable(DualVector<double>(x, v));
  dual_copied.seed(TapeScalar<Dual<double>>(f(xdc)), Dual<double>(1.0));
  dual_copied.backward();
  const DualVector<double> gdc = dual_copied.adjoint(xdc);
  BOOST_TEST(relative_error(gd.value, gdc.value) == 0.0);
  BOOST_TEST(relative_error(gd.tangent, gdc.tangent) == 0.0);
  BOOST_TEST(relative_error(gd.tangent, hvp(f, x, v)) == 0.0);
  const double h = 1e-6;
  Vector xp = x, xm = x;
  for (std::size_t i = 0; i < x.size(); ++i) xp[i] += h * v[i], xm[i] -= h * v[i];
  Vector fd = grad(f, xp);
  const Vector gm = grad(f, xm);
  for (std::size_t i = 0; i < x.size(); ++i) fd[i] = (fd[i] - gm[i]) / (2.0 * h);
  BOOST_TEST(relative_error(gd.tangent, fd) < 1e-6);

  // A view of a temporary does not compile (A = Vector stands for an rvalue).
  static_assert(!can_view<Tape<>, Vector>);
  static_assert(!can_view<Tape<Dual<double>>, Vector, const Vector&>);
  static_assert(!can_view<Tape<Dual<double>>, const Vector&, Vector>);
  static_assert(can_view<Tape<>, const Vector&> && can_view<Tape<Dual<double>>, const Vector&, const Vector&>);
  const Vector short_tangent(3, 1.0);
  BOOST_CHECK_EXCEPTION(dual.variable_view(x, short_tangent), ShapeError, [](const ShapeError& e) {
    return std::string(e.what()).find("variable_view") != std::string::npos;
  });
  viewed.clear();
  BOOST_CHECK_THROW(xv[0], Error);  // a view is a variable like any other: stale after clear()
}

BOOST_AUTO_TEST_CASE(running_out_of_adjoint_indices_is_an_error) {
  // A borrowed vector of 2^32 - 7 entries leaves 6 adjoint indices for statements (the last index,
  // 2^32 - 1, means "none"). Only its first two entries are read, so a small array stands in for it.
  const double values[2] = {1.0, 2.0};
  Tape<> tape;
  const auto x = tape.variable_view(std::span<const double>(values, detail::no_index - 6));
  TapeScalar<> f = x[0] * x[1];  // a combination: no statement
  f += x[0] * x[1];  // four operands: the first statement (f = 4)
  for (int k = 0; k < 4; ++k) f = f * x[0] + x[1];  // three variables: a statement each (f = 12)
  f += x[0] * x[1];  // the sixth statement, an accumulation, takes the last index (f = 14)
  BOOST_TEST(tape.index_count() == std::size_t{detail::no_index});
  // Terms added to the open accumulation need no index.
  for (int k = 0; k < 3; ++k) f += x[0] * x[1];
  BOOST_TEST(f.value() == 20.0);
  int recorded = 0;
  BOOST_CHECK_EXCEPTION(
      for (; recorded < 10; ++recorded) f = f * x[0] + x[1], ArgumentError, [](const ArgumentError& e) {
        return std::string(e.what()).find("2^32") != std::string::npos;
      });
  BOOST_TEST(recorded == 0);
  BOOST_TEST(tape.statement_count() == 6u);
  BOOST_TEST(tape.operand_count() == 4 + 4 * 3 + 2 + 3 * 2);
  BOOST_TEST(tape.index_count() == std::size_t{detail::no_index});
  BOOST_TEST(f.value() == 20.0);  // the failed statement left f as it was
  tape.clear();
  const auto y = tape.variable(Vector{3.0, 4.0});
  BOOST_TEST(grad([](const auto& z) { return z[0] * z[1]; }, Vector{3.0, 4.0})[0] == 4.0);
  BOOST_TEST(TapeScalar<>(y[0] * y[1] * y[0]).value() == 36.0);
}

BOOST_AUTO_TEST_CASE(take_adjoint_into_a_reused_vector) {
  // With one input, take_adjoint into an output of the right size exchanges the tape's adjoint
  // array with the output's storage. Each call must still give the right gradient: the array the
  // tape gets back holds the previous gradient and has to be zeroed. A vector node between the
  // statements puts adjoints outside the input range as well.
  const Vector x0{0.5, -1.5, 2.0, 0.25};
  const auto f = [](const auto& x) {
    using T = scalar_t<decltype(x)>;
    T s = x[0] * x[1] * x[2];
    s += frechet::dot(x, x);
    s += x[3] * x[2] * x[1];
    return s;
  };
  const Vector expected = grad(f, x0);
  Tape<> tape;
  Vector g(x0.size(), 123.0);  // right size, stale content
  for (int call = 0; call < 3; ++call) {
    tape.clear();
    const auto x = tape.variable_view(x0);
    tape.seed(TapeScalar<>(f(x)), 1.0);
    tape.backward();
    tape.take_adjoint(x, g);
    BOOST_TEST(relative_error(g, expected) < 1e-15);
    BOOST_TEST(g.size() == x0.size());
    BOOST_TEST(norm_inf(tape.adjoint(x)) == 0.0);
    tape.seed(TapeScalar<>(f(x)), 2.0);  // the same tape again, after the exchange
    tape.backward();
    Vector twice = expected;
    for (double& e : twice) e *= 2.0;
    BOOST_TEST(relative_error(tape.adjoint(x), twice) < 1e-15);
  }
  // The same for a tape of duals: gradient and Hessian-vector product.
  const Vector v{1.0, 0.0, -1.0, 0.5};
  const ValueGradHvpResult reference = value_grad_and_hvp(f, x0, v);
  Tape<Dual<double>> dual;
  DualVector<double> gh(Vector(4, 9.0), Vector(4, -9.0));
  for (int call = 0; call < 3; ++call) {
    dual.clear();
    const auto x = dual.variable_view(x0, v);
    dual.seed(TapeScalar<Dual<double>>(f(x)), Dual<double>(1.0));
    dual.backward();
    dual.take_adjoint(x, gh);
    BOOST_TEST(relative_error(gh.value, reference.gradient) < 1e-15);
    BOOST_TEST(relative_error(gh.tangent, reference.hvp) < 1e-15);
  }
}

BOOST_AUTO_TEST_CASE(variables_of_a_cleared_tape_are_rejected) {
  Tape<> tape;
  const auto x = tape.variable(Vector{1.0, 2.0});
  const TapeScalar<> s = x[0] * x[1];
  tape.clear();
  const auto check_message = [](const Error& e, const char* op) {
    const std::string what = e.what();
    return what.find(op) != std::string::npos && what.find("cleared") != std::string::npos;
  };
  BOOST_CHECK_EXCEPTION(TapeScalar<>(s * 2.0), Error, [&](const Error& e) { return check_message(e, "TapeScalar expression"); });
  BOOST_CHECK_EXCEPTION(x[0], Error, [&](const Error& e) { return check_message(e, "TapeVector::operator[]"); });
  BOOST_CHECK_EXCEPTION(frechet::softmax(x), Error, [&](const Error& e) { return check_message(e, "softmax"); });
  const DenseMatrix a(2, 2, 1.0);
  BOOST_CHECK_EXCEPTION(frechet::matvec(a, x), Error, [&](const Error& e) { return check_message(e, "matvec"); });
  BOOST_CHECK_THROW(tape.seed(s, 1.0), Error);
}

BOOST_AUTO_TEST_CASE(two_tapes_do_not_mix) {
  Tape<> t1, t2;
  const auto x = t1.variable(Vector{1.0, 2.0});
  const auto y = t2.variable(Vector{3.0, 4.0});
  BOOST_CHECK_THROW(TapeScalar<>(x[0] * y[0]), ArgumentError);
  BOOST_CHECK_THROW(frechet::dot(x, y), ArgumentError);
}

BOOST_AUTO_TEST_CASE(shape_errors_name_the_operation_and_shapes) {
  Tape<> tape;
  const auto x = tape.variable(Vector{1.0, 2.0});
  const DenseMatrix a(2, 3);
  BOOST_CHECK_EXCEPTION(frechet::matvec(a, x), ShapeError, [](const ShapeError& e) {
    const std::string w = e.what();
    return w.find("matvec") != std::string::npos && w.find("2x3") != std::string::npos;
  });
  BOOST_CHECK_THROW(frechet::dot(x, Vector{1.0, 2.0, 3.0}), ShapeError);
  BOOST_CHECK_THROW(frechet::solve(a, x), ShapeError);
  BOOST_CHECK_THROW(frechet::lstsq(DenseMatrix(2, 3), x), ShapeError);
  BOOST_CHECK_THROW(x + Vector{1.0}, ShapeError);
  BOOST_CHECK_THROW(frechet::slice(x, 1, 2), ShapeError);
  BOOST_CHECK_THROW(frechet::reshape(x, 3, 1), ShapeError);
  BOOST_CHECK_THROW(frechet::dot(DualVector<>(Vector{1.0}, Vector{0.0}), Vector{1.0, 2.0}), ShapeError);
  BOOST_CHECK_THROW(DualVector<>(Vector{1.0}, Vector{1.0, 2.0}), ShapeError);
}

BOOST_AUTO_TEST_CASE(non_finite_values_propagate_as_ieee) {
  const double inf = std::numeric_limits<double>::infinity();
  // sqrt at 0: the value is finite, the derivative infinite, in both modes.
  const auto f = [](const auto& x) {
    using std::sqrt;
    scalar_t<decltype(x)> s = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) s += sqrt(x[i]);
    return s;
  };
  const Vector g = grad(f, Vector{0.0, 4.0});
  BOOST_TEST(g[0] == inf);
  BOOST_TEST(g[1] == 0.25);
  BOOST_TEST(jvp(f, Vector{0.0, 4.0}, Vector{1.0, 0.0}).tangent == inf);
  // log of a negative number: NaN value and NaN derivative, no exception.
  const auto v = value_and_grad([](const auto& x) { return frechet::sum(frechet::log(x)); }, Vector{-1.0, 1.0});
  BOOST_TEST(std::isnan(v.value));
  BOOST_TEST(v.gradient[0] == -1.0);  // d log x / dx = 1 / x stays finite
  // The derivative checker reports non-finite values instead of comparing them.
  const DerivativeCheckResult c = check_gradient(f, Vector{0.0, 4.0});
  BOOST_TEST(!c.passed);
  BOOST_TEST(c.non_finite == 1u);
  BOOST_TEST(std::isnan(c.errors[0]));
  BOOST_TEST(c.errors[1] < 1e-8);
  BOOST_TEST(std::isnan(c.relative_error));  // never 0, which would read as a perfect match
  BOOST_TEST(std::isnan(c.absolute_error));
}

BOOST_AUTO_TEST_CASE(tape_of_duals_gives_hessian_vector_products) {
  // Direct use of Tape<Dual<double>>: the input carries the direction, the adjoint's tangent is H v.
  Tape<Dual<double>> tape;
  const auto x = tape.variable(DualVector<double>(Vector{1.0, 2.0}, Vector{1.0, 0.0}));
  const TapeScalar<Dual<double>> y = x[0] * x[0] * x[1];
  tape.seed(y, Dual<double>(1.0));
  tape.backward();
  const DualVector<double> g = tape.adjoint(x);
  BOOST_TEST(g.value[0] == 4.0);    // 2 x0 x1
  BOOST_TEST(g.value[1] == 1.0);    // x0^2
  BOOST_TEST(g.tangent[0] == 4.0);  // H e0 = (2 x1, 2 x0)
  BOOST_TEST(g.tangent[1] == 2.0);
}


BOOST_AUTO_TEST_CASE(statements_between_variables_and_nodes) {
  // Statements interleaved with new variables and vector nodes, which take adjoint indices between
  // the statements' own: the reverse pass must find every left-hand side where it was recorded.
  Tape<> tape;
  const auto x = tape.variable(Vector{0.5, -1.5, 2.0});
  const TapeScalar<> p = x[0] * x[1] + x[2];  // run 1
  const TapeScalar<> q = p * x[0] + x[1];
  const TapeScalar<> s = tape.variable(0.75);  // takes an index: the next statement starts a run
  const TapeScalar<> r = q * s + p;
  const TapeScalar<> d = frechet::dot(x, x);  // a vector node between statements
  const TapeScalar<> y = r * d + q * x[2];
  BOOST_TEST(tape.node_count() >= 1u);
  const double x0 = 0.5, x1 = -1.5, x2 = 2.0, sv = 0.75;
  const double pv = x0 * x1 + x2, qv = pv * x0 + x1, rv = qv * sv + pv, dv = x0 * x0 + x1 * x1 + x2 * x2;
  // y = r d + q x2; dr = s dq + dp, dq = x0 dp + p dx0 + dx1, dp = x1 dx0 + x0 dx1 + dx2.
  const double dq_dx0 = x0 * x1 + pv, dq_dx1 = x0 * x0 + 1.0, dq_dx2 = x0;
  const double dr_dx0 = sv * dq_dx0 + x1, dr_dx1 = sv * dq_dx1 + x0, dr_dx2 = sv * dq_dx2 + 1.0;
  const Vector expected{dr_dx0 * dv + rv * 2 * x0 + dq_dx0 * x2, dr_dx1 * dv + rv * 2 * x1 + dq_dx1 * x2,
                        dr_dx2 * dv + rv * 2 * x2 + dq_dx2 * x2 + qv};
  const double expected_s = qv * dv;
  for (int pass = 0; pass < 2; ++pass) {  // a second pass starts from zero adjoints again
    tape.seed(y, 1.0);
    tape.backward();
    BOOST_TEST(frechet::testing::relative_error(tape.adjoint(x), expected) <= 1e-14);
    BOOST_TEST(std::abs(tape.adjoint(s) - expected_s) <= 1e-14 * std::abs(expected_s));
  }
}

BOOST_AUTO_TEST_CASE(a_rule_node_counts_its_saved_data_once) {
  // sizeof(node) already holds the saved struct: a node whose saved data owns nothing is exactly
  // sizeof(node), and one whose saved data owns a buffer is that plus the buffer.
  struct OwnsBuffer {
    std::vector<double> buffer;
    std::size_t bytes() const { return sizeof(*this) + buffer.capacity() * sizeof(double); }
  };
  const detail::AddSub add{1.0};
  const detail::RuleNode<double, detail::AddSub, detail::NothingSaved> plain(add, {}, detail::Slot{}, {});
  BOOST_TEST(plain.bytes() == sizeof(plain));
  const detail::RuleNode<double, detail::AddSub, OwnsBuffer> owning(add, {}, detail::Slot{}, OwnsBuffer{std::vector<double>(100)});
  BOOST_TEST(owning.bytes() == sizeof(owning) + 100 * sizeof(double));
}

BOOST_AUTO_TEST_SUITE_END()
