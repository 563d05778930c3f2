#include "progress.hpp"

#include <cstdio>
#include <memory>

#include <unistd.h>

namespace mobsim::cli {

bool progress_wanted(bool forced) { return forced || ::isatty(STDERR_FILENO) == 1; }

std::function<void(int done)> progress_reporter(const std::string& what, int total, bool wanted) {
    if (!wanted) return {};
    const auto start = std::chrono::steady_clock::now();
    return [what, total, start](int done) {
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double rate = seconds > 0.0 ? done / seconds : 0.0;
        const long eta = rate > 0.0 ? static_cast<long>((total - done) / rate + 0.5) : 0;
        std::fprintf(stderr, "\r%s: %d/%d done, %.1f/s, ETA %ld:%02ld   ", what.c_str(), done, total, rate, eta / 60,
                     eta % 60);
        if (done >= total) std::fputc('\n', stderr);
        std::fflush(stderr);
    };
}

}  // namespace mobsim::cli
