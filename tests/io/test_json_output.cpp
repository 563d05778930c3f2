// JSON pieces of `mobsim describe --format json`: escaping per RFC 8259 section 7, numbers that read back exactly.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <limits>

#include "sim/io/json_output.hpp"

using namespace mobsim;

TEST_CASE("json_string escapes quotes, backslashes and control characters and keeps UTF-8", "[json]") {
    CHECK(json_string("plain") == "\"plain\"");
    CHECK(json_string("a \"b\" c\\d") == "\"a \\\"b\\\" c\\\\d\"");
    CHECK(json_string("line\nnext\ttab") == "\"line\\nnext\\ttab\"");
    CHECK(json_string(std::string("\x01\x1f", 2)) == "\"\\u0001\\u001f\"");
    CHECK(json_string("ug/kg \xc2\xb5") == "\"ug/kg \xc2\xb5\"");  // UTF-8 bytes pass through
}

TEST_CASE("json_number reads back to the same double and writes null for non-finite values", "[json]") {
    for (const double v : {0.0693, 213.0, 1e300, -2.5e-7, 0.1 + 0.2}) {
        const std::string text = json_number(v);
        CHECK(std::strtod(text.c_str(), nullptr) == v);
    }
    CHECK(json_number(std::numeric_limits<double>::infinity()) == "null");
    CHECK(json_number(std::numeric_limits<double>::quiet_NaN()) == "null");
}
