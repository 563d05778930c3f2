// NONMEM-format dataset reader: records, ADDL expansion, covariate carrying, dates, and malformed input.
// Expected values are worked out by hand from NONMEM's documented semantics (NONMEM users guide IV/VIII,
// the DATE data item help page), not taken from the reader's output.
#include <catch2/catch.hpp>

#include <cmath>

#include "sim/io/dataset.hpp"
#include "sim/io/dataset_fields.hpp"
#include "sim/base/errors.hpp"

using namespace mobsim;

namespace {

const DatasetSchema schema{{"depot", "central", "peripheral", "eliminated"},
                           {"conc_central", "conc_peripheral", "amount_depot"}};

Dataset parse(const std::string& text) { return read_dataset_text(text, "nm.csv", schema); }

std::string error_of(const std::string& text) {
    try {
        parse(text);
    } catch (const InputError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("dataset records become doses with ADDL expanded and observations", "[dataset]") {
    const Dataset d = parse(
        "ID,TIME,EVID,AMT,CMT,RATE,II,ADDL,DV,MDV,BLQ,LLOQ\n"
        "1,0,1,100,depot,0,12,2,.,1,0,.\n"
        "1,1,0,0,conc_central,0,0,0,1.5,0,0,0.05\n"
        "1,30,0,0,1,0,0,0,0.01,0,1,0.05\n"
        "1,36,1,50,2,25,0,0,.,1,0,.\n"
        "2,0,1,80,DEPOT,0,0,0,.,1,0,.\n"
        "2,4,2,0,.,0,0,0,.,1,0,.\n");
    REQUIRE(d.subjects.size() == 2);
    REQUIRE(d.records == 6);
    const Subject& s = d.subject("1");
    REQUIRE(s.dosing.doses.size() == 4);  // 0, 12, 24 from ADDL 2 and II 12, then the infusion at 36
    CHECK(s.dosing.doses[0].time_h == 0.0);
    CHECK(s.dosing.doses[1].time_h == 12.0);
    CHECK(s.dosing.doses[2].time_h == 24.0);
    CHECK(s.dosing.doses[2].state == 0);
    CHECK(s.dosing.doses[2].amount == 100.0);
    CHECK(s.dosing.doses[3].state == 1);
    CHECK(s.dosing.doses[3].input == InputRate::given_rate);
    CHECK(s.dosing.doses[3].rate_per_h == 25.0);
    REQUIRE(s.observations.size() == 2);
    CHECK(s.observations[0].output == "conc_central");
    CHECK(s.observations[0].value == 1.5);
    CHECK(s.observations[0].censoring == Censoring::none);
    CHECK(s.observations[0].lloq == 0.05);  // known for a measured value too (for M3/M4 likelihoods)
    CHECK(s.observations[0].line == 3);
    CHECK(s.observations[1].censoring == Censoring::below);
    CHECK(s.observations[1].lloq == 0.05);
    CHECK(s.end_time_h() == 36.0);
    const Subject& s2 = d.subject("2");
    CHECK(s2.dosing.doses.size() == 1);
    CHECK(s2.observations.empty());
    CHECK(s2.other_event_times_h == std::vector<double>{4.0});
    CHECK_THROWS_WITH(d.subject("3"), Catch::Contains("no subject with ID '3'"));
}

TEST_CASE("whitespace-separated datasets with lower-case names read like CSV", "[dataset]") {
    const Dataset d = parse("# a comment line\nid time amt cmt ii addl evid\n7 0 10 1 24 1 1\n7 2 0 . 0 0 2\n");
    const Subject& s = d.subject("7");
    REQUIRE(s.dosing.doses.size() == 2);
    CHECK(s.dosing.doses[1].time_h == 24.0);
    CHECK(s.other_event_times_h == std::vector<double>{2.0});
}

TEST_CASE("without EVID a record with AMT is a dose and MDV 1 marks a time without data", "[dataset]") {
    const Dataset d = parse("ID,TIME,AMT,CMT,DV,MDV\n1,0,5,central,.,1\n1,1,0,conc_central,2.5,0\n1,2,0,.,.,1\n");
    const Subject& s = d.subject("1");
    CHECK(s.dosing.doses.size() == 1);
    CHECK(s.observations.size() == 1);
    CHECK(s.other_event_times_h == std::vector<double>{2.0});
}

TEST_CASE("EVID 3 and 4 reset and SS, RATE -1 and -2 are kept on the dose", "[dataset]") {
    const Dataset d = parse(
        "ID,TIME,EVID,AMT,CMT,RATE,II,SS\n"
        "1,0,1,100,central,-2,12,1\n"
        "1,24,3,0,.,0,0,0\n"
        "1,48,4,20,central,-1,0,0\n"
        "1,60,1,20,central,0,24,2\n");
    const Subject& s = d.subject("1");
    CHECK(s.dosing.resets_h == std::vector<double>{24.0, 48.0});
    REQUIRE(s.dosing.doses.size() == 3);
    CHECK(s.dosing.doses[0].input == InputRate::model_duration);
    CHECK(s.dosing.doses[0].steady_state == 1);
    CHECK(s.dosing.doses[0].interval_h == 12.0);
    CHECK(s.dosing.doses[1].input == InputRate::model_rate);
    CHECK(s.dosing.doses[2].steady_state == 2);
}

TEST_CASE("covariates hold back to the previous record and gaps are filled", "[dataset]") {
    // NONMEM uses a record's covariates over the interval that ends at that record
    const Dataset d = parse(
        "ID,TIME,AMT,CMT,WT,CRCL\n"
        "1,0,10,central,70,.\n"
        "1,24,0,.,72,90\n"
        "1,48,0,.,.,95\n");
    const Subject& s = d.subject("1");
    CHECK(d.covariate_names == std::vector<std::string>{"WT", "CRCL"});
    CHECK(s.covariate("WT", 0.0) == 70.0);
    CHECK(s.covariate("WT", 10.0) == 72.0);
    CHECK(s.covariate("WT", 24.0) == 72.0);
    CHECK(s.covariate("WT", 100.0) == 72.0);  // the missing last value repeats the previous one
    CHECK(s.covariate("CRCL", 0.0) == 90.0);  // a leading gap takes the first value
    CHECK(s.covariate("CRCL", 30.0) == 95.0);
    CHECK(s.baseline_covariates().at("WT") == 70.0);
    CHECK(s.has_time_varying_covariates());
    CHECK_THROWS_AS(s.covariate("AGE", 0.0), InputError);
}

TEST_CASE("dates and clock times become hours from each subject's first record", "[dataset]") {
    // the example of NONMEM's DATE data item help page: 0, 5.42, 23.25 and 0, 50 hours
    const Dataset d = parse("ID,DATE,TIME,DV\n1,10-1-86,9:15,1\n1,10-1-86,14:40,2\n1,10-2-86,8:30,3\n"
                            "2,10-12,8,4\n2,10-14,10,5\n");
    const auto& a = d.subject("1").observations;
    CHECK(a[0].time_h == 0.0);
    CHECK(a[1].time_h == Approx(5.0 + 25.0 / 60.0).epsilon(1e-14));
    CHECK(a[2].time_h == Approx(23.25).epsilon(1e-14));
    CHECK(d.subject("2").observations[1].time_h == Approx(50.0).epsilon(1e-14));
    const Dataset dat1 = parse("ID,DAT1,TIME,DV\n1,31/12/2019,23:00,1\n1,01/01/2020,01:30,2\n");
    CHECK(dat1.subject("1").observations[1].time_h == Approx(2.5).epsilon(1e-14));
}

TEST_CASE("date parts give the Gregorian day number", "[dataset]") {
    using namespace dataset_fields;
    CHECK(parse_date("1/1/1970", DateOrder::month_day_year) == 0L);
    CHECK(parse_date("2000-03-01", DateOrder::year_month_day) == 11017L);  // 30 years + 7 leap days + 31 + 29
    CHECK(parse_date("2000/01/03", DateOrder::year_day_month) == 11017L);
    CHECK(parse_date("29/2/2001", DateOrder::day_month_year) == std::nullopt);
    CHECK(parse_date("12", DateOrder::month_day_year) == 12L);
    CHECK(parse_clock_time("25:30") == 25.5);
    CHECK(parse_clock_time("9:61") == std::nullopt);
}

TEST_CASE("a byte-order mark and CRLF line ends are refused with line and column", "[dataset]") {
    CHECK_THAT(error_of("\xEF\xBB\xBFID,TIME,AMT,CMT\n1,0,10,central\n"),
               Catch::Contains("nm.csv:1: column 1: the file starts with a UTF-8 byte-order mark"));
    CHECK_THAT(error_of("ID,TIME,AMT,CMT\n1,0,10,central\r\n"),
               Catch::Contains("nm.csv:2: column 15: the line ends in a carriage return (CRLF"));
    CHECK(parse("ID,TIME,AMT,CMT\n1,0,10,central\n").subject("1").dosing.doses.size() == 1);
}

TEST_CASE("malformed datasets name file line and column", "[dataset]") {
    const std::string header = "ID,TIME,EVID,AMT,CMT,II,ADDL,DV\n";
    CHECK_THAT(error_of("TIME,AMT\n0,1\n"), Catch::Contains("nm.csv:1: missing required column 'ID'"));
    CHECK_THAT(error_of("ID,AMT\n1,1\n"), Catch::Contains("missing required column 'TIME'"));
    CHECK_THAT(error_of(header + "1,5,0,0,.,0,0,1\n1,4,0,0,.,0,0,1\n"),
               Catch::Contains("nm.csv:3: column 2 (TIME): TIME goes backwards within ID 1"));
    CHECK_THAT(error_of(header + "1,0,1,5,centrl,0,0,.\n"),
               Catch::Contains("nm.csv:2: column 5 (CMT): unknown state 'centrl'; did you mean 'central'?"));
    CHECK_THAT(error_of(header + "1,0,1,5,9,0,0,.\n"), Catch::Contains("column 5 (CMT): no state number 9"));
    CHECK_THAT(error_of(header + "1,0,0,5,.,0,0,1\n"),
               Catch::Contains("column 4 (AMT): AMT 5 on a record with EVID 0; a dose needs EVID 1 or 4"));
    CHECK_THAT(error_of(header + "1,0,1,5,1,12,0,.\n"), Catch::Contains("column 6 (II): II without ADDL or SS"));
    CHECK_THAT(error_of(header + "1,0,1,-5,1,0,0,.\n"), Catch::Contains("column 4 (AMT): negative AMT -5"));
    CHECK_THAT(error_of(header + "1,0,0,0,.,0,0,abc\n"), Catch::Contains("column 8 (DV): expected a number, found 'abc'"));
    CHECK_THAT(error_of("ID,TIME,time\n1,0,0\n"), Catch::Contains("column 3 (time): duplicate column (also column 2)"));
    CHECK_THAT(error_of("ID,TIME,BLQ,CENS\n1,0,0,0\n"), Catch::Contains("column 4 (CENS): says the same as column 3"));
    CHECK_THAT(error_of(""), Catch::Contains("nm.csv: empty file"));
    CHECK_THAT(error_of("\n# only a comment\n"), Catch::Contains("nm.csv: empty file"));
    CHECK_THAT(error_of("ID,TIME\n"), Catch::Contains("no records after the header"));
    CHECK_THAT(error_of(header + "1,0,1,5,1,0,2,.\n"), Catch::Contains("column 7 (ADDL): ADDL needs II > 0"));
    CHECK_THAT(error_of(header + "1,0,0,0,.,0,0\n"), Catch::Contains("nm.csv:2: ragged record: 7 fields"));
    CHECK_THAT(error_of(header + "1,0,0,0,.,0,0,1\n2,0,0,0,.,0,0,1\n1,1,0,0,.,0,0,1\n"),
               Catch::Contains("nm.csv:4: column 1 (ID): ID 1 appears again after other IDs"));
    CHECK_THAT(error_of(header + "1,0,0,0,.,0,0,.\n"), Catch::Contains("column 8 (DV): observation without a value"));
    CHECK_THAT(error_of("ID,TIME,WT\n1,0,heavy\n"), Catch::Contains("column 3 (WT): expected a number (a covariate)"));
    CHECK_THAT(error_of("ID,TIME,AMT,CMT,RATE\n1,0,5,1,-3\n"), Catch::Contains("column 5 (RATE): expected RATE > 0"));
    CHECK_THAT(error_of("ID,TIME,DV,CMT\n1,0,1,conc\n"), Catch::Contains("unknown output 'conc'"));
}

TEST_CASE("a time unit scales TIME and II and makes RATE per that unit", "[dataset]") {
    DatasetSchema days = schema;
    days.hours_per_time_unit = hours_per_time_unit("d", "test");
    const Dataset d = read_dataset_text("ID,TIME,AMT,CMT,RATE,II,ADDL,DV\n1,0.5,48,central,96,1,1,.\n1,2,0,1,0,0,0,3\n",
                                        "nm.csv", days);
    const Subject& s = d.subject("1");
    REQUIRE(s.dosing.doses.size() == 2);
    CHECK(s.dosing.doses[0].time_h == 12.0);
    CHECK(s.dosing.doses[1].time_h == 36.0);  // II of one day
    CHECK(s.dosing.doses[0].rate_per_h == 4.0);  // 96 per day
    CHECK(s.observations[0].time_h == 48.0);
    CHECK(hours_per_time_unit("min", "test") == 1.0 / 60.0);
    CHECK_THROWS_WITH(hours_per_time_unit("dys", "--time-unit"), Catch::Contains("--time-unit: unknown time unit 'dys'"));
}
