// A one-line progress report on stderr: items done/total, rate and estimated time left.
#pragma once
#include <chrono>
#include <functional>
#include <string>

namespace mobsim::cli {

// True when stderr is a terminal, or when forced (--progress).
bool progress_wanted(bool forced);

// A progress callback for parallel_for that rewrites one stderr line; empty when not wanted.
std::function<void(int done)> progress_reporter(const std::string& what, int total, bool wanted);

}  // namespace mobsim::cli
