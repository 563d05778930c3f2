// Small numerical helpers shared by the drug PK tests (tests/test_pk_*.cpp).
#pragma once
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "test_helpers.hpp"

namespace mobsim::test {

inline Trajectory run_yaml(const std::string& yaml) { return simulate(problem_from_yaml(yaml)); }

// Composite Simpson's rule over rows [first, last] of a uniform grid (last - first even).
inline double simpson(const std::vector<double>& t, const std::vector<double>& y, std::size_t first, std::size_t last) {
    const std::size_t n = last - first;
    if (n % 2 != 0) throw std::logic_error("simpson: odd number of intervals");
    const double h = (t[last] - t[first]) / static_cast<double>(n);
    double sum = y[first] + y[last];
    for (std::size_t k = 1; k < n; ++k) sum += (k % 2 ? 4.0 : 2.0) * y[first + k];
    return sum * h / 3.0;
}

// Row of the grid time closest to `time`.
inline std::size_t row_at(const std::vector<double>& t, double time) {
    const auto it = std::lower_bound(t.begin(), t.end(), time - 1e-9);
    return static_cast<std::size_t>(it - t.begin());
}

struct Peak {
    double time_h = 0.0;
    double value = 0.0;
};

// Largest value of y over rows with from <= t <= to.
inline Peak peak_between(const std::vector<double>& t, const std::vector<double>& y, double from, double to) {
    Peak p{from, -1e300};
    for (std::size_t i = 0; i < t.size(); ++i)
        if (t[i] >= from - 1e-9 && t[i] <= to + 1e-9 && y[i] > p.value) p = {t[i], y[i]};
    return p;
}

// Half-life from the log-linear slope between two grid times.
inline double half_life_between(const std::vector<double>& t, const std::vector<double>& y, double t1, double t2) {
    const double y1 = y[row_at(t, t1)], y2 = y[row_at(t, t2)];
    return std::log(2.0) * (t2 - t1) / std::log(y1 / y2);
}

}  // namespace mobsim::test
