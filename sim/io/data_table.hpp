// Data for calibration, read from CSV tables that follow PEtab measurement-table conventions.
//   time courses:    observableId, [simulationConditionId], time, measurement, [subjectId], [censored], [sd]
//   summary targets: observableId, [simulationConditionId], measurement, [sd], [source]
// `time` is in hours. `censored` is 0/1; a censored row's measurement is the LLOQ (M3 likelihood).
// `sd`, when given, is the row's standard deviation and replaces the observable's error model.
// Lines starting with '#' are comments; fields may be double-quoted (for commas in `source`).
#pragma once
#include <string>
#include <vector>

namespace mobsim {

enum class DataKind { time_course, summary };

struct DataRow {
    std::string observable;
    std::string condition;  // empty: the fit's only scenario
    std::string subject;
    double time_h = 0.0;  // time courses only
    double measurement = 0.0;
    bool censored = false;
    double sd = 0.0;  // 0: none given
    std::string source;
    std::string file;
    int line = 0;
    std::string where() const { return file + ":" + std::to_string(line); }
};

// Throws InputError naming file, line and column for a missing file or column, an unknown column,
// a non-numeric or empty required cell, a ragged row, an unknown observable (with a near match) or no rows.
std::vector<DataRow> read_data_table(const std::string& path, DataKind kind,
                                     const std::vector<std::string>& observables);
std::vector<DataRow> read_data_text(const std::string& text, const std::string& name, DataKind kind,
                                    const std::vector<std::string>& observables);

}  // namespace mobsim
