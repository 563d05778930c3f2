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
    explicit SolverError(const std::string& what, long steps = 0) : std::runtime_error(what), steps_(steps) {}
    long steps() const { return steps_; }  // steps taken before the failure, where the integrator knows them

private:
    long steps_;
};

inline constexpr int kExitInputError = 2;
inline constexpr int kExitSolverError = 3;

}  // namespace mobsim
