// SHA-256 (FIPS 180-4), for recording which input produced an output.
#pragma once
#include <string>

namespace mobsim {

std::string sha256_hex(const std::string& data);
std::string sha256_of_file(const std::string& path);  // "" when unreadable

}  // namespace mobsim
