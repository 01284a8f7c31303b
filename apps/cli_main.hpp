#pragma once
// The shared shape of frechet's command-line tools: parse with CLI11, run, and turn any failure into
// one line on stderr and a non-zero exit status, never a crash or a stack of usage text.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <functional>

#include "frechet/core/error.hpp"
#include "frechet/core/threads.hpp"

namespace frechet::apps {

/// A check that an option's value is a number above (or, with `allow_zero`, at least) zero, whose
/// message is one short line ("--rtol: expected a number > 0, got 0") rather than CLI11's range with
/// the 309 digits of the largest double.
inline CLI::Validator sign_check(bool allow_zero) {
  return CLI::Validator(
      [allow_zero](std::string& text) -> std::string {
        const std::string expected = allow_zero ? "a number >= 0" : "a number > 0";
        double value = 0.0;
        if (!CLI::detail::lexical_cast(text, value)) return "expected " + expected + ", got '" + text + "'";
        if (!(allow_zero ? value >= 0.0 : value > 0.0)) return "expected " + expected + ", got " + text;
        return {};
      },
      allow_zero ? "NUMBER >= 0" : "NUMBER > 0");
}
/// Values > 0.
inline CLI::Validator positive() { return sign_check(false); }
/// Values >= 0.
inline CLI::Validator non_negative() { return sign_check(true); }

/// Makes --help show each option's default value; call before adding the options.
inline void show_defaults(CLI::App& app) { app.option_defaults()->always_capture_default(); }

/// Adds --threads N: 0 (the default) lets the library use the cores other processes leave idle
/// (frechet::ThreadOptions); N >= 1 runs every parallel loop on exactly N threads.
inline void add_threads_option(CLI::App& app) {
  app.add_option_function<int>(
         "--threads",
         [](int n) {
           if (n > 0) set_thread_options({.max_threads = n, .yield_to_load = false});
         },
         "threads of the parallel loops: 0 = the cores other processes leave idle, N = exactly N")
      ->check(non_negative())
      ->default_str("0");
}

/// Exit status 2 for bad usage (unknown option, missing argument), 1 for a failure while running,
/// otherwise the status `body` returns (0, or a tool's documented status such as frechet-solve's 3
/// for a solve that did not converge).
inline int run_cli(CLI::App& app, int argc, char** argv, const std::function<int()>& body) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "%s: error: %s\n", app.get_name().c_str(), e.what());
    return 2;
  }
  try {
    return body();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", app.get_name().c_str(), e.what());
    return 1;
  }
}

}  // namespace frechet::apps
