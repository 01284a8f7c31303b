// The thread policy: its settings, reductions whose bits do not depend on the team, and the team
// shrinking while other processes keep the cores busy.
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "frechet/core/blas1.hpp"
#include "frechet/core/error.hpp"
#include "frechet/core/random.hpp"
#include "frechet/core/threads.hpp"
#include "test_support.hpp"

#if defined(__linux__)
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

using namespace frechet;
using frechet::testing::ScopedThreads;

namespace {

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

BOOST_AUTO_TEST_SUITE(threads)

BOOST_AUTO_TEST_CASE(options_round_trip_and_reject_a_negative_count) {
  const ThreadOptions saved = thread_options();
  set_thread_options({.max_threads = 1, .yield_to_load = false});
  BOOST_TEST(thread_options().max_threads == 1);
  BOOST_TEST(!thread_options().yield_to_load);
  BOOST_TEST(available_threads() == 1);
  BOOST_CHECK_THROW(set_thread_options({.max_threads = -1}), ArgumentError);
  BOOST_TEST(thread_options().max_threads == 1);  // a rejected setting changes nothing
  set_thread_options(saved);
  BOOST_TEST(available_threads() >= 1);
}

BOOST_AUTO_TEST_CASE(reductions_have_the_same_bits_on_any_team) {
  Random rng(7);
  for (std::size_t n : {std::size_t{1000}, std::size_t{32768}, std::size_t{100003}}) {
    const Vector x = rng.gaussian_vector(n);
    const Vector y = rng.gaussian_vector(n);
    double dot1 = 0.0, norm1 = 0.0;
    {
      ScopedThreads one(1);
      dot1 = dot(x, y);
      norm1 = norm2(x);
    }
    for (int threads : {2, 3, 4}) {
      ScopedThreads team(threads);
      BOOST_TEST(same_bits(dot(x, y), dot1), "dot, n = " << n << ", " << threads << " threads");
      BOOST_TEST(same_bits(norm2(x), norm1), "norm2, n = " << n << ", " << threads << " threads");
    }
    // And the blocked sum is a sum: against a long-double reference.
    long double reference = 0.0L;
    for (std::size_t i = 0; i < n; ++i) reference += static_cast<long double>(x[i]) * y[i];
    BOOST_TEST(std::abs(dot1 - static_cast<double>(reference)) <= 1e-12 * static_cast<double>(n));
  }
}

#if defined(__linux__) && defined(_OPENMP)
// With a busy process on every core, a parallel loop gets one thread; when they stop, the team grows
// back within the sampling period.
BOOST_AUTO_TEST_CASE(the_team_shrinks_while_other_processes_hold_the_cores) {
  const ThreadOptions saved = thread_options();
  set_thread_options({.max_threads = 0, .yield_to_load = true});
  const unsigned cores = std::thread::hardware_concurrency();
  std::vector<pid_t> children;
  for (unsigned k = 0; k < cores; ++k) {
    const pid_t pid = ::fork();
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0) {
      volatile unsigned long spin = 0;
      for (;;) spin = spin + 1;  // killed by the parent
    }
    children.push_back(pid);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(60));  // > the 20 ms sampling period
  const int loaded = available_threads();
  for (pid_t pid : children) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  set_thread_options(saved);
  BOOST_TEST(loaded == 1);
}
#endif

BOOST_AUTO_TEST_SUITE_END()
