#include "frechet/core/random.hpp"

#include <array>
#include <cmath>
#include <vector>

namespace frechet {
namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// xoshiro256's state transition: linear over GF(2), so that a jump is a polynomial in it.
void step(std::uint64_t (&s)[4]) {
  const std::uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
}

// A polynomial over GF(2) of degree < 256: bit i of word i / 64 is the coefficient of x^i.
using Polynomial = std::array<std::uint64_t, 4>;

bool coefficient(const Polynomial& a, int i) { return ((a[static_cast<std::size_t>(i / 64)] >> (i % 64)) & 1U) != 0; }

// What a jump needs: the characteristic polynomial p of the transition T (its x^256 term implied),
// and x^(2^j) mod p for every j, so that x^d mod p is a product of popcount(d) of them.
struct JumpTables {
  Polynomial characteristic{};
  std::array<Polynomial, 64> powers{};

  // a b mod p, by Horner's rule over the coefficients of b.
  Polynomial multiply(const Polynomial& a, const Polynomial& b) const {
    Polynomial r{};
    for (int i = 255; i >= 0; --i) {
      const bool carry = (r[3] >> 63) != 0;  // r x has an x^256 term: replace it by p's others
      r[3] = (r[3] << 1) | (r[2] >> 63);
      r[2] = (r[2] << 1) | (r[1] >> 63);
      r[1] = (r[1] << 1) | (r[0] >> 63);
      r[0] <<= 1;
      if (carry)
        for (std::size_t w = 0; w < 4; ++w) r[w] ^= characteristic[w];
      if (coefficient(b, i))
        for (std::size_t w = 0; w < 4; ++w) r[w] ^= a[w];
    }
    return r;
  }

  JumpTables() {
    // p is the minimal polynomial of the bit sequence of one state bit, found by Berlekamp-Massey
    // from 512 terms; T's characteristic polynomial is primitive (the period is 2^256 - 1), so every
    // nonzero such sequence has it as its minimal polynomial.
    constexpr int terms = 512;
    std::uint64_t seed = 1, s[4];
    for (auto& word : s) word = splitmix64(seed);
    std::vector<std::uint8_t> bits(terms);
    for (auto& b : bits) {
      b = static_cast<std::uint8_t>(s[0] & 1U);
      step(s);
    }
    std::vector<std::uint8_t> c(terms + 1, 0), previous(terms + 1, 0), saved;
    c[0] = previous[0] = 1;
    int length = 0, shift = 1;
    for (int n = 0; n < terms; ++n) {
      int discrepancy = bits[static_cast<std::size_t>(n)];
      for (int i = 1; i <= length; ++i) discrepancy ^= c[static_cast<std::size_t>(i)] & bits[static_cast<std::size_t>(n - i)];
      if (discrepancy == 0) {
        ++shift;
        continue;
      }
      saved = c;
      for (int i = 0; i + shift <= terms; ++i) c[static_cast<std::size_t>(i + shift)] ^= previous[static_cast<std::size_t>(i)];
      if (2 * length <= n) {
        length = n + 1 - length;
        previous = saved;
        shift = 1;
      } else {
        ++shift;
      }
    }
    // The connection polynomial C(x) = 1 + c_1 x + ... + c_256 x^256 is p's reversal: p_(256-i) = c_i.
    for (int i = 1; i <= 256; ++i)
      if (c[static_cast<std::size_t>(i)] != 0) characteristic[static_cast<std::size_t>((256 - i) / 64)] |= std::uint64_t{1} << ((256 - i) % 64);
    powers[0] = Polynomial{2, 0, 0, 0};  // x
    for (std::size_t j = 1; j < powers.size(); ++j) powers[j] = multiply(powers[j - 1], powers[j - 1]);
  }
};

const JumpTables& jump_tables() {
  static const JumpTables tables;
  return tables;
}

}  // namespace

Random::Random(std::uint64_t seed) {
  for (auto& word : s_) word = splitmix64(seed);
}

std::uint64_t Random::next_u64() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  step(s_);
  return result;
}

void Random::discard(std::uint64_t count) {
  // Below a few thousand draws stepping is cheaper than the up to 64 polynomial products.
  if (count < 4096) {
    for (; count > 0; --count) step(s_);
    return;
  }
  // T^count = q(T) with q = x^count mod p (Cayley-Hamilton), applied as sum_i q_i T^i s.
  const JumpTables& tables = jump_tables();
  Polynomial q{1, 0, 0, 0};
  for (std::size_t j = 0; j < 64; ++j)
    if ((count >> j) & 1U) q = tables.multiply(q, tables.powers[j]);
  std::uint64_t sum[4] = {0, 0, 0, 0};
  for (int i = 0; i < 256; ++i) {
    if (coefficient(q, i))
      for (std::size_t w = 0; w < 4; ++w) sum[w] ^= s_[w];
    step(s_);
  }
  for (std::size_t w = 0; w < 4; ++w) s_[w] = sum[w];
}

double Random::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

double Random::gaussian() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u, v, s;
  do {
    u = 2.0 * uniform() - 1.0;
    v = 2.0 * uniform() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double f = std::sqrt(-2.0 * std::log(s) / s);
  spare_ = v * f;
  has_spare_ = true;
  return u * f;
}

double Random::rademacher() { return (next_u64() >> 63) ? 1.0 : -1.0; }

void Random::fill_gaussian(VectorView x) {
  for (double& v : x) v = gaussian();
}

void Random::fill_rademacher(VectorView x) {
  // One 64-bit draw gives 64 signs.
  std::size_t i = 0;
  while (i < x.size()) {
    std::uint64_t bits = next_u64();
    for (int b = 0; b < 64 && i < x.size(); ++b, ++i, bits >>= 1) x[i] = (bits & 1U) ? 1.0 : -1.0;
  }
}

void Random::fill_uniform(VectorView x, double lo, double hi) {
  for (double& v : x) v = lo + (hi - lo) * uniform();
}

Vector Random::gaussian_vector(std::size_t n) {
  Vector x(n);
  fill_gaussian(x);
  return x;
}

Vector Random::rademacher_vector(std::size_t n) {
  Vector x(n);
  fill_rademacher(x);
  return x;
}

}  // namespace frechet
