#include "sim/base/config.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include "sim/base/errors.hpp"
#include "sim/base/text_match.hpp"

namespace mobsim {

namespace {

constexpr std::size_t kMaxFileBytes = 16u << 20;
constexpr int kMaxDepth = 64;
// Bounds the work of yaml-cpp (about 0.5 KB and 5 us per node) and of alias expansion ("billion laughs").
constexpr std::size_t kMaxNodes = 250000;

const char* kind_name(ConfigNode::Kind kind) {
    switch (kind) {
        case ConfigNode::Kind::null: return "nothing";
        case ConfigNode::Kind::scalar: return "a single value";
        case ConfigNode::Kind::sequence: return "a list";
        case ConfigNode::Kind::map: return "a mapping of keys to values";
    }
    return "?";
}

// yaml-cpp recurses once per nesting level and can exhaust the stack on hostile input, so nesting
// is measured on the raw text first: flow brackets, and block indentation in steps of one column.
void guard_nesting(const std::string& text, const std::string& name) {
    int depth = 0;
    int line = 1;
    bool in_single = false, in_double = false, in_comment = false;
    std::size_t column = 0;
    std::size_t separators = 0;  // lines plus flow commas: a bound on the number of nodes
    bool leading = true;
    for (char c : text) {
        if (c == '\n') {
            if (++separators > kMaxNodes)
                throw InputError(name + ":" + std::to_string(line) + ": more than " + std::to_string(kMaxNodes) +
                                 " lines or list items; configuration files are expected to be small");
            ++line;
            column = 0;
            leading = true;
            in_comment = in_single = in_double = false;
            continue;
        }
        if (leading && (c == ' ' || c == '-')) {
            if (++column > 4u * kMaxDepth)
                throw InputError(name + ":" + std::to_string(line) + ": nesting deeper than " +
                                 std::to_string(kMaxDepth) + " levels is not accepted");
            continue;
        }
        leading = false;
        if (in_comment) continue;
        if (c == '#' && !in_single && !in_double) in_comment = true;
        else if (c == '\'' && !in_double) in_single = !in_single;
        else if (c == '"' && !in_single) in_double = !in_double;
        else if (!in_single && !in_double) {
            if (c == '[' || c == '{') {
                if (++depth > kMaxDepth)
                    throw InputError(name + ":" + std::to_string(line) + ": nesting deeper than " +
                                     std::to_string(kMaxDepth) + " levels is not accepted");
            } else if ((c == ']' || c == '}') && depth > 0) {
                --depth;
            } else if (c == ',' && ++separators > kMaxNodes) {
                throw InputError(name + ":" + std::to_string(line) + ": more than " + std::to_string(kMaxNodes) +
                                 " lines or list items; configuration files are expected to be small");
            }
        }
    }
}

ConfigNode convert(const YAML::Node& yaml, const std::string& file, const std::string& path, int depth,
                   std::size_t& nodes) {
    if (depth > kMaxDepth) throw InputError(file + ": nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    // aliases (*name) are expanded here, so a few lines can stand for billions of nodes
    if (++nodes > kMaxNodes)
        throw InputError(file + ":" + std::to_string(yaml.Mark().line + 1) + ": more than " +
                         std::to_string(kMaxNodes) + " values after expanding aliases (*name)");
    ConfigNode node;
    node.file = file;
    node.path = path;
    node.line = yaml.Mark().line + 1;
    switch (yaml.Type()) {
        case YAML::NodeType::Undefined:
        case YAML::NodeType::Null: node.kind = ConfigNode::Kind::null; break;
        case YAML::NodeType::Scalar:
            node.kind = ConfigNode::Kind::scalar;
            node.scalar = yaml.Scalar();
            break;
        case YAML::NodeType::Sequence: {
            node.kind = ConfigNode::Kind::sequence;
            std::size_t i = 0;
            for (const auto& item : yaml) {
                node.items.push_back(convert(item, file, path + "[" + std::to_string(i) + "]", depth + 1, nodes));
                ++i;
            }
            break;
        }
        case YAML::NodeType::Map:
            node.kind = ConfigNode::Kind::map;
            for (const auto& entry : yaml) {
                if (!entry.first.IsScalar()) {
                    ConfigNode key;
                    key.file = file;
                    key.line = entry.first.Mark().line + 1;
                    key.path = path;
                    fail_at(key, "a key must be a plain name");
                }
                const std::string key = entry.first.Scalar();
                const std::string child_path = path.empty() ? key : path + "." + key;
                ConfigNode child = convert(entry.second, file, child_path, depth + 1, nodes);
                child.line = entry.first.Mark().line + 1;  // an entry is reported where its key is written
                if (const ConfigNode* earlier = node.find(key))
                    throw InputError(file + ":" + std::to_string(entry.first.Mark().line + 1) + ": key '" +
                                     child_path + "' appears twice (first at line " +
                                     std::to_string(earlier->line) + ")");
                node.entries.emplace_back(key, std::move(child));
            }
            break;
    }
    return node;
}

}  // namespace

std::string ConfigNode::where() const {
    std::string out = file + ":" + std::to_string(line);
    if (!path.empty()) out += ": '" + path + "'";
    return out;
}

const ConfigNode* ConfigNode::find(const std::string& key) const {
    for (const auto& [k, v] : entries)
        if (k == key) return &v;
    return nullptr;
}

void fail_at(const ConfigNode& node, const std::string& message) {
    throw InputError(node.where() + ": " + message);
}

std::string read_input_file(const std::string& path, const std::string& expected) {
    const std::string limit = std::to_string(kMaxFileBytes >> 20) + " MiB";
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below anyway
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) throw InputError(path + ": cannot open file (" + std::string(std::strerror(errno)) + ")");
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat status {};
    if (::fstat(fd, &status) != 0) throw InputError(path + ": cannot read file (" + std::strerror(errno) + ")");
    const char* kind = S_ISDIR(status.st_mode) ? "a directory" : S_ISFIFO(status.st_mode) ? "a FIFO (named pipe)"
                       : S_ISCHR(status.st_mode) || S_ISBLK(status.st_mode) ? "a device"
                       : S_ISSOCK(status.st_mode)                           ? "a socket"
                                                                             : nullptr;
    if (kind) throw InputError(path + ": is " + kind + ", expected " + expected);
    if (static_cast<std::uint64_t>(status.st_size) > kMaxFileBytes)
        throw InputError(path + ": file is larger than " + limit);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    std::string text;
    char chunk[65536];
    while (text.size() <= kMaxFileBytes) {  // a file growing while read still stops at the limit plus one byte
        const std::size_t want = std::min(sizeof chunk, kMaxFileBytes + 1 - text.size());
        const ssize_t n = ::read(fd, chunk, want);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw InputError(path + ": cannot read file (" + std::strerror(errno) + ")");
        if (n == 0) break;
        text.append(chunk, static_cast<std::size_t>(n));
    }
    if (text.size() > kMaxFileBytes) throw InputError(path + ": file is larger than " + limit);
    return text;
}

ConfigNode load_config_text(const std::string& text, const std::string& name) {
    if (text.size() > kMaxFileBytes)
        throw InputError(name + ": file is larger than " + std::to_string(kMaxFileBytes >> 20) + " MiB");
    if (text.find('\0') != std::string::npos)
        throw InputError(name + ": file contains NUL bytes; expected YAML text");
    guard_nesting(text, name);
    YAML::Node root;
    try {
        root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        std::string hint;  // yaml-cpp reports a plain key over 1024 characters as an "illegal map value"
        std::size_t start = 0;
        for (int l = 0; l < e.mark.line && start != std::string::npos; ++l) start = text.find('\n', start) + 1;
        const std::size_t colon = start == std::string::npos ? std::string::npos : text.find(':', start);
        const std::size_t eol = start == std::string::npos ? std::string::npos : text.find('\n', start);
        if (colon != std::string::npos && colon < eol && colon - start > 1024)
            hint = " (a key of " + std::to_string(colon - start) + " characters; YAML allows at most 1024 in a plain key)";
        throw InputError(name + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                         ": YAML syntax error: " + e.msg + hint);
    }
    std::size_t nodes = 0;
    ConfigNode node = convert(root, name, "", 0, nodes);
    if (node.kind == ConfigNode::Kind::null) throw InputError(name + ": file is empty; expected a YAML mapping");
    if (node.kind != ConfigNode::Kind::map)
        throw InputError(name + ":" + std::to_string(node.line) + ": expected a YAML mapping at the top level, found " +
                         kind_name(node.kind));
    return node;
}

ConfigNode load_config_file(const std::string& path) {
    return load_config_text(read_input_file(path, "a YAML file"), path);
}

void expect_kind(const ConfigNode& node, ConfigNode::Kind kind) {
    if (node.kind != kind)
        fail_at(node, std::string("expected ") + kind_name(kind) + ", found " + kind_name(node.kind));
}

double as_number(const ConfigNode& node) {
    expect_kind(node, ConfigNode::Kind::scalar);
    const std::string& s = node.scalar;
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || std::isspace(static_cast<unsigned char>(s[0])))
        fail_at(node, "expected a number, found '" + s + "'");
    if (!std::isfinite(value) || errno == ERANGE)
        fail_at(node, "expected a finite number, found '" + s + "'");
    return value;
}

long as_integer(const ConfigNode& node) {
    const double value = as_number(node);
    if (value != std::floor(value) || std::abs(value) > 1e15)
        fail_at(node, "expected a whole number, found '" + node.scalar + "'");
    return static_cast<long>(value);
}

std::string resolve_relative(const std::string& base_file, const std::string& path) {
    if (std::filesystem::path(path).is_absolute()) return path;
    return (std::filesystem::path(base_file).parent_path() / path).lexically_normal().string();
}

double as_clock_hours(const ConfigNode& node) {
    const std::string text = as_text(node);
    int hours = -1, minutes = -1;
    char tail = 0;
    if (std::sscanf(text.c_str(), "%d:%d%c", &hours, &minutes, &tail) != 2 || hours < 0 || hours > 23 ||
        minutes < 0 || minutes > 59)
        fail_at(node, "expected a clock time HH:MM from 00:00 to 23:59, found '" + text + "'");
    return hours + minutes / 60.0;
}

void read_file_names(const ConfigNode& section, const std::string& base_file,
                     const std::vector<std::pair<std::string, std::string*>>& targets) {
    std::vector<std::string> keys;
    for (const auto& target : targets) keys.push_back(target.first);
    const MapReader r(section, keys);
    for (const auto& [key, file] : targets)
        if (auto name = r.optional_text(key)) *file = resolve_relative(base_file, *name);
}

std::string as_text(const ConfigNode& node) {
    expect_kind(node, ConfigNode::Kind::scalar);
    return node.scalar;
}

bool as_flag(const ConfigNode& node) {
    expect_kind(node, ConfigNode::Kind::scalar);
    if (node.scalar == "true" || node.scalar == "yes") return true;
    if (node.scalar == "false" || node.scalar == "no") return false;
    fail_at(node, "expected true or false, found '" + node.scalar + "'");
}

double require_positive(const ConfigNode& node, double value) {
    if (!(value > 0.0)) fail_at(node, "expected a positive number, found " + node.scalar);
    return value;
}

double require_non_negative(const ConfigNode& node, double value) {
    if (!(value >= 0.0)) fail_at(node, "expected a number >= 0, found " + node.scalar);
    return value;
}

MapReader::MapReader(const ConfigNode& node, std::vector<std::string> allowed) : node_(node) {
    expect_kind(node, ConfigNode::Kind::map);
    for (const auto& [key, value] : node.entries) {
        bool known = false;
        for (const auto& a : allowed) known = known || a == key;
        if (!known)
            fail_at(value, "unknown key '" + key + "'" + did_you_mean(key, allowed) + " (allowed here: " +
                               join(allowed, ", ") + ")");
    }
}

const ConfigNode& MapReader::require(const std::string& key) const {
    if (const ConfigNode* found = node_.find(key)) return *found;
    fail_at(node_, "missing required key '" + key + "'");
}

double MapReader::number(const std::string& key) const { return as_number(require(key)); }

std::optional<double> MapReader::optional_number(const std::string& key) const {
    if (const ConfigNode* found = node_.find(key)) return as_number(*found);
    return std::nullopt;
}

double MapReader::number_or(const std::string& key, double fallback) const {
    return optional_number(key).value_or(fallback);
}

std::string MapReader::text(const std::string& key) const { return as_text(require(key)); }

std::optional<std::string> MapReader::optional_text(const std::string& key) const {
    if (const ConfigNode* found = node_.find(key)) return as_text(*found);
    return std::nullopt;
}

bool MapReader::flag_or(const std::string& key, bool fallback) const {
    if (const ConfigNode* found = node_.find(key)) return as_flag(*found);
    return fallback;
}

std::optional<long> MapReader::optional_integer(const std::string& key) const {
    if (const ConfigNode* found = node_.find(key)) return as_integer(*found);
    return std::nullopt;
}

std::vector<double> MapReader::numbers(const std::string& key) const {
    const ConfigNode& list = require(key);
    expect_kind(list, ConfigNode::Kind::sequence);
    std::vector<double> out;
    for (const auto& item : list.items) out.push_back(as_number(item));
    return out;
}

std::vector<std::string> MapReader::texts(const std::string& key) const {
    const ConfigNode& list = require(key);
    expect_kind(list, ConfigNode::Kind::sequence);
    std::vector<std::string> out;
    for (const auto& item : list.items) out.push_back(as_text(item));
    return out;
}

}  // namespace mobsim
