#include "sim/io/json_output.hpp"

#include <cmath>
#include <cstdio>

#include "sim/io/csv_output.hpp"

namespace mobsim {

std::string json_string(const std::string& text) {
    std::string out = "\"";
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += ch;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
            out += escaped;
        } else {
            out += ch;
        }
    }
    return out + "\"";
}

std::string json_number(double value) { return std::isfinite(value) ? format_number(value) : "null"; }

}  // namespace mobsim
