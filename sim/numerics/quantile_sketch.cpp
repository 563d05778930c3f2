#include "sim/numerics/quantile_sketch.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "sim/numerics/byte_buffer.hpp"

#include "sim/numerics/statistics.hpp"

namespace mobsim {

namespace {

const double kGamma = (1.0 + QuantileSketch::kRelativeError) / (1.0 - QuantileSketch::kRelativeError);
const double kLogGamma = std::log(kGamma);

long key_of(double magnitude) { return static_cast<long>(std::ceil(std::log(magnitude) / kLogGamma)); }
double representative(long key) { return 2.0 * std::exp(double(key) * kLogGamma) / (kGamma + 1.0); }

}  // namespace

void QuantileSketch::Store::add(long key, std::uint64_t n) {
    if (counts.empty()) offset = key;
    if (key < offset) {
        counts.insert(counts.begin(), static_cast<std::size_t>(offset - key), 0);
        offset = key;
    }
    const auto index = static_cast<std::size_t>(key - offset);
    if (index >= counts.size()) counts.resize(index + 1, 0);
    counts[index] += n;
}

void QuantileSketch::add_to_buckets(double value, std::uint64_t n) {
    const double magnitude = std::abs(value);
    if (magnitude < kZeroBelow) zeros_ += n;
    else if (std::isinf(value)) (value > 0 ? positive_infinite_ : negative_infinite_) += n;
    else (value > 0 ? positive_ : negative_).add(key_of(magnitude), n);
}

void QuantileSketch::to_buckets() {
    if (bucketed_) return;
    bucketed_ = true;
    for (double v : values_) add_to_buckets(v, 1);
    std::vector<double>().swap(values_);
}

void QuantileSketch::add(double value) {
    if (std::isnan(value)) return;
    ++count_;
    if (!bucketed_ && values_.size() < kExactLimit) {
        values_.push_back(value);
        return;
    }
    to_buckets();
    add_to_buckets(value, 1);
}

void QuantileSketch::merge(const QuantileSketch& other) {
    if (!bucketed_ && !other.bucketed_ && values_.size() + other.values_.size() <= kExactLimit) {
        values_.insert(values_.end(), other.values_.begin(), other.values_.end());
        count_ += other.count_;
        return;
    }
    to_buckets();
    count_ += other.count_;
    if (!other.bucketed_) {
        for (double v : other.values_) add_to_buckets(v, 1);
        return;
    }
    zeros_ += other.zeros_;
    negative_infinite_ += other.negative_infinite_;
    positive_infinite_ += other.positive_infinite_;
    for (std::size_t i = 0; i < other.positive_.counts.size(); ++i)
        if (other.positive_.counts[i]) positive_.add(other.positive_.offset + long(i), other.positive_.counts[i]);
    for (std::size_t i = 0; i < other.negative_.counts.size(); ++i)
        if (other.negative_.counts[i]) negative_.add(other.negative_.offset + long(i), other.negative_.counts[i]);
}

double QuantileSketch::value_at_rank(std::uint64_t rank) const {
    if (rank < negative_infinite_) return -std::numeric_limits<double>::infinity();
    rank -= negative_infinite_;
    for (std::size_t i = negative_.counts.size(); i-- > 0;) {  // most negative first
        if (rank < negative_.counts[i]) return -representative(negative_.offset + long(i));
        rank -= negative_.counts[i];
    }
    if (rank < zeros_) return 0.0;
    rank -= zeros_;
    for (std::size_t i = 0; i < positive_.counts.size(); ++i) {
        if (rank < positive_.counts[i]) return representative(positive_.offset + long(i));
        rank -= positive_.counts[i];
    }
    return std::numeric_limits<double>::infinity();
}

double QuantileSketch::percentile(double q) const {
    if (!bucketed_) {
        std::vector<double> sorted = values_;
        std::sort(sorted.begin(), sorted.end());
        return percentile_of_sorted(sorted, q);
    }
    if (count_ == 0) return std::numeric_limits<double>::quiet_NaN();
    const double position = q / 100.0 * static_cast<double>(count_ - 1);  // as percentile_of_sorted
    const auto below = static_cast<std::uint64_t>(std::floor(position));
    const double low = value_at_rank(below);
    if (below + 1 >= count_) return low;
    const double high = value_at_rank(below + 1), fraction = position - static_cast<double>(below);
    return low == high ? low : low + fraction * (high - low);
}

void QuantileSketch::append_to(std::string& bytes) const {
    pack<std::uint64_t>(bytes, count_);
    pack<std::uint8_t>(bytes, bucketed_ ? 1 : 0);
    if (!bucketed_) {
        pack(bytes, values_);
        return;
    }
    for (auto n : {zeros_, negative_infinite_, positive_infinite_}) pack(bytes, n);
    for (const Store* s : {&positive_, &negative_}) {
        pack<std::int64_t>(bytes, s->offset);
        pack(bytes, s->counts);
    }
}

QuantileSketch QuantileSketch::read_from(const std::string& bytes, std::size_t& offset) {
    ByteReader in(bytes, offset);
    QuantileSketch s;
    in.read(s.count_);
    s.bucketed_ = in.take<std::uint8_t>() != 0;
    if (!s.bucketed_) {
        in.read(s.values_);
        if (s.values_.size() != s.count_) throw std::runtime_error("quantile sketch: corrupt message");
    } else {
        for (auto* n : {&s.zeros_, &s.negative_infinite_, &s.positive_infinite_}) in.read(*n);
        for (Store* store : {&s.positive_, &s.negative_}) {
            store->offset = static_cast<long>(in.take<std::int64_t>());
            in.read(store->counts);
        }
    }
    offset = in.offset();
    return s;
}

}  // namespace mobsim
