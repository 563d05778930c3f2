// Platform-independent random numbers: splitmix64 (Steele, Lea & Flood 2014) and Box-Muller normals.
// The standard library's distributions are implementation-defined, so they are not used.
#pragma once
#include <cmath>
#include <cstdint>

namespace mobsim {

// The splitmix64 output function: a bijective 64-bit mixer.
inline std::uint64_t mix64(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

inline std::uint64_t splitmix64(std::uint64_t& state) { return mix64(state += 0x9E3779B97F4A7C15ull); }

// An independent stream for each (seed, patient index, stream number).
class RandomStream {
public:
    RandomStream(std::uint64_t seed, std::uint64_t index, std::uint64_t stream) {
        state_ = mix64(mix64(mix64(seed + 0x9E3779B97F4A7C15ull) ^ (index + 1) * 0xD1B54A32D192ED03ull) ^
                       (stream + 1) * 0xABC98388FB8FAC03ull);
    }
    // Uniform on the open interval (0, 1), 53 bits.
    double uniform() { return (static_cast<double>(splitmix64(state_) >> 11) + 0.5) * 0x1.0p-53; }
    // Standard normal by the Box-Muller transform; the second value of each pair is kept for the next call.
    double normal() {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        const double radius = std::sqrt(-2.0 * std::log(uniform()));
        const double angle = 6.283185307179586476925 * uniform();
        spare_ = radius * std::sin(angle);
        has_spare_ = true;
        return radius * std::cos(angle);
    }

private:
    std::uint64_t state_ = 0;
    double spare_ = 0.0;
    bool has_spare_ = false;
};

}  // namespace mobsim
