// Plain binary packing of numbers, strings and vectors into a std::string, for messages between processes of
// one program (same binary, same byte order), such as MPI ranks. A reader past the end throws.
#pragma once
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace mobsim {

template <class T>
void pack(std::string& bytes, const T& value) {
    static_assert(std::is_trivially_copyable<T>::value, "pack: plain values only");
    bytes.append(reinterpret_cast<const char*>(&value), sizeof value);
}

inline void pack(std::string& bytes, const std::string& text) {
    pack<std::uint64_t>(bytes, text.size());
    bytes += text;
}

template <class T>
void pack(std::string& bytes, const std::vector<T>& values) {
    pack<std::uint64_t>(bytes, values.size());
    for (const auto& v : values) pack(bytes, v);
}

class ByteReader {
public:
    ByteReader(const std::string& bytes, std::size_t offset = 0) : bytes_(bytes), offset_(offset) {}
    template <class T>
    T take() {
        T value;
        read(value);
        return value;
    }
    template <class T>
    void read(T& value) {
        static_assert(std::is_trivially_copyable<T>::value, "ByteReader: plain values only");
        need(sizeof value);
        std::memcpy(&value, bytes_.data() + offset_, sizeof value);
        offset_ += sizeof value;
    }
    void read(std::string& text) {
        const auto size = take<std::uint64_t>();
        need(size);
        text.assign(bytes_, offset_, size);
        offset_ += size;
    }
    template <class T>
    void read(std::vector<T>& values) {
        const auto size = take<std::uint64_t>();
        need(size);  // every element takes at least one byte
        values.resize(size);
        for (auto& v : values) read(v);
    }
    std::size_t offset() const { return offset_; }

private:
    void need(std::uint64_t n) const {
        if (n > bytes_.size() - offset_) throw std::runtime_error("message truncated or corrupt");
    }
    const std::string& bytes_;
    std::size_t offset_;
};

}  // namespace mobsim
