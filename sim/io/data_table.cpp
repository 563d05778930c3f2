#include "sim/io/data_table.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "sim/base/config.hpp"
#include "sim/base/errors.hpp"
#include "sim/base/text_match.hpp"

namespace mobsim {

namespace {

[[noreturn]] void fail(const std::string& name, int line, const std::string& message) {
    throw InputError(name + ":" + std::to_string(line) + ": " + message);
}

std::string trim(const std::string& s) {
    const auto begin = s.find_first_not_of(" \t\r");
    if (begin == std::string::npos) return "";
    return s.substr(begin, s.find_last_not_of(" \t\r") - begin + 1);
}

std::vector<std::string> split_fields(const std::string& line, const std::string& name, int number) {
    std::vector<std::string> fields;
    std::string field;
    bool quoted = false, was_quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') field += '"', ++i;
            else if (c == '"') quoted = false;
            else field += c;
        } else if (c == '"' && trim(field).empty()) {
            quoted = was_quoted = true;
            field.clear();
        } else if (c == ',') {
            fields.push_back(was_quoted ? field : trim(field));
            field.clear();
            was_quoted = false;
        } else {
            field += c;
        }
    }
    if (quoted) fail(name, number, "unterminated quoted field");
    fields.push_back(was_quoted ? field : trim(field));
    return fields;
}

struct Columns {
    int observable = -1, condition = -1, subject = -1, time = -1, measurement = -1, censored = -1, sd = -1,
        source = -1;
};

Columns map_columns(const std::vector<std::string>& header, DataKind kind, const std::string& name, int line) {
    std::vector<std::string> allowed = {"observableId", "simulationConditionId", "measurement", "sd", "source"};
    if (kind == DataKind::time_course) allowed = {"observableId", "simulationConditionId", "time", "measurement",
                                                  "subjectId", "censored", "sd", "source"};
    Columns c;
    for (std::size_t i = 0; i < header.size(); ++i) {
        const std::string& h = header[i];
        const std::string column = "column " + std::to_string(i + 1);
        if (std::find(allowed.begin(), allowed.end(), h) == allowed.end())
            fail(name, line, column + ": unknown column '" + h + "'" + did_you_mean(h, allowed) +
                                 " (allowed: " + join(allowed, ", ") + ")");
        if (std::count(header.begin(), header.end(), h) > 1) fail(name, line, column + ": duplicate column '" + h + "'");
        int* slot = h == "observableId" ? &c.observable : h == "simulationConditionId" ? &c.condition
                  : h == "subjectId" ? &c.subject : h == "time" ? &c.time : h == "measurement" ? &c.measurement
                  : h == "censored" ? &c.censored : h == "sd" ? &c.sd : &c.source;
        *slot = static_cast<int>(i);
    }
    std::vector<std::string> required = {"observableId", "measurement"};
    if (kind == DataKind::time_course) required.insert(required.begin() + 1, "time");
    for (const auto& r : required)
        if (std::find(header.begin(), header.end(), r) == header.end())
            fail(name, line, "missing required column '" + r + "' (header: " + join(header, ",") + ")");
    return c;
}

double number_cell(const std::vector<std::string>& fields, int column, const std::vector<std::string>& header,
                   const std::string& name, int line) {
    const std::string& text = fields[column];
    const std::string where = "column " + std::to_string(column + 1) + " (" + header[column] + ")";
    if (text.empty()) fail(name, line, where + ": empty cell, expected a number");
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(text.c_str(), &end);
    if (end != text.c_str() + text.size() || !std::isfinite(value) || errno == ERANGE)
        fail(name, line, where + ": expected a finite number, found '" + text + "'");
    return value;
}

}  // namespace

std::vector<DataRow> read_data_text(const std::string& text, const std::string& name, DataKind kind,
                                    const std::vector<std::string>& observables) {
    if (const auto nul = text.find('\0'); nul != std::string::npos)
        throw InputError(name + ":" + std::to_string(1 + std::count(text.begin(), text.begin() + nul, '\n')) +
                         ": file contains a NUL byte; expected CSV text");
    std::istringstream in(text);
    std::string raw;
    int line = 0;
    std::vector<std::string> header;
    Columns c;
    std::vector<DataRow> rows;
    while (std::getline(in, raw)) {
        ++line;
        if (line == 1 && raw.rfind("\xEF\xBB\xBF", 0) == 0) raw.erase(0, 3);  // UTF-8 byte-order mark
        const std::string content = trim(raw);
        if (content.empty() || content[0] == '#') continue;
        std::vector<std::string> fields = split_fields(raw, name, line);
        if (header.empty()) {
            header = fields;
            c = map_columns(header, kind, name, line);
            continue;
        }
        if (fields.size() != header.size())
            fail(name, line, "ragged row: " + std::to_string(fields.size()) + " fields, the header has " +
                                 std::to_string(header.size()));
        DataRow row;
        row.file = name;
        row.line = line;
        row.observable = fields[c.observable];
        if (row.observable.empty()) fail(name, line, "column " + std::to_string(c.observable + 1) + " (observableId): empty cell");
        if (std::find(observables.begin(), observables.end(), row.observable) == observables.end())
            fail(name, line, "column " + std::to_string(c.observable + 1) + " (observableId): unknown observable '" +
                                 row.observable + "'" + did_you_mean(row.observable, observables) +
                                 " (the fit file defines: " + join(observables, ", ") + ")");
        if (c.condition >= 0) row.condition = fields[c.condition];
        if (c.subject >= 0) row.subject = fields[c.subject];
        if (c.source >= 0) row.source = fields[c.source];
        row.measurement = number_cell(fields, c.measurement, header, name, line);
        if (c.time >= 0) {
            row.time_h = number_cell(fields, c.time, header, name, line);
            if (row.time_h < 0.0) fail(name, line, "column " + std::to_string(c.time + 1) + " (time): negative time");
        }
        if (c.censored >= 0 && !fields[c.censored].empty()) {
            const std::string& flag = fields[c.censored];
            if (flag != "0" && flag != "1")
                fail(name, line, "column " + std::to_string(c.censored + 1) + " (censored): expected 0 or 1, found '" +
                                     flag + "'");
            row.censored = flag == "1";
        }
        if (c.sd >= 0 && !fields[c.sd].empty()) {
            row.sd = number_cell(fields, c.sd, header, name, line);
            if (!(row.sd > 0.0)) fail(name, line, "column " + std::to_string(c.sd + 1) + " (sd): expected a positive number");
        }
        rows.push_back(row);
    }
    if (header.empty()) throw InputError(name + ": empty file; expected a CSV header and data rows");
    if (rows.empty()) throw InputError(name + ": no data rows after the header");
    return rows;
}

std::vector<DataRow> read_data_table(const std::string& path, DataKind kind, const std::vector<std::string>& observables) {
    return read_data_text(read_input_file(path, "a CSV data table"), path, kind, observables);
}

}  // namespace mobsim
