#include "sim/io/dataset_fields.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace mobsim::dataset_fields {

namespace {

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string trim(const std::string& s, std::size_t begin, std::size_t end) {
    while (begin < end && blank(s[begin])) ++begin;
    while (end > begin && blank(s[end - 1])) --end;
    return s.substr(begin, end - begin);
}

// Non-negative integer parts separated by one of "/-."; false if anything else.
bool integer_parts(const std::string& text, std::vector<long>& parts, std::vector<int>& digits) {
    parts.clear();
    digits.clear();
    long value = 0;
    int count = 0;
    for (std::size_t i = 0; i <= text.size(); ++i) {
        const char c = i < text.size() ? text[i] : '/';
        if (c >= '0' && c <= '9') {
            if (++count > 9) return false;
            value = value * 10 + (c - '0');
        } else if (c == '/' || c == '-' || c == '.' || c == ':') {
            if (count == 0) return false;
            parts.push_back(value);
            digits.push_back(count);
            value = 0;
            count = 0;
        } else {
            return false;
        }
    }
    return true;
}

// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil algorithm).
long days_from_civil(long y, long m, long d) {
    y -= m <= 2;
    const long era = (y >= 0 ? y : y - 399) / 400;
    const long yoe = y - era * 400;
    const long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

bool leap(long y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

long days_in_month(long y, long m) {
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

}  // namespace

Separator separator_of(const std::string& header_line) {
    return header_line.find(',') != std::string::npos ? Separator::comma : Separator::whitespace;
}

bool split_line(const std::string& line, Separator separator, std::vector<std::string>& fields, std::string& error) {
    fields.clear();
    if (separator == Separator::whitespace) {
        std::size_t i = 0;
        while (i < line.size()) {
            while (i < line.size() && blank(line[i])) ++i;
            const std::size_t begin = i;
            while (i < line.size() && !blank(line[i])) ++i;
            if (i > begin) fields.push_back(line.substr(begin, i - begin));
        }
        return true;
    }
    std::size_t begin = 0;
    while (true) {
        std::size_t i = begin;
        while (i < line.size() && blank(line[i])) ++i;
        if (i < line.size() && line[i] == '"') {  // quoted: "" is a quote inside
            std::string field;
            std::size_t j = i + 1;
            for (;; ++j) {
                if (j >= line.size()) {
                    error = "unterminated quoted field";
                    return false;
                }
                if (line[j] == '"' && j + 1 < line.size() && line[j + 1] == '"') field += '"', ++j;
                else if (line[j] == '"') break;
                else field += line[j];
            }
            fields.push_back(field);
            const std::size_t comma = line.find(',', j);
            if (comma == std::string::npos) return true;
            begin = comma + 1;
            continue;
        }
        const std::size_t comma = line.find(',', begin);
        fields.push_back(trim(line, begin, comma == std::string::npos ? line.size() : comma));
        if (comma == std::string::npos) return true;
        begin = comma + 1;
    }
}

std::optional<double> parse_number(const std::string& text, bool& missing) {
    missing = text.empty() || text == ".";
    if (missing) return std::nullopt;
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !std::isfinite(value) || errno == ERANGE) return std::nullopt;
    return value;
}

std::optional<double> parse_clock_time(const std::string& text) {
    if (text.find(':') == std::string::npos) return std::nullopt;
    std::vector<long> parts;
    std::vector<int> digits;
    if (!integer_parts(text, parts, digits) || parts.size() < 2 || parts.size() > 3) return std::nullopt;
    if (text.find_first_of("/-.") != std::string::npos) return std::nullopt;
    if (parts[1] > 59 || (parts.size() == 3 && parts[2] > 59)) return std::nullopt;
    const double seconds = parts.size() == 3 ? static_cast<double>(parts[2]) : 0.0;
    return static_cast<double>(parts[0]) + static_cast<double>(parts[1]) / 60.0 + seconds / 3600.0;
}

std::optional<long> parse_date(const std::string& text, DateOrder order) {
    std::vector<long> parts;
    std::vector<int> digits;
    if (text.find(':') != std::string::npos || !integer_parts(text, parts, digits)) return std::nullopt;
    if (parts.size() == 1) return parts[0];  // a relative day number
    if (parts.size() == 2) {  // no year: the parts in the format's order, within one (leap) year
        const bool month_first = order == DateOrder::month_day_year || order == DateOrder::year_month_day;
        parts.push_back(2000);
        digits.push_back(4);
        if (order == DateOrder::year_month_day || order == DateOrder::year_day_month)
            order = month_first ? DateOrder::month_day_year : DateOrder::day_month_year;
    }
    if (parts.size() != 3) return std::nullopt;
    long y = 0, m = 0, d = 0;
    int year_digits = 0;
    switch (order) {
        case DateOrder::month_day_year: m = parts[0], d = parts[1], y = parts[2], year_digits = digits[2]; break;
        case DateOrder::day_month_year: d = parts[0], m = parts[1], y = parts[2], year_digits = digits[2]; break;
        case DateOrder::year_month_day: y = parts[0], m = parts[1], d = parts[2], year_digits = digits[0]; break;
        case DateOrder::year_day_month: y = parts[0], d = parts[1], m = parts[2], year_digits = digits[0]; break;
    }
    if (year_digits <= 2) y += y >= 50 ? 1900 : 2000;
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return std::nullopt;
    return days_from_civil(y, m, d);
}

}  // namespace mobsim::dataset_fields
