#include "frechet/ad/custom_rule.hpp"
#include "frechet/ad/detail/rule.hpp"

namespace frechet::detail {

void throw_rule_shape(const char* rule, const std::string& what) { throw ShapeError(std::string(rule) + ": " + what); }

void throw_custom(const std::string& rule, const std::string& what) {
  throw ArgumentError("custom rule '" + rule + "': " + what);
}

}  // namespace frechet::detail
