#include "sim/model_files/model_file_compile.hpp"

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <cerrno>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/io/csv_output.hpp"
#include "sim/base/errors.hpp"
#include "sim/model_files/model_file_abi.hpp"
#include "sim/base/sha256.hpp"

extern char** environ;

namespace mobsim::model_file {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> words(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

std::string on_path(const std::string& program) {
    if (program.find('/') != std::string::npos) return ::access(program.c_str(), X_OK) == 0 ? program : "";
    const char* path = std::getenv("PATH");
    std::istringstream dirs(path ? path : "/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        const std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return "";
}

// Runs argv with stdout and stderr into `log`; the exit status, or -1 when it could not start.
int run(const std::vector<std::string>& argv, const std::string& log) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = 0;
    const int started = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (started != 0) return -1;
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// A name no other process or thread uses at the same time.
std::string temporary_name(const std::string& final_path) {
    static std::atomic<unsigned> counter{0};
    return final_path + ".tmp" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
}

// "FILE:LINE:COL: error: message" from the compiler (the generated code carries #line) -> "FILE:LINE: message".
std::string first_error(const std::string& log, const std::string& model_file) {
    std::istringstream in(log);
    for (std::string line; std::getline(in, line);) {
        const auto e = line.find("error: ");
        if (e == std::string::npos) continue;
        const auto file_end = line.find(':', model_file.size());
        std::string where = model_file;
        if (line.compare(0, model_file.size(), model_file) == 0 && file_end != std::string::npos) {
            const auto line_end = line.find(':', file_end + 1);
            where += ":" + line.substr(file_end + 1, line_end - file_end - 1);
        }
        return where + ": the C++ compiler rejected the code generated for this line: " + line.substr(e + 7);
    }
    return model_file + ": the C++ compiler failed";
}

}  // namespace

Compiler find_compiler(const std::string& model_file) {
    const char* cxx = std::getenv("CXX");
    std::vector<std::string> command = words(cxx && *cxx ? cxx : "c++");
    Compiler c;
    c.program = on_path(command.front());
    if (c.program.empty())
        throw InputError(model_file + ": a model file is compiled at run time, and no C++ compiler was found ('" +
                         command.front() + "'" + (cxx && *cxx ? " from CXX" : " on PATH") +
                         "); install Debian's g++ package (sudo apt-get install g++) or set CXX");
    c.flags.assign(command.begin() + 1, command.end());
    for (const char* flag : {"-std=c++17", "-O2", "-fPIC", "-shared", "-fno-math-errno", "-fvisibility=hidden"})
        c.flags.push_back(flag);
#ifdef MOBSIM_HAVE_LIBMVEC
    c.flags.push_back("-march=x86-64-v3");  // as mobsim itself was built (CMakeLists.txt)
#endif
    // The resolved binary's path, size and time stamp name the compiler version without starting it (which
    // would cost most of a cached load): an upgrade replaces the binary and so changes the cache key.
    std::error_code ec;
    const fs::path binary = fs::canonical(c.program, ec);
    const auto size = ec ? 0 : fs::file_size(binary, ec);
    const auto stamp = ec ? fs::file_time_type{} : fs::last_write_time(binary, ec);
    c.identity = binary.string() + " " + std::to_string(size) + " " + std::to_string(stamp.time_since_epoch().count());
    return c;
}

CacheEntry cache_entry(const std::string& cache_dir, const std::string& source, const Compiler& compiler) {
    std::string key_text = source + '\n' + compiler.identity + '\n' + program_version() + '\n' +
                           std::to_string(MOBSIM_MODEL_FILE_ABI_VERSION);
    for (const auto& f : compiler.flags) key_text += ' ' + f;
    const std::string base = (fs::path(cache_dir) / sha256_hex(key_text).substr(0, 32)).string() + ".so";
    return {base, base + ".sha256"};
}

bool cache_entry_intact(const CacheEntry& entry) {
    std::error_code ec;
    if (!fs::exists(entry.library, ec) || !fs::exists(entry.checksum, ec)) return false;
    const std::string recorded = read_text(entry.checksum);
    return !recorded.empty() && recorded == sha256_of_file(entry.library);
}

void compile_into(const CacheEntry& entry, const std::string& source, const Compiler& compiler,
                  const std::string& model_file) {
    const fs::path dir = fs::path(entry.library).parent_path();
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw InputError(model_file + ": cannot create the model cache '" + dir.string() + "': " + ec.message());
    const std::string stem = temporary_name(entry.library);
    const std::string cpp = stem + ".cpp", library = stem + ".so", log = stem + ".log", sum = stem + ".sha256";
    if (!(std::ofstream(cpp, std::ios::binary) << source))
        throw InputError(model_file + ": cannot write into the model cache '" + dir.string() +
                         "' (choose another with --model-cache DIR)");
    std::vector<std::string> argv = {compiler.program};
    argv.insert(argv.end(), compiler.flags.begin(), compiler.flags.end());
    for (const std::string& a : {std::string("-o"), library, cpp}) argv.push_back(a);
    const int status = run(argv, log);
    fs::remove(cpp, ec);
    if (status != 0) {
        fs::remove(library, ec);
        const std::string kept = entry.library + ".failed.log";
        fs::rename(log, kept, ec);
        throw InputError((status < 0 ? model_file + ": could not start the compiler " + compiler.program
                                     : first_error(read_text(kept), model_file)) +
                         " (full compiler output: " + kept + ")");
    }
    fs::remove(log, ec);
    std::ofstream(sum, std::ios::binary) << sha256_of_file(library);
    // The library first, then its checksum: a reader that finds them out of step sees a mismatch and rebuilds.
    fs::rename(library, entry.library, ec);
    if (!ec) fs::rename(sum, entry.checksum, ec);
    if (ec) throw InputError(model_file + ": cannot write the model cache entry " + entry.library + ": " + ec.message());
}

}  // namespace mobsim::model_file
