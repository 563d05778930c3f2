#include "sim/io/csv_output.hpp"

#include <charconv>
#include <sstream>

#include "sim/base/sha256.hpp"
#include "version.hpp"

namespace mobsim {

std::string program_version() { return MOBSIM_VERSION; }
std::string git_revision() { return MOBSIM_GIT_REVISION; }

std::string format_number(double value) {
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

std::string column_name(const OutputInfo& output) {
    if (output.unit.empty() || output.unit == "1") return output.name;
    std::string unit;
    for (std::size_t i = 0; i < output.unit.size(); ++i) {
        const char c = output.unit[i];
        if (c == '/') unit += i == 0 ? "per_" : "_";
        else if (c == '%') unit += "pct";
        else if (c == ' ' || c == '*' || c == '.') unit += '_';
        else if (static_cast<unsigned char>(c) == 0xC2 && i + 1 < output.unit.size() &&
                 static_cast<unsigned char>(output.unit[i + 1]) == 0xB5) {  // UTF-8 micro sign
            unit += 'u';
            ++i;
        } else unit += c;
    }
    return output.name + "_" + unit;
}

Provenance make_provenance(const std::string& input_path, const Model& model, const SolverSettings& solver,
                           const std::string& command) {
    Provenance p;
    p.entries.emplace_back("program", "mobsim " + program_version());
    p.entries.emplace_back("git_revision", git_revision());
    p.entries.emplace_back("input", input_path);
    p.entries.emplace_back("input_sha256", sha256_of_file(input_path));
    p.entries.emplace_back("model", model.name());
    std::ostringstream s;
    s << solver.method << " rtol=" << format_number(solver.rtol) << " atol=" << format_number(solver.atol)
      << " max_steps=" << solver.max_steps << " linear_blocks=" << (solver.exact_linear_blocks ? "exact" : "stepped")
      << " stiff_fallback=" << (solver.stiff_fallback ? *solver.stiff_fallback : std::string("none"));
    for (std::size_t i = 0; i < solver.tolerance_scale.size(); ++i)
        if (solver.tolerance_scale[i] != 1.0)
            s << " tolerance_scale." << model.states()[i].name << "=" << format_number(solver.tolerance_scale[i]);
    p.entries.emplace_back("solver", s.str());
    p.entries.emplace_back("command", command);
    p.entries.emplace_back("dose_time_rows", "a row at a dose time holds the state just after the dose");
    return p;
}

std::string provenance_lines(const Provenance& provenance) {
    std::string out;
    for (const auto& [key, value] : provenance.entries) out += "# " + key + ": " + value + "\n";
    return out;
}

void add_parameters_file(Provenance& provenance, const std::string& path) {
    if (path.empty()) return;
    provenance.entries.emplace_back("parameters_file", path);
    provenance.entries.emplace_back("parameters_file_sha256", sha256_of_file(path));
}

void add_scenario_file(Provenance& provenance, const std::string& path) {
    if (path.empty()) return;
    provenance.entries.emplace_back("scenario", path);
    provenance.entries.emplace_back("scenario_sha256", sha256_of_file(path));
}

namespace {

std::vector<std::size_t> selected_columns(const Trajectory& t, const std::vector<std::string>& selected) {
    std::vector<std::size_t> columns;
    if (selected.empty()) {
        for (std::size_t j = 0; j < t.outputs.size(); ++j) columns.push_back(j);
        return columns;
    }
    for (const auto& name : selected)
        for (std::size_t j = 0; j < t.outputs.size(); ++j)
            if (t.outputs[j].name == name) columns.push_back(j);
    return columns;
}

void write_provenance(std::ostringstream& out, const Provenance& p) {
    for (const auto& [key, value] : p.entries) out << "# " << key << ": " << value << '\n';
}

}  // namespace

std::string to_wide_csv(const Trajectory& t, const std::vector<std::string>& selected, const Provenance& p) {
    const auto columns = selected_columns(t, selected);
    std::ostringstream out;
    write_provenance(out, p);
    out << "time_h";
    for (std::size_t j : columns) out << ',' << column_name(t.outputs[j]);
    out << '\n';
    for (std::size_t i = 0; i < t.time_h.size(); ++i) {
        out << format_number(t.time_h[i]);
        for (std::size_t j : columns) out << ',' << format_number(t.at(i, j));
        out << '\n';
    }
    return out.str();
}

std::string to_long_csv(const Trajectory& t, const std::vector<std::string>& selected, const Provenance& p) {
    const auto columns = selected_columns(t, selected);
    std::ostringstream out;
    write_provenance(out, p);
    out << "time_h,output,value,unit\n";
    for (std::size_t i = 0; i < t.time_h.size(); ++i)
        for (std::size_t j : columns)
            out << format_number(t.time_h[i]) << ',' << t.outputs[j].name << ',' << format_number(t.at(i, j)) << ','
                << (t.outputs[j].unit == "1" ? "" : t.outputs[j].unit) << '\n';
    return out.str();
}

}  // namespace mobsim
