#include "sim/model_files/model_file_units.hpp"

#include <cctype>
#include <cstdlib>

namespace mobsim::model_file {

namespace {

std::string base_of(const std::string& symbol) {
    static const std::map<std::string, std::string> bases = {
        {"g", "mass"},     {"kg", "mass"},    {"mg", "mass"},    {"ug", "mass"},    {"ng", "mass"},
        {"pg", "mass"},    {"L", "volume"},   {"dL", "volume"},  {"mL", "volume"},  {"uL", "volume"},
        {"nL", "volume"},  {"h", "time"},     {"min", "time"},   {"s", "time"},     {"d", "time"},
        {"day", "time"},   {"week", "time"},  {"mol", "amount"}, {"mmol", "amount"}, {"umol", "amount"},
        {"nmol", "amount"}, {"pmol", "amount"}, {"cells", "cells"}, {"cell", "cells"}};
    const auto it = bases.find(symbol);
    return it == bases.end() ? symbol : it->second;
}

}  // namespace

Dimension Dimension::times(const Dimension& o, int sign) const {
    Dimension out = *this;
    for (const auto& [base, e] : o.exponents)
        if ((out.exponents[base] += sign * e) == 0) out.exponents.erase(base);
    return out;
}

Dimension Dimension::power(int n) const {
    Dimension out;
    if (n == 0) return out;
    for (const auto& [base, e] : exponents) out.exponents[base] = e * n;
    return out;
}

std::string Dimension::describe() const {
    std::string num, den;
    for (const auto& [base, e] : exponents) {
        std::string& side = e > 0 ? num : den;
        side += (side.empty() ? "" : "*") + base + (std::abs(e) > 1 ? "^" + std::to_string(std::abs(e)) : "");
    }
    if (num.empty()) num = "1";
    return den.empty() ? num : num + "/" + den;
}

std::optional<Dimension> parse_unit(const std::string& unit, std::string& error) {
    Dimension out;
    std::size_t i = 0;
    int sign = 1;
    bool expect_factor = true;
    while (i < unit.size()) {
        const char c = unit[i];
        if (c == ' ') {
            ++i;
        } else if (c == '/' && i == 0) {  // "/uL": per microlitre, as the built-in models write counts
            sign = -1;
            ++i;
        } else if (c == '/' || c == '*' || c == '.') {
            if (expect_factor) return error = "unit '" + unit + "': a factor is missing before '" + c + "'", std::nullopt;
            sign = c == '/' ? -1 : 1;
            expect_factor = true;
            ++i;
        } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '%' || c == '_') {
            if (!expect_factor) return error = "unit '" + unit + "': '*' or '/' expected between factors", std::nullopt;
            std::size_t j = i;
            const bool numeric = std::isdigit(static_cast<unsigned char>(c));
            while (j < unit.size() && (numeric ? std::isdigit(static_cast<unsigned char>(unit[j])) || unit[j] == '.'
                                               : std::isalnum(static_cast<unsigned char>(unit[j])) || unit[j] == '_'))
                ++j;
            if (c == '%') j = i + 1;
            const std::string symbol = unit.substr(i, j - i);
            int exponent = 1;
            if (j < unit.size() && unit[j] == '^') {
                char* end = nullptr;
                exponent = static_cast<int>(std::strtol(unit.c_str() + j + 1, &end, 10));
                if (end == unit.c_str() + j + 1) return error = "unit '" + unit + "': an integer exponent must follow '^'", std::nullopt;
                j = static_cast<std::size_t>(end - unit.c_str());
            }
            if (!numeric && symbol != "%") {
                Dimension factor;
                factor.exponents[base_of(symbol)] = 1;
                out = out.times(factor.power(exponent), sign);
            }
            sign = 1;
            expect_factor = false;
            i = j;
        } else {
            return error = "unit '" + unit + "': unexpected character '" + std::string(1, c) + "'", std::nullopt;
        }
    }
    if (expect_factor && !unit.empty()) return error = "unit '" + unit + "' ends with an operator", std::nullopt;
    return out;
}

}  // namespace mobsim::model_file
