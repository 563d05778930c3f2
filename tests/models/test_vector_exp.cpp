// exp_array (models/vector_exp.hpp) against std::exp, a second implementation: within 2 ulp over the range that
// does not overflow, for every count (whole 4-lane blocks and remainders), in place and out of place.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "models/vector_exp.hpp"

TEST_CASE("exp_array agrees with std::exp within 2 ulp", "[vector_exp]") {
    std::vector<double> x;
    for (double v = -700.0; v <= 700.0; v += 0.37) x.push_back(v);
    for (double v : {0.0, -0.0, 1e-300, -1e-300, 1e-8, 0.5 * std::log(2.0), std::log(2.0), 7.397, -7.397})
        x.push_back(v);
    for (int n : {1, 2, 3, 4, 5, 7, 8, static_cast<int>(x.size())}) {
        std::vector<double> y(n);
        mobsim::exp_array(x.data(), y.data(), n);
        for (int i = 0; i < n; ++i) {
            const double exact = std::exp(x[i]);
            INFO("x = " << x[i] << ", n = " << n);
            CHECK(std::abs(y[i] - exact) <= 2.0 * std::numeric_limits<double>::epsilon() * exact);
        }
    }
    std::vector<double> in_place(x.begin(), x.begin() + 6);
    mobsim::exp_array(in_place.data(), in_place.data(), 6);
    for (int i = 0; i < 6; ++i) CHECK(in_place[i] == Approx(std::exp(x[i])).epsilon(1e-15));
}
