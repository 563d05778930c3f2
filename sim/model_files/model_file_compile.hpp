// Model files: the compiler driver and the cache of compiled libraries. Entries are named by a hash of the
// generated source, the compiler and its flags, and mobsim's version; each carries a checksum, and a new
// entry appears by atomic rename, so concurrent runs never see half a library.
#pragma once
#include <string>
#include <vector>

namespace mobsim::model_file {

struct Compiler {
    std::string program;              // resolved path
    std::vector<std::string> flags;   // CXX's extra words, then mobsim's flags
    std::string identity;             // resolved binary, size and time stamp: part of the cache key
};

// $CXX, else c++, on PATH; InputError naming Debian's g++ package when there is none.
Compiler find_compiler(const std::string& model_file);

struct CacheEntry {
    std::string library;  // <dir>/<key>.so
    std::string checksum;  // <dir>/<key>.so.sha256
};

CacheEntry cache_entry(const std::string& cache_dir, const std::string& source, const Compiler& compiler);

// True when the entry exists and its checksum matches the library's bytes.
bool cache_entry_intact(const CacheEntry& entry);

// Compiles `source` into the entry (temporaries in the same folder, then renames). A compile failure is an
// InputError at the model file's line that the compiler named, with the log's path for the details.
void compile_into(const CacheEntry& entry, const std::string& source, const Compiler& compiler,
                  const std::string& model_file);

}  // namespace mobsim::model_file
