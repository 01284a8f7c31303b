#pragma once
// Helpers of the implicit test suite.

#include <ostream>
#include <string>

#include "frechet/krylov/solve_result.hpp"
#include "test_support.hpp"

namespace frechet {
// So that Boost.Test can print a Reason in a failed BOOST_TEST (found by argument-dependent lookup).
inline std::ostream& operator<<(std::ostream& out, Reason reason) { return out << reason_name(reason); }
}  // namespace frechet

namespace frechet::testing {

/// Whether an exception's message contains `s`.
inline bool message_has(const std::exception& e, const std::string& s) {
  return std::string(e.what()).find(s) != std::string::npos;
}

}  // namespace frechet::testing
