// The calibration data reader: accepted layouts and error messages that locate the problem.
#include <catch2/catch.hpp>

#include "sim/io/data_table.hpp"
#include "sim/base/errors.hpp"

using namespace mobsim;
using Catch::Matchers::Contains;

namespace {
const std::vector<std::string> kObservables = {"conc", "fold_cd34"};
}

TEST_CASE("time-course table with comments, quotes, subjects and censoring") {
    const auto rows = read_data_text("# comment line\n"
                                     "observableId,simulationConditionId,subjectId,time,measurement,censored,source\n"
                                     "conc,oral,1,0.5,1.25,0,\"Table 2, row 1\"\n"
                                     "\n"
                                     "conc,oral,1,48,0.05,1,\n",
                                     "d.csv", DataKind::time_course, kObservables);
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].time_h == 0.5);
    CHECK(rows[0].measurement == 1.25);
    CHECK(rows[0].source == "Table 2, row 1");
    CHECK(rows[0].line == 3);
    CHECK(rows[1].censored);
    CHECK(rows[1].subject == "1");
}

TEST_CASE("summary table without time column") {
    const auto rows = read_data_text("observableId,measurement,sd\nfold_cd34,98.6,\n", "s.csv", DataKind::summary,
                                     kObservables);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].sd == 0.0);
    CHECK(rows[0].condition.empty());
}

TEST_CASE("bad data tables are rejected with file, line and column") {
    auto fails = [](const std::string& text, const std::string& message, DataKind kind = DataKind::time_course) {
        CHECK_THROWS_WITH(read_data_text(text, "d.csv", kind, kObservables), Contains(message));
    };
    fails("", "d.csv: empty file");
    fails("# only a comment\n", "d.csv: empty file");
    fails("observableId,time,measurement\n", "no data rows");
    fails("observableId,measurement\nconc,1\n", "d.csv:1: missing required column 'time'");
    fails("observableId,time,measurment\nconc,1,2\n", "unknown column 'measurment'; did you mean 'measurement'?");
    fails("observableId,time,measurement\nconc,1,abc\n", "d.csv:2: column 3 (measurement): expected a finite number, found 'abc'");
    fails("observableId,time,measurement\nconc,1,\n", "d.csv:2: column 3 (measurement): empty cell");
    fails("observableId,time,measurement\nconc,1,2,3\n", "d.csv:2: ragged row: 4 fields, the header has 3");
    fails("observableId,time,measurement\nconcc,1,2\n", "d.csv:2: column 1 (observableId): unknown observable 'concc'; did you mean 'conc'?");
    fails("observableId,time,measurement,censored\nconc,1,2,yes\n", "column 4 (censored): expected 0 or 1");
    fails("observableId,time,measurement\nconc,-1,2\n", "negative time");
    fails("observableId,time,measurement,sd\nconc,1,2,0\n", "column 4 (sd): expected a positive number");
    fails("observableId,measurement,measurement\nconc,1,2\n", "duplicate column", DataKind::summary);
    CHECK_THROWS_WITH(read_data_table("/nonexistent/x.csv", DataKind::summary, kObservables),
                      Contains("/nonexistent/x.csv: cannot open file"));
}
