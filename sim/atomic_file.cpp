#include "atomic_file.hpp"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.hpp"

namespace mobsim {

namespace {
std::mutex pending_mutex;
std::set<std::string>& pending() {
    static std::set<std::string> files;
    return files;
}
}  // namespace

void remove_pending_temporaries() {
    // Called from a signal handler path: best effort, no allocation beyond what the set already holds.
    for (const auto& file : pending()) ::unlink(file.c_str());
}

void write_file_atomically(const std::string& path, const std::string& content) {
    namespace fs = std::filesystem;
    const fs::path target(path);
    std::error_code ec;
    if (fs::is_directory(target, ec)) throw InputError(path + ": is a directory; expected an output file name");
    const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
    if (!fs::is_directory(folder, ec))
        throw InputError(path + ": the folder '" + folder.string() + "' does not exist");
    std::string temp = (folder / ("." + target.filename().string() + ".tmp.XXXXXX")).string();
    // SIGINT/SIGTERM are held until the temporary is registered, so the handler always sees it
    sigset_t hold, previous;
    sigemptyset(&hold);
    sigaddset(&hold, SIGINT);
    sigaddset(&hold, SIGTERM);
    ::pthread_sigmask(SIG_BLOCK, &hold, &previous);
    const int fd = ::mkstemp(temp.data());
    const int mkstemp_errno = errno;
    if (fd >= 0) {
        std::lock_guard<std::mutex> lock(pending_mutex);
        pending().insert(temp);
    }
    ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    if (fd < 0) throw InputError(path + ": cannot create a temporary file (" + std::strerror(mkstemp_errno) + ")");
    auto forget = [&] {
        std::lock_guard<std::mutex> lock(pending_mutex);
        pending().erase(temp);
    };
    std::size_t written = 0;
    while (written < content.size()) {
        const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            const std::string reason = std::strerror(errno);
            ::close(fd);
            ::unlink(temp.c_str());
            forget();
            throw InputError(path + ": write failed (" + reason + ")");
        }
        written += static_cast<std::size_t>(n);
    }
    ::fchmod(fd, 0644);
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        ::unlink(temp.c_str());
        forget();
        throw InputError(path + ": could not flush the output (" + std::string(std::strerror(errno)) + ")");
    }
    if (std::rename(temp.c_str(), path.c_str()) != 0) {
        const std::string reason = std::strerror(errno);
        ::unlink(temp.c_str());
        forget();
        throw InputError(path + ": could not replace the output (" + reason + ")");
    }
    forget();
}

void refuse_to_overwrite_inputs(const std::string& output, const std::vector<std::string>& inputs) {
    std::error_code ec;
    for (const auto& input : inputs) {
        if (input.empty()) continue;
        if (std::filesystem::equivalent(output, input, ec))
            throw InputError(output + ": refusing to write over an input file of this run (" + input + ")");
    }
}

}  // namespace mobsim
