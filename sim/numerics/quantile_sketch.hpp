// A mergeable quantile sketch with a relative-error guarantee, so that cohort percentile bands need memory
// independent of the number of patients and can be reduced block by block, thread by thread or rank by rank.
//
// Up to kExactLimit values it keeps them all and percentiles are exact (type 7, as percentile_of_sorted).
// Beyond that it keeps counts on a fixed logarithmic grid (the idea of DDSketch, Masson, Rim & Lee, VLDB 2019):
// bucket k holds |x| in (g^(k-1), g^k] with g = (1 + a) / (1 - a), and reports 2 g^k / (g + 1), within a
// relative error a = kRelativeError of every value in it. A percentile interpolates two such order-statistic
// estimates, so it lies within a * |p| of the exact type-7 percentile p whenever its two neighbouring order
// statistics have the same sign (within a * max(|x_lo|, |x_hi|) when they straddle zero). Magnitudes below
// kZeroBelow count as 0 (an absolute error under 1e-30), which bounds the grid to about 7,600 buckets per sign
// between 1e-30 and 1e3 (8 bytes each, allocated only between the smallest and largest value seen).
//
// The state is a function of the multiset of values added (a bag below the limit, additive counts above it),
// so adding or merging in any order or grouping gives the same percentiles, bit for bit.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace mobsim {

class QuantileSketch {
public:
    static constexpr double kRelativeError = 0.005;
    static constexpr std::size_t kExactLimit = 2048;
    static constexpr double kZeroBelow = 1e-30;

    void add(double value);  // NaN is ignored
    void merge(const QuantileSketch& other);
    std::uint64_t count() const { return count_; }
    bool exact() const { return !bucketed_; }
    // Percentile q in [0, 100]; NaN when empty.
    double percentile(double q) const;

    void append_to(std::string& bytes) const;                       // serialization, for message passing
    static QuantileSketch read_from(const std::string& bytes, std::size_t& offset);

private:
    struct Store {  // counts of buckets offset .. offset + counts.size() - 1
        long offset = 0;
        std::vector<std::uint64_t> counts;
        void add(long key, std::uint64_t n);
    };
    void to_buckets();
    void add_to_buckets(double value, std::uint64_t n);
    double value_at_rank(std::uint64_t rank) const;  // 0-based, ascending, bucketed state

    std::uint64_t count_ = 0;
    bool bucketed_ = false;
    std::vector<double> values_;  // the exact bag, before bucketing
    std::uint64_t zeros_ = 0, negative_infinite_ = 0, positive_infinite_ = 0;
    Store positive_, negative_;  // keyed by |x|
};

}  // namespace mobsim
