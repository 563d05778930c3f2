#include "sim/base/atomic_file.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/base/errors.hpp"

namespace mobsim {

namespace fs = std::filesystem;

namespace {

std::mutex pending_mutex;
std::set<std::string>& pending() {
    static std::set<std::string> files;
    return files;
}
std::atomic<bool> committing{false};
std::atomic<int> deferred_signal{0};

void forget(const std::string& temp) {
    std::lock_guard<std::mutex> lock(pending_mutex);
    pending().erase(temp);
}

void remove_pending_temporaries() {
    // Called from the signal handler: best effort, no allocation beyond what the set already holds.
    for (const auto& file : pending()) ::unlink(file.c_str());
}

std::string reason() { return std::strerror(errno); }

// The termination signals, held while a temporary is registered and while a result set is renamed into place.
class HeldSignals {
public:
    HeldSignals() {
        sigset_t hold;
        sigemptyset(&hold);
        for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&hold, s);
        ::pthread_sigmask(SIG_BLOCK, &hold, &previous_);
    }
    ~HeldSignals() { ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
    HeldSignals(const HeldSignals&) = delete;
    HeldSignals& operator=(const HeldSignals&) = delete;

private:
    sigset_t previous_;
};

enum class Kind { file, stream, standard_output };

struct Target {
    std::string given;  // as the user wrote it, for messages
    std::string path;   // after following symbolic links
    Kind kind = Kind::file;
    bool exists = false;
    struct stat status {};
};

bool read_only(const std::string& path, const struct stat& status) {
    // mode bits too: root passes access(), but a file its owner marked read-only should not be replaced silently
    return ::access(path.c_str(), W_OK) != 0 || (status.st_mode & 0222) == 0;
}

// Follows symbolic links (relative ones from the link's folder) to the path that will really be written.
std::string follow_links(const std::string& given) {
    fs::path path(given);
    for (int hops = 0; hops < 40; ++hops) {
        struct stat status {};
        if (::lstat(path.c_str(), &status) != 0 || !S_ISLNK(status.st_mode)) return path.string();
        std::error_code ec;
        const fs::path next = fs::read_symlink(path, ec);
        if (ec) throw InputError(given + ": cannot read the symbolic link (" + ec.message() + ")");
        path = next.is_absolute() ? next : (path.parent_path() / next).lexically_normal();
    }
    throw InputError(given + ": too many levels of symbolic links");
}

Target resolve(const std::string& given, bool force) {
    Target t;
    t.given = given;
    if (given.empty()) throw InputError("an empty output file name; give a file name, or - for standard output");
    if (given == "-") {
        t.kind = Kind::standard_output;
        return t;
    }
    struct stat followed {};
    const bool stream = ::stat(given.c_str(), &followed) == 0 && (S_ISCHR(followed.st_mode) ||
                                                                   S_ISBLK(followed.st_mode) || S_ISFIFO(followed.st_mode));
    // a device or pipe (also behind /dev/stdout's /proc links, which name no file) is opened by the given name
    t.path = stream ? given : follow_links(given);
    const std::string shown = t.path == given ? given : given + " (a link to " + t.path + ")";
    t.exists = ::stat(t.path.c_str(), &t.status) == 0;
    if (t.exists) {
        const mode_t type = t.status.st_mode & S_IFMT;
        if (type == S_IFDIR) throw InputError(shown + ": is a directory; expected an output file name");
        if (type == S_IFSOCK) throw InputError(shown + ": is a socket; expected an output file name");
        if (type == S_IFCHR || type == S_IFBLK || type == S_IFIFO) {
            t.kind = Kind::stream;
            if (::access(t.path.c_str(), W_OK) != 0) throw InputError(shown + ": cannot write (" + reason() + ")");
            return t;
        }
        if (!force && read_only(t.path, t.status))
            throw InputError(shown + ": is read-only; refusing to replace it (--force replaces it)");
    } else if (errno != ENOENT) {
        throw InputError(shown + ": cannot use as an output (" + reason() + ")");
    }
    const fs::path target(t.path);
    const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
    struct stat folder_status {};
    if (::stat(folder.c_str(), &folder_status) != 0 || !S_ISDIR(folder_status.st_mode))
        throw InputError(shown + ": the folder '" + folder.string() + "' does not exist");
    if (!force && read_only(folder.string(), folder_status))
        throw InputError(shown + ": the folder '" + folder.string() +
                         "' is read-only; refusing to write into it (--force writes anyway)");
    return t;
}

bool same_target(const Target& a, const Target& b) {
    if (a.kind == Kind::standard_output || b.kind == Kind::standard_output) return a.kind == b.kind;
    if (a.exists && b.exists) return a.status.st_dev == b.status.st_dev && a.status.st_ino == b.status.st_ino;
    std::error_code ec;
    return fs::absolute(a.path, ec).lexically_normal() == fs::absolute(b.path, ec).lexically_normal();
}

std::vector<Target> resolve_all(const std::vector<std::string>& paths, bool force) {
    std::vector<Target> targets;
    for (const auto& path : paths) {
        targets.push_back(resolve(path, force));
        for (std::size_t i = 0; i + 1 < targets.size(); ++i)
            if (same_target(targets[i], targets.back()))
                throw InputError(path + ": named twice among the outputs of this run (also as " + targets[i].given +
                                 ")");
    }
    return targets;
}

void write_all(int fd, const std::string& content, const std::string& shown) {
    std::size_t written = 0;
    while (written < content.size()) {
        const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw InputError(shown + ": write failed (" + reason() + ")");
        written += static_cast<std::size_t>(n);
    }
}

// Creates and registers a hidden temporary "folder/.NAME.tmp.XXXXXX" (signals remove it); returns its fd.
int create_temporary(const fs::path& folder, const std::string& name, std::string& temp, const std::string& shown) {
    temp = (folder / ("." + name + ".tmp.XXXXXX")).string();
    int fd = -1;
    int saved_errno = 0;
    {
        const HeldSignals held;  // so that the handler always sees the temporary
        fd = ::mkstemp(temp.data());
        saved_errno = errno;
        if (fd >= 0) {
            std::lock_guard<std::mutex> lock(pending_mutex);
            pending().insert(temp);
        }
    }
    if (fd < 0) throw InputError(shown + ": cannot create a temporary file (" + std::strerror(saved_errno) + ")");
    return fd;
}

// Copies a SpillFile's bytes to `fd`.
void append_file(int fd, const SpillFile& from, const std::string& shown) {
    std::string buffer(1 << 20, '\0');
    for (off_t offset = 0;;) {
        const ssize_t n = ::pread(from.descriptor(), buffer.data(), buffer.size(), offset);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw InputError(shown + ": cannot read back its temporary (" + reason() + ")");
        if (n == 0) break;
        offset += n;
        buffer.resize(static_cast<std::size_t>(n));
        write_all(fd, buffer, shown);
        buffer.resize(1 << 20);
    }
}

void write_content(int fd, const OutputFile& file, const std::string& shown) {
    write_all(fd, file.content, shown);
    if (file.appended) append_file(fd, *file.appended, shown);
}

// Writes the file's content into a new registered temporary beside `t.path`; returns its name.
std::string write_temporary(const Target& t, const OutputFile& file) {
    const fs::path target(t.path);
    std::string temp;
    const int fd = create_temporary(target.has_parent_path() ? target.parent_path() : fs::path("."),
                                    target.filename().string(), temp, t.given);
    try {
        write_content(fd, file, t.given);
        ::fchmod(fd, t.exists ? (t.status.st_mode & 07777) : 0644);
        if (::fsync(fd) != 0) throw InputError(t.given + ": could not flush the output (" + reason() + ")");
    } catch (...) {
        ::close(fd);
        ::unlink(temp.c_str());
        forget(temp);
        throw;
    }
    if (::close(fd) != 0) {
        const std::string why = reason();
        ::unlink(temp.c_str());
        forget(temp);
        throw InputError(t.given + ": could not flush the output (" + why + ")");
    }
    return temp;
}

void sync_folder(const std::string& path) {
    const fs::path target(path);
    const int fd = ::open(target.has_parent_path() ? target.parent_path().c_str() : ".", O_RDONLY | O_DIRECTORY);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

// Renames every temporary over its target, or none: a failed rename undoes the earlier ones from backups.
void commit(const std::vector<const Target*>& targets, const std::vector<std::string>& temps) {
    const HeldSignals held;
    committing = true;
    std::vector<std::string> backups(targets.size());
    for (std::size_t i = 0; i < targets.size(); ++i)
        if (targets[i]->exists && ::link(targets[i]->path.c_str(), (temps[i] + ".old").c_str()) == 0)
            backups[i] = temps[i] + ".old";
    std::string failure;
    std::size_t done = 0;
    for (; done < targets.size(); ++done)
        if (std::rename(temps[done].c_str(), targets[done]->path.c_str()) != 0) {
            failure = targets[done]->given + ": could not replace the output (" + reason() + ")";
            break;
        }
    for (std::size_t i = 0; i < targets.size(); ++i) {
        if (!failure.empty() && i < done) {  // undo
            if (!backups[i].empty()) std::rename(backups[i].c_str(), targets[i]->path.c_str());
            else ::unlink(targets[i]->path.c_str());
        }
        if (!backups[i].empty()) ::unlink(backups[i].c_str());
        if (!failure.empty() && i >= done) ::unlink(temps[i].c_str());
        forget(temps[i]);
    }
    if (failure.empty())
        for (const Target* t : targets) sync_folder(t->path);
    committing = false;
    if (const int signal = deferred_signal.exchange(0)) ::_exit(128 + signal);  // the set is whole: now obey it
    if (!failure.empty()) throw InputError(failure);
}

}  // namespace

extern "C" void mobsim_on_termination_signal(int signal) {
    if (committing) {
        deferred_signal = signal;
        return;
    }
    remove_pending_temporaries();
    ::_exit(128 + signal);
}

void check_output_paths(const std::vector<std::string>& paths, bool force) { resolve_all(paths, force); }

void write_result_set(const std::vector<OutputFile>& files, bool force) {
    std::vector<std::string> paths;
    for (const auto& f : files) paths.push_back(f.path);
    const std::vector<Target> targets = resolve_all(paths, force);
    std::vector<const Target*> renamed;
    std::vector<std::string> temps;
    try {
        for (std::size_t i = 0; i < files.size(); ++i)
            if (targets[i].kind == Kind::file) {
                temps.push_back(write_temporary(targets[i], files[i]));
                renamed.push_back(&targets[i]);
            }
    } catch (...) {
        for (const auto& temp : temps) {
            ::unlink(temp.c_str());
            forget(temp);
        }
        throw;
    }
    commit(renamed, temps);
    for (std::size_t i = 0; i < files.size(); ++i) {
        if (targets[i].kind == Kind::file) continue;
        const bool to_stdout = targets[i].kind == Kind::standard_output;
        const int fd = to_stdout ? STDOUT_FILENO : ::open(targets[i].path.c_str(), O_WRONLY | O_NOCTTY);
        if (fd < 0) throw InputError(targets[i].given + ": cannot open for writing (" + reason() + ")");
        try {
            write_content(fd, files[i], to_stdout ? std::string("standard output") : targets[i].given);
        } catch (...) {
            if (!to_stdout) ::close(fd);
            throw;
        }
        if (!to_stdout) ::close(fd);
    }
}

void write_file_atomically(const std::string& path, const std::string& content, bool force) {
    write_result_set({{path, content}}, force);
}

SpillFile::SpillFile(const std::string& beside) {
    const fs::path target(beside);
    const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
    std::string path;
    try {
        fd_ = create_temporary(folder, target.filename().string(), path, beside);
    } catch (const InputError&) {  // e.g. beside a device: the system's temporary folder instead
        fd_ = create_temporary(fs::temp_directory_path(), "mobsim_spill", path, beside);
    }
    ::unlink(path.c_str());  // the open descriptor keeps its bytes
    forget(path);
}

SpillFile::~SpillFile() { ::close(fd_); }

void SpillFile::append(const std::string& bytes) { write_all(fd_, bytes, "a temporary file"); }

void refuse_to_overwrite_inputs(const std::string& output, const std::vector<std::string>& inputs) {
    if (output == "-" || output.empty()) return;
    std::error_code ec;
    for (const auto& input : inputs) {
        if (input.empty()) continue;
        if (fs::equivalent(output, input, ec))
            throw InputError(output + ": refusing to write over an input file of this run (" + input + ")");
    }
}

}  // namespace mobsim
