// Error types with their documented exit codes.
#pragma once
#include <stdexcept>
#include <string>

namespace mobsim {

// Bad input: a scenario, data file or option that cannot be used. Exit status 2.
class InputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The integrator could not continue (step limit, step-size underflow, non-finite state). Exit status 3.
class SolverError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

inline constexpr int kExitInputError = 2;
inline constexpr int kExitSolverError = 3;

}  // namespace mobsim
