// QuantileSketch against exact order statistics: exact below its limit, within its stated relative error above
// it, and the same bits whatever the order and grouping of adds and merges.
#include <algorithm>
#include <cmath>
#include <random>

#include <catch2/catch.hpp>

#include "sim/numerics/quantile_sketch.hpp"

using mobsim::QuantileSketch;

namespace {

// Type-7 percentile (Hyndman & Fan) of sorted values, written out here as the independent truth.
double exact_percentile(const std::vector<double>& sorted, double q) {
    const double h = q / 100.0 * double(sorted.size() - 1);
    const auto lo = static_cast<std::size_t>(std::floor(h));
    if (lo + 1 >= sorted.size()) return sorted.back();
    return sorted[lo] + (h - double(lo)) * (sorted[lo + 1] - sorted[lo]);
}

const double kQuantiles[] = {0, 1, 5, 25, 50, 75, 95, 99, 100};

void check_bound(const QuantileSketch& sketch, std::vector<double> values) {
    std::sort(values.begin(), values.end());
    REQUIRE(sketch.count() == values.size());
    for (double q : kQuantiles) {
        const double exact = exact_percentile(values, q);
        const double h = q / 100.0 * double(values.size() - 1);
        const double lo = values[std::size_t(h)], hi = values[std::min(values.size() - 1, std::size_t(h) + 1)];
        const double scale = lo * hi >= 0 ? std::abs(exact) : std::max(std::abs(lo), std::abs(hi));
        INFO("q " << q << " exact " << exact << " sketch " << sketch.percentile(q));
        CHECK(std::abs(sketch.percentile(q) - exact) <= QuantileSketch::kRelativeError * scale * (1 + 1e-9));
    }
}

}  // namespace

TEST_CASE("quantile sketch is exact up to its limit", "[quantile_sketch]") {
    QuantileSketch s;
    for (int i = 1000; i >= 1; --i) s.add(i);  // 1..1000: the type-7 percentile q is 1 + q/100 * 999
    CHECK(s.exact());
    for (double q : kQuantiles) CHECK(s.percentile(q) == 1.0 + q / 100.0 * 999.0);
    CHECK(std::isnan(QuantileSketch().percentile(50)));
    s.add(std::nan(""));
    CHECK(s.count() == 1000);
}

TEST_CASE("quantile sketch stays within its relative error bound", "[quantile_sketch]") {
    std::mt19937_64 random(2020);
    SECTION("lognormal concentrations") {
        std::lognormal_distribution<double> draw(0.0, 1.5);
        QuantileSketch s;
        std::vector<double> values;
        for (int i = 0; i < 50000; ++i) values.push_back(draw(random)), s.add(values.back());
        CHECK_FALSE(s.exact());
        check_bound(s, values);
    }
    SECTION("signs, zeros, tiny and huge magnitudes") {
        std::normal_distribution<double> exponent(0.0, 8.0);
        std::uniform_int_distribution<int> kind(0, 9);
        QuantileSketch s;
        std::vector<double> values;
        for (int i = 0; i < 20000; ++i) {
            const int k = kind(random);
            const double v = k == 0 ? 0.0 : (k < 4 ? -1.0 : 1.0) * std::pow(10.0, exponent(random));
            values.push_back(v);
            s.add(v);
        }
        check_bound(s, values);
    }
    SECTION("many equal values") {
        QuantileSketch s;
        std::vector<double> values(5000, 3.7);
        values.resize(9000, 42.0);
        for (double v : values) s.add(v);
        check_bound(s, values);
    }
}

TEST_CASE("quantile sketch gives the same bits for any grouping and merge order", "[quantile_sketch]") {
    std::mt19937_64 random(7);
    std::lognormal_distribution<double> draw(1.0, 2.0);
    std::vector<double> values;
    for (int i = 0; i < 9000; ++i) values.push_back(draw(random));
    for (std::size_t block : {std::size_t(500), std::size_t(2048), std::size_t(3000)}) {
        QuantileSketch whole, forward, backward;
        for (double v : values) whole.add(v);
        std::vector<QuantileSketch> parts;
        for (std::size_t i = 0; i < values.size(); i += block) {
            parts.emplace_back();
            for (std::size_t j = i; j < std::min(values.size(), i + block); ++j) parts.back().add(values[j]);
        }
        for (const auto& p : parts) forward.merge(p);
        for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
            std::string bytes;  // through serialization, as between MPI ranks
            it->append_to(bytes);
            std::size_t offset = 0;
            backward.merge(QuantileSketch::read_from(bytes, offset));
            CHECK(offset == bytes.size());
        }
        for (double q : kQuantiles) {
            CHECK(forward.percentile(q) == whole.percentile(q));
            CHECK(backward.percentile(q) == whole.percentile(q));
        }
    }
    QuantileSketch a, b;  // two small exact bags merge into an exact one
    for (int i = 0; i < 10; ++i) (i % 2 ? a : b).add(i);
    a.merge(b);
    CHECK(a.exact());
    CHECK(a.percentile(50) == 4.5);
}
