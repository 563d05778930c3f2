// Field-level parsing for NONMEM-format datasets: splitting a line, numbers, dates and clock times.
// Internal to dataset.cpp and its tests.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace mobsim::dataset_fields {

enum class Separator { comma, whitespace };

// The separator a header line uses: a comma anywhere makes it CSV, otherwise blanks and tabs.
Separator separator_of(const std::string& header_line);

// Splits one line. CSV fields are trimmed and may be double-quoted; whitespace fields are runs of non-blanks.
// Returns false (and sets `error`) for an unterminated quote.
bool split_line(const std::string& line, Separator separator, std::vector<std::string>& fields, std::string& error);

// A finite number, or none ("", ".", or anything else). `missing` is set for "" and ".".
std::optional<double> parse_number(const std::string& text, bool& missing);

// Clock time "hh:mm" or "hh:mm:ss" in hours (hh may exceed 23, as NONMEM allows), or none.
std::optional<double> parse_clock_time(const std::string& text);

// Date formats of NONMEM's date data items, giving the day number (days since 1970-01-01):
//   DATE  month/day/year,  DAT1 day/month/year,  DAT2 year/month/day,  DAT3 year/day/month;
// '/', '-' or '.' separate the parts; a two-digit year is 19xx from 50 on, else 20xx. Without a year the two
// parts are month and day in the format's order, within one year; a plain integer is a relative day number
// (both as NONMEM accepts them). None for anything else or an impossible date.
enum class DateOrder { month_day_year, day_month_year, year_month_day, year_day_month };
std::optional<long> parse_date(const std::string& text, DateOrder order);

}  // namespace mobsim::dataset_fields
