// Writing outputs so that a failed or interrupted run never leaves a partial file or clobbers a good one.
#pragma once
#include <string>
#include <vector>

namespace mobsim {

// Writes `content` to a temporary file beside `path`, flushes it, then renames it over `path`.
// Throws InputError when the folder is missing or not writable; the old file is untouched on failure.
void write_file_atomically(const std::string& path, const std::string& content);

// Throws InputError if `output` names the same file as any of `inputs`.
void refuse_to_overwrite_inputs(const std::string& output, const std::vector<std::string>& inputs);

// Removes temporary files still registered (called on SIGINT/SIGTERM before exiting).
void remove_pending_temporaries();

}  // namespace mobsim
