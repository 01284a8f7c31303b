#pragma once
/// \file
/// Forced inlining for the recording path of reverse mode: expression objects, their term arrays and
/// the lambdas that unroll over them must dissolve into registers, which GCC's size heuristics
/// otherwise stop doing for the larger expressions and for dual numbers.

#if defined(__GNUC__)
/// For functions defined in a class (members, hidden friends), which are inline already.
#define FRECHET_AD_ALWAYS_INLINE [[gnu::always_inline]]
#define FRECHET_AD_INLINE [[gnu::always_inline]] inline
/// For immediately invoked lambdas: `[&]<int... K>(std::integer_sequence<int, K...>) FRECHET_AD_LAMBDA_INLINE {...}`.
#define FRECHET_AD_LAMBDA_INLINE __attribute__((always_inline))
#else
#define FRECHET_AD_ALWAYS_INLINE
#define FRECHET_AD_INLINE inline
#define FRECHET_AD_LAMBDA_INLINE
#endif
