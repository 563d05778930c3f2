// Writing outputs so that a failed or interrupted run never leaves a partial result or clobbers a good one.
//
// A result set (every file one command writes) commits as a whole: every path is checked first, every file is
// written to a temporary beside its target, and only then are the temporaries renamed over their targets, with
// SIGINT/SIGTERM/SIGHUP/SIGQUIT held back until the last rename is done (a signal during the renames is acted on
// after them). If a rename fails, the ones already done are undone from hard-linked backups of the old files.
//
// Output paths: "-" is standard output; a symbolic link is followed and its final target replaced in the
// target's own folder; a character/block device or FIFO is written directly (no temporary, no rename); a
// directory, an empty name or a socket is refused; a read-only file, or a file in a read-only folder, is refused
// unless `force` is set. Devices, FIFOs and standard output are written after the files are committed.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace mobsim {

class SpillFile;

struct OutputFile {
    OutputFile() = default;
    OutputFile(std::string path_, std::string content_, const SpillFile* appended_ = nullptr)
        : path(std::move(path_)), content(std::move(content_)), appended(appended_) {}
    std::string path;
    std::string content;
    const SpillFile* appended = nullptr;  // if set: its bytes follow `content`
};

// An unnamed temporary file (created beside `beside`, else in the system's temporary folder, and unlinked at
// once, so that nothing is left behind even after SIGKILL) that collects the body of a large output piece by
// piece, so that it need not be held in memory; write_result_set copies it into place (OutputFile::appended).
class SpillFile {
public:
    explicit SpillFile(const std::string& beside);
    ~SpillFile();
    SpillFile(const SpillFile&) = delete;
    SpillFile& operator=(const SpillFile&) = delete;
    void append(const std::string& bytes);
    int descriptor() const { return fd_; }

private:
    int fd_ = -1;
};

// Throws InputError naming the first of `paths` that cannot be written (see above); writes nothing.
void check_output_paths(const std::vector<std::string>& paths, bool force = false);

// Writes every file of `files` or none of them (see above). Throws InputError; old files are then untouched.
void write_result_set(const std::vector<OutputFile>& files, bool force = false);

// A result set of one file.
void write_file_atomically(const std::string& path, const std::string& content, bool force = false);

// Throws InputError if `output` names the same file as any of `inputs`.
void refuse_to_overwrite_inputs(const std::string& output, const std::vector<std::string>& inputs);

// SIGINT/SIGTERM/SIGHUP/SIGQUIT handler: removes the temporaries still registered and exits 128 + signal, or,
// while a result set is being renamed into place, defers that until the renames are done.
extern "C" void mobsim_on_termination_signal(int signal);

}  // namespace mobsim
