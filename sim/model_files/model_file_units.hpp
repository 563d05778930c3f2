// Dimensions of model-file units, for the checker's dimension-level unit checks: "mg/L" and "ug/mL" are both
// mass/volume; the scale (mg vs ug) is not checked (docs/model-files.md says so).
#pragma once
#include <map>
#include <optional>
#include <string>

namespace mobsim::model_file {

struct Dimension {
    std::map<std::string, int> exponents;  // base dimension -> exponent, zero exponents removed
    bool operator==(const Dimension& o) const { return exponents == o.exponents; }
    bool operator!=(const Dimension& o) const { return !(*this == o); }
    bool dimensionless() const { return exponents.empty(); }
    Dimension times(const Dimension& o, int sign = 1) const;
    Dimension power(int n) const;
    std::string describe() const;  // e.g. "mass/volume", "1"
};

// The dimension of a unit as written ("mg/L", "1/h", "10^9/L", "L/h/kg", "cells"); nullopt with `error` set
// when it cannot be read. A symbol that is not a known mass, volume, time or amount unit is a dimension of
// its own ("cells", "IU").
std::optional<Dimension> parse_unit(const std::string& unit, std::string& error);

}  // namespace mobsim::model_file
