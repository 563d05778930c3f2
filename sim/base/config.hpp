// A parsed configuration file as a plain tree with source positions, plus a validating reader.
// yaml-cpp is included only by config.cpp; every file format (scenario, fit, cohort, sweep) reads this tree.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mobsim {

struct ConfigNode {
    enum class Kind { null, scalar, sequence, map };
    Kind kind = Kind::null;
    std::string scalar;
    std::vector<ConfigNode> items;                          // sequence
    std::vector<std::pair<std::string, ConfigNode>> entries;  // map, in file order, keys unique
    std::string file;
    int line = 0;  // 1-based
    std::string path;  // e.g. "regimens[1].amount"

    std::string where() const;  // "file:line: 'path'"
    const ConfigNode* find(const std::string& key) const;
};

// Reads an input file of at most 16 MiB. Checks its type before reading, so a directory, FIFO or device
// (/dev/zero) is refused at once rather than blocking or filling memory, and reads at most the limit plus one
// byte. `expected` names what the file should be ("a YAML file", "a CSV data table"). Throws InputError.
std::string read_input_file(const std::string& path, const std::string& expected);

// Parses a YAML file; throws InputError for unreadable files, syntax errors, duplicate keys,
// excessive nesting or size.
ConfigNode load_config_file(const std::string& path);
ConfigNode load_config_text(const std::string& text, const std::string& name);

// A path named inside a file: relative to that file's folder, absolute paths unchanged.
std::string resolve_relative(const std::string& base_file, const std::string& path);

// Reads one mapping: rejects keys outside `allowed` (with a near match) and converts values with checks.
class MapReader {
public:
    MapReader(const ConfigNode& node, std::vector<std::string> allowed);

    const ConfigNode& node() const { return node_; }
    bool has(const std::string& key) const { return node_.find(key) != nullptr; }
    const ConfigNode& require(const std::string& key) const;

    double number(const std::string& key) const;
    std::optional<double> optional_number(const std::string& key) const;
    double number_or(const std::string& key, double fallback) const;
    std::string text(const std::string& key) const;
    std::optional<std::string> optional_text(const std::string& key) const;
    bool flag_or(const std::string& key, bool fallback) const;
    std::optional<long> optional_integer(const std::string& key) const;
    std::vector<double> numbers(const std::string& key) const;  // a sequence of numbers
    std::vector<std::string> texts(const std::string& key) const;

private:
    const ConfigNode& node_;
};

// Value conversions with positioned errors.
double as_number(const ConfigNode& node);
long as_integer(const ConfigNode& node);
std::string as_text(const ConfigNode& node);
bool as_flag(const ConfigNode& node);
double as_clock_hours(const ConfigNode& node);  // "HH:MM" from 00:00 to 23:59, in hours after midnight
void expect_kind(const ConfigNode& node, ConfigNode::Kind kind);

// Range checks with positioned errors.
double require_positive(const ConfigNode& node, double value);
double require_non_negative(const ConfigNode& node, double value);

// A section naming files by key (an "output:" map): each key present sets its target to the file name, relative
// to `base_file`'s folder; a key outside `targets` is refused with a near match.
void read_file_names(const ConfigNode& section, const std::string& base_file,
                     const std::vector<std::pair<std::string, std::string*>>& targets);

[[noreturn]] void fail_at(const ConfigNode& node, const std::string& message);

}  // namespace mobsim
