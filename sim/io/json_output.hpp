// Pieces of JSON text for machine-readable descriptions (mobsim describe --format json).
#pragma once
#include <string>

namespace mobsim {

// A JSON string literal: quoted, with quotes, backslashes and control characters escaped (UTF-8 passes as is).
std::string json_string(const std::string& text);

// The shortest text that reads back to the same double; null for NaN and infinities, which JSON cannot hold.
std::string json_number(double value);

}  // namespace mobsim
