// digamma and polygamma by Boost.Math, compiled here once: its headers cost about four seconds of
// compilation, which every program including the AD layer paid while they sat in scalar_rules.hpp.

#include <boost/math/policies/policy.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/polygamma.hpp>
#include <boost/math/special_functions/trigamma.hpp>

#include "frechet/ad/detail/scalar_rules.hpp"

namespace frechet {

namespace {
// Return IEEE values (NaN, inf) at poles and overflows instead of throwing.
using IeeePolicy = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::ignore_error>,
    boost::math::policies::pole_error<boost::math::policies::ignore_error>,
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::evaluation_error<boost::math::policies::ignore_error>>;
}  // namespace

double digamma(double x) { return boost::math::digamma(x, IeeePolicy()); }

double polygamma(int n, double x) {
  if (n == 0) return digamma(x);
  if (n == 1) return boost::math::trigamma(x, IeeePolicy());
  return boost::math::polygamma(n, x, IeeePolicy());
}

}  // namespace frechet
