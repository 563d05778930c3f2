#include "sim/io/dataset.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <unordered_map>

#include "sim/io/dataset_events.hpp"
#include "sim/io/dataset_fields.hpp"
#include "sim/base/errors.hpp"
#include "sim/base/text_match.hpp"

namespace mobsim {

namespace {

using namespace dataset_fields;
using dataset_events::Record;

enum Column { c_id, c_time, c_evid, c_amt, c_cmt, c_rate, c_ii, c_addl, c_ss, c_dv, c_mdv, c_blq, c_lloq, c_date,
              c_comment, n_columns };

// Header names of each column, upper case; BLQ and CENS are one column, and so are the four date formats.
const std::vector<std::vector<std::string>>& column_names() {
    static const std::vector<std::vector<std::string>> names = {
        {"ID"}, {"TIME"}, {"EVID"}, {"AMT"}, {"CMT"}, {"RATE"}, {"II"}, {"ADDL"}, {"SS"}, {"DV"}, {"MDV"},
        {"BLQ", "CENS"}, {"LLOQ"}, {"DATE", "DAT1", "DAT2", "DAT3"}, {"C"}};
    return names;
}

std::string upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string format_hours(double h) {
    std::ostringstream out;
    out << h;
    return out.str();
}

struct Layout {
    std::vector<std::string> header;
    int index[n_columns];
    DateOrder date_order = DateOrder::month_day_year;
    std::vector<int> covariate_columns;
};

class Reader {
public:
    Reader(const std::string& name, const DatasetSchema& schema) : name_(name), schema_(schema) {}

    Dataset read(const std::string& text);

private:
    const std::string& name_;
    const DatasetSchema& schema_;
    Layout layout_;
    int line_ = 0;
    std::vector<std::string> fields_;
    bool translate_times_ = false;

    [[noreturn]] void fail(const std::string& message) const {
        throw InputError(name_ + ":" + std::to_string(line_) + ": " + message);
    }
    [[noreturn]] void fail_at(int column, const std::string& message) const {
        fail("column " + std::to_string(column + 1) + " (" + layout_.header[column] + "): " + message);
    }
    const std::string* cell(Column c) const { return layout_.index[c] < 0 ? nullptr : &fields_[layout_.index[c]]; }
    [[noreturn]] void fail_cell(Column c, const std::string& message) const {
        if (layout_.index[c] < 0) fail(message + " (the dataset has no " + column_names()[c][0] + " column)");
        fail_at(layout_.index[c], message);
    }

    // The cell's number; `fallback` when the column is absent or the cell is "" or ".".
    double number(Column c, double fallback) const {
        const std::string* text = cell(c);
        if (!text) return fallback;
        bool missing = false;
        const auto value = parse_number(*text, missing);
        if (missing) return fallback;
        if (!value) fail_cell(c, "expected a number, found '" + *text + "'");
        return *value;
    }
    long integer(Column c, long fallback, long lowest, long highest, const std::string& expected) const {
        const double value = number(c, static_cast<double>(fallback));
        if (value != std::floor(value) || value < lowest || value > highest)
            fail_cell(c, "expected " + expected + ", found '" + *cell(c) + "'");
        return static_cast<long>(value);
    }

    void map_header(const std::vector<std::string>& header);
    // (day, hours): the date's day number (0 without a date) and the TIME cell in hours
    std::pair<long, double> record_time() const;
    int resolve_state(Column c) const;
    std::string resolve_output(Column c) const;
    Record parse_record() const;
};

void Reader::map_header(const std::vector<std::string>& header) {
    layout_.header = header;
    std::fill(std::begin(layout_.index), std::end(layout_.index), -1);
    const auto& names = column_names();
    for (std::size_t i = 0; i < header.size(); ++i) {
        const std::string name = upper(header[i]);
        if (header[i].empty()) fail_at(static_cast<int>(i), "empty column name");
        for (std::size_t j = 0; j < i; ++j)
            if (upper(header[j]) == name)
                fail_at(static_cast<int>(i), "duplicate column (also column " + std::to_string(j + 1) + ")");
        int known = -1;
        for (int c = 0; c < n_columns; ++c)
            if (std::find(names[c].begin(), names[c].end(), name) != names[c].end()) known = c;
        if (known < 0) {
            layout_.covariate_columns.push_back(static_cast<int>(i));
            continue;
        }
        if (layout_.index[known] >= 0)
            fail_at(static_cast<int>(i), "says the same as column " + std::to_string(layout_.index[known] + 1) + " (" +
                                             header[layout_.index[known]] + "); give one of them");
        layout_.index[known] = static_cast<int>(i);
        if (known == c_date)
            layout_.date_order = name == "DAT1" ? DateOrder::day_month_year : name == "DAT2" ? DateOrder::year_month_day
                               : name == "DAT3" ? DateOrder::year_day_month : DateOrder::month_day_year;
    }
    for (Column required : {c_id, c_time})
        if (layout_.index[required] < 0)
            fail("missing required column '" + column_names()[required][0] + "' (header: " + join(header, ",") + ")");
}

std::pair<long, double> Reader::record_time() const {
    const std::string& text = *cell(c_time);
    double hours = 0.0;
    if (const auto clock = parse_clock_time(text)) {
        hours = *clock;
    } else {
        bool missing = false;
        const auto value = parse_number(text, missing);
        if (!value) fail_cell(c_time, "expected a number (the time) or a clock time hh:mm, found '" + text + "'");
        hours = *value * schema_.hours_per_time_unit;
    }
    if (!translate_times_) {
        if (hours < 0.0) fail_cell(c_time, "negative time " + text);
        return {0, hours};
    }
    long day = 0;
    if (const std::string* date = cell(c_date)) {
        const auto parsed = parse_date(*date, layout_.date_order);
        if (!parsed) fail_cell(c_date, "expected a date in the order " + upper(layout_.header[layout_.index[c_date]]) +
                                           " gives (or a day number), found '" + *date + "'");
        day = *parsed;
    }
    return {day, hours};
}

int Reader::resolve_state(Column c) const {
    const std::string* text = cell(c);
    if (!text || text->empty() || *text == "." || *text == "0")
        fail_cell(text ? c : c_amt, "a dose needs a CMT naming the state dosed (a name or a number from 1)");
    const auto& states = schema_.states;
    bool missing = false;
    if (const auto n = parse_number(*text, missing)) {
        if (*n == std::floor(*n) && *n >= 1 && *n <= static_cast<double>(states.size())) return static_cast<int>(*n) - 1;
        fail_cell(c, "no state number " + *text + " (the model's states are 1.." + std::to_string(states.size()) +
                         ": " + join(states, ", ") + ")");
    }
    for (std::size_t i = 0; i < states.size(); ++i)
        if (upper(states[i]) == upper(*text)) return static_cast<int>(i);
    fail_cell(c, "unknown state '" + *text + "'" + did_you_mean(*text, states) + " (the model's states: " +
                     join(states, ", ") + ")");
}

std::string Reader::resolve_output(Column c) const {
    const std::string* text = cell(c);
    if (!text || text->empty() || *text == "." || *text == "0") return "";
    const auto& outputs = schema_.outputs;
    bool missing = false;
    if (const auto n = parse_number(*text, missing)) {
        if (*n == std::floor(*n) && *n >= 1 && *n <= static_cast<double>(outputs.size()))
            return outputs[static_cast<std::size_t>(*n) - 1];
        fail_cell(c, "an observation's CMT names a model output; there is no output number " + *text + " (1.." +
                         std::to_string(outputs.size()) + ": " + join(outputs, ", ") + ")");
    }
    for (const auto& output : outputs)
        if (upper(output) == upper(*text)) return output;
    fail_cell(c, "unknown output '" + *text + "'" + did_you_mean(*text, outputs) + " (an observation's CMT names a "
                 "model output: " + join(outputs, ", ") + ")");
}

Record Reader::parse_record() const {
    Record r;
    r.amt = number(c_amt, 0.0);
    if (r.amt < 0.0) fail_cell(c_amt, "negative AMT " + *cell(c_amt));
    r.mdv = integer(c_mdv, 0, 0, 1, "0 or 1") == 1;
    r.evid = static_cast<int>(integer(c_evid, r.amt > 0.0 ? 1 : r.mdv ? 2 : 0, 0, 4,
                                      "0 (observation), 1 (dose), 2 (other), 3 (reset) or 4 (reset and dose)"));
    const bool dose = r.evid == 1 || r.evid == 4;
    if (r.amt > 0.0 && !dose)
        fail_cell(c_amt, "AMT " + *cell(c_amt) + " on a record with EVID " + std::to_string(r.evid) +
                             "; a dose needs EVID 1 or 4");
    r.rate = number(c_rate, 0.0);
    if (r.rate > 0.0) r.rate /= schema_.hours_per_time_unit;
    r.ii = number(c_ii, 0.0) * schema_.hours_per_time_unit;
    r.addl = integer(c_addl, 0, 0, 1000000, "a whole number of additional doses, 0 to 1000000");
    r.ss = static_cast<int>(integer(c_ss, 0, 0, 2, "0, 1 or 2"));
    if (r.ii < 0.0) fail_cell(c_ii, "negative II " + *cell(c_ii));
    if (!dose) {
        for (Column c : {c_rate, c_ii, c_addl, c_ss})
            if (number(c, 0.0) != 0.0)
                fail_cell(c, "set on a record with EVID " + std::to_string(r.evid) + "; it applies to doses (EVID 1 or 4)");
    } else {
        if (!(r.amt > 0.0)) fail_cell(c_amt, "a dose (EVID " + std::to_string(r.evid) + ") needs AMT > 0");
        r.state = resolve_state(c_cmt);
        if (r.rate < 0.0 && r.rate != -1.0 && r.rate != -2.0)
            fail_cell(c_rate, "expected RATE > 0, 0 (bolus), -1 (rate set by the model) or -2 (duration set by the "
                              "model), found '" + *cell(c_rate) + "'");
        if (r.ii > 0.0 && r.addl == 0 && r.ss == 0) fail_cell(c_ii, "II without ADDL or SS; II is the interval of either");
        if (r.addl > 0 && !(r.ii > 0.0)) fail_cell(c_addl, "ADDL needs II > 0, the interval between the doses");
        if (r.ss > 0 && !(r.ii > 0.0))
            fail_cell(c_ss, "SS needs II > 0, the dosing interval (steady-state constant infusions are not supported)");
    }
    if (!cell(c_dv) && r.evid == 0) r.mdv = true;  // no DV column: EVID 0 records are times without data
    if (r.evid == 0 && !r.mdv) {
        r.output = resolve_output(c_cmt);
        const std::string* dv = cell(c_dv);
        bool missing = false;
        const auto value = parse_number(*dv, missing);
        if (!value) fail_cell(c_dv, missing ? "observation without a value; set MDV 1 for a time without data"
                                            : "expected a number, found '" + *dv + "'");
        r.dv = *value;
        r.blq = integer(c_blq, 0, 0, 1, "0 or 1 (1: DV is below the LLOQ)") == 1;
        const double lloq = number(c_lloq, std::numeric_limits<double>::quiet_NaN());
        if (!std::isnan(lloq)) {
            if (lloq < 0.0) fail_cell(c_lloq, "negative LLOQ");
            r.lloq = lloq;
            r.has_lloq = true;
        }
    }
    return r;
}

Dataset Reader::read(const std::string& text) {
    Dataset out;
    out.path = name_;
    std::size_t position = 0;
    Separator separator = Separator::comma;
    std::string error;
    std::vector<double> covariates;
    std::vector<std::vector<CovariatePoint>> history;
    Subject* subject = nullptr;
    std::unordered_map<std::string, int> last_lines;  // of the subjects before the current one
    std::pair<long, double> first_time{0, 0.0};
    double previous_time = 0.0;
    while (position < text.size()) {
        std::size_t end = text.find('\n', position);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(position, end - position);
        position = end + 1;
        ++line_;
        // a byte-order mark and CRLF line ends are bad input: refused with where and how to convert
        if (line_ == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0)
            fail("column 1: the file starts with a UTF-8 byte-order mark (bytes EF BB BF, as Excel's 'CSV UTF-8' "
                 "writes); save it as plain CSV, or remove the mark (sed -i '1s/^\\xEF\\xBB\\xBF//' FILE)");
        if (!line.empty() && line.back() == '\r')
            fail("column " + std::to_string(line.size()) + ": the line ends in a carriage return (CRLF, Windows line "
                 "ends); convert the file to LF line ends (dos2unix FILE)");
        const std::size_t first = line.find_first_not_of(" \t");
        if (first == std::string::npos || line[first] == '#') continue;
        if (layout_.header.empty()) {
            separator = separator_of(line);
            if (!split_line(line, separator, fields_, error)) fail(error);
            map_header(fields_);
            translate_times_ = layout_.index[c_date] >= 0;
            for (int c : layout_.covariate_columns) out.covariate_names.push_back(layout_.header[c]);
            history.resize(out.covariate_names.size());
            covariates.resize(out.covariate_names.size());
            continue;
        }
        if (!split_line(line, separator, fields_, error)) fail(error);
        if (fields_.size() != layout_.header.size())
            fail("ragged record: " + std::to_string(fields_.size()) + " fields, the header has " +
                 std::to_string(layout_.header.size()));
        if (const std::string* c = cell(c_comment); c && upper(*c) == "C") continue;  // NONMEM's IGNORE=C
        ++out.records;
        const std::string& id = *cell(c_id);
        if (id.empty() || id == ".") fail_cell(c_id, "empty ID");
        // clock times on the first record: relative times from each subject's first record, as with a date
        if (out.records == 1 && cell(c_time)->find(':') != std::string::npos) translate_times_ = true;
        const Record record = parse_record();
        const auto [day, hours] = record_time();
        if (!subject || subject->id != id) {
            if (subject) dataset_events::finish_subject(*subject, out.covariate_names, history);
            if (const auto seen = last_lines.find(id); seen != last_lines.end())
                fail_cell(c_id, "ID " + id + " appears again after other IDs (its records end on line " +
                                    std::to_string(seen->second) + "); keep each subject's records together");
            if (subject) last_lines[subject->id] = subject->last_line;
            out.subjects.emplace_back();
            subject = &out.subjects.back();
            subject->id = id;
            subject->carry = schema_.covariate_carry;
            subject->first_line = line_;
            first_time = {day, hours};
            previous_time = 0.0;
        }
        // relative to the subject's first record when translated; the day difference first keeps it exact
        const double time = translate_times_ ? 24.0 * static_cast<double>(day - first_time.first) + (hours - first_time.second)
                                             : hours;
        if (time < previous_time)
            fail_cell(c_time, "TIME goes backwards within ID " + id + " (from " + format_hours(previous_time) + " h to " +
                                  format_hours(time) + " h)");
        previous_time = time;
        for (std::size_t k = 0; k < covariates.size(); ++k) {
            const int column = layout_.covariate_columns[k];
            bool missing = false;
            const auto value = parse_number(fields_[column], missing);
            if (!value && !missing) fail_at(column, "expected a number (a covariate), found '" + fields_[column] + "'");
            covariates[k] = value ? *value : std::numeric_limits<double>::quiet_NaN();
        }
        dataset_events::add_record(*subject, record, time, line_, covariates, history);
        subject->last_line = line_;
    }
    if (layout_.header.empty()) throw InputError(name_ + ": empty file; expected a header line (ID, TIME, ...) and records");
    if (out.subjects.empty()) throw InputError(name_ + ": no records after the header");
    dataset_events::finish_subject(*subject, out.covariate_names, history);
    return out;
}

}  // namespace

Dataset read_dataset_text(const std::string& text, const std::string& name, const DatasetSchema& schema) {
    return Reader(name, schema).read(text);
}

Dataset read_dataset(const std::string& path, const DatasetSchema& schema) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot open dataset (" + std::string(std::strerror(errno)) + ")");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return read_dataset_text(buffer.str(), path, schema);
}

}  // namespace mobsim
