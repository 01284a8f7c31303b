#pragma once
/// \file
/// The differentiation layer: forward mode (Dual, DualVector, DualMatrix), reverse mode (Tape and
/// its variables TapeScalar, TapeVector, TapeMatrix), the vector operations, custom rules, the
/// transforms and derivative checking. doc/ad.md is the guide; the headers under detail/ are the
/// machinery behind them and not part of the interface.

#include "frechet/ad/arrays.hpp"
#include "frechet/ad/check.hpp"
#include "frechet/ad/custom_rule.hpp"
#include "frechet/ad/dual.hpp"
#include "frechet/ad/ops.hpp"
#include "frechet/ad/tape.hpp"
#include "frechet/ad/tape_variables.hpp"
#include "frechet/ad/transforms.hpp"
