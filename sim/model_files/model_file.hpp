// Model files (docs/model-files.md): a `.model` file becomes a Model like a built-in one. It is checked,
// translated to C++, compiled by the system compiler into a shared library, cached, and loaded.
#pragma once
#include <memory>
#include <string>

#include "sim/engine/component_import.hpp"
#include "sim/engine/model.hpp"
#include "sim/model_files/model_file_abi.hpp"

namespace mobsim::model_file {

struct LoadOptions {
    std::string cache_dir;  // "" : $XDG_CACHE_HOME/mobsim, else $HOME/.cache/mobsim
    bool reuse_in_process = true;  // false: check the cache entry again even if this process loaded the file
    const ComponentSource* components = nullptr;  // what `import` may name; the composition of an importing file
};

struct LoadReport {
    bool compiled = false;      // false: loaded from the cache
    double seconds = 0.0;       // check + generation + compilation (if any) + load
    std::string library_path;   // the cached shared library
};

std::string default_cache_dir();

// Throws InputError (exit 2) for a bad model file, a compile failure or a missing compiler, each naming the
// model file. Loading the same file twice in one process reuses the first load. A file that imports components
// becomes options.components' composition of them and the file's own part.
std::unique_ptr<Model> load_model_file(const std::string& path, const LoadOptions& options,
                                       LoadReport* report = nullptr);

// The compiled functions of a model loaded from a model file: values (what the engine uses) and forward
// sensitivities to the parameters (what a population fit needs); nulls for any other model.
struct ModelFileFunctions {
    const MobsimModelFileAbiV1* values = nullptr;
    const MobsimModelFileSensitivitiesV1* sensitivities = nullptr;
};
ModelFileFunctions model_file_functions(const Model& model);

// The hook for ModelRegistry::set_file_loader.
ModelFileLoader file_loader(LoadOptions options);

}  // namespace mobsim::model_file
