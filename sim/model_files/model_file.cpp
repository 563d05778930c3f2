#include "sim/model_files/model_file.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>

#include <dlfcn.h>

#include "sim/base/errors.hpp"
#include "sim/model_files/model_file_abi.hpp"
#include "sim/model_files/model_file_check.hpp"
#include "sim/model_files/model_file_compile.hpp"
#include "sim/model_files/model_file_generate.hpp"

namespace mobsim::model_file {

namespace {

// What a loaded model file shares between its Model objects: the metadata and the library's functions.
// Libraries stay loaded for the life of the process, as models may outlive any one Model object.
struct Loaded {
    std::string name, description;
    std::vector<StateInfo> states;
    std::vector<ParameterInfo> parameters;
    std::vector<CovariateInfo> covariates;
    std::vector<OutputInfo> outputs;
    const MobsimModelFileAbiV1* abi = nullptr;
    const MobsimModelFileSensitivitiesV1* sensitivities = nullptr;
    const MobsimModelFileInfusionsV1* infusions = nullptr;
    const MobsimModelFileImportsV1* imports_abi = nullptr;
    std::vector<int> steady_states;  // `init = steady`
    std::string library_path;
    std::vector<std::string> imports, inputs;  // imported components; the ports the equations read, in order
};

std::string no_steady_state(const std::string& model, const std::string& state) {
    return model + ": no steady state found for state '" + state + "' (init = steady) with these parameters: Newton's "
           "method did not converge or the steady-state equations are singular; give a starting point, init = steady(VALUE)";
}

// The file's own part of a model that imports components: the library's functions on x = [states, inputs].
class FilePartSystem : public ImportingSystem {
public:
    FilePartSystem(std::shared_ptr<const Loaded> m, const double* p, const double* c)
        : m_(std::move(m)), abi_(m_->abi), p_(p, p + abi_->n_parameters), c_(c, c + abi_->n_covariates),
          pre_(static_cast<std::size_t>(abi_->n_precomputed) + 1), x_(m_->states.size() + m_->inputs.size() + 1),
          n_(static_cast<int>(m_->states.size())), n_inputs_(static_cast<int>(m_->inputs.size())) {
        abi_->prepare(p_.data(), c_.data(), pre_.data());
    }
    // The composition calls this first, with the ports at the imported components' initial state: the quantities
    // derived from them (initial(NAME.PORT)) are fixed from here on.
    void initial_state(double* x, const double* in) const override {
        m_->imports_abi->prepare(p_.data(), c_.data(), in, pre_.data());
        abi_->initial_state(p_.data(), c_.data(), pre_.data(), gather(x, in));
        std::copy(x_.begin(), x_.begin() + n_, x);
        for (int i : m_->steady_states)
            if (std::isnan(x[i])) throw SolverError(no_steady_state(m_->name, m_->states[i].name));
    }
    void rhs(double t, const double* x, const double* in, double* dxdt) const override {
        m_->imports_abi->rhs(t, x, in, p_.data(), c_.data(), pre_.data(), dxdt);
    }
    void jacobian(double t, const double* x, const double* in, double* J, double* dfdt) const override {
        abi_->jacobian(t, gather(x, in), p_.data(), c_.data(), pre_.data(), J, dfdt);
    }
    void observe(double t, const double* x, const double* in, double* y) const override {
        m_->imports_abi->observe(t, x, in, p_.data(), c_.data(), pre_.data(), y);
    }
    double bioavailability(int state, double amount) const override {
        return abi_->bioavailability(state, amount, p_.data(), c_.data(), pre_.data());
    }
    double lag_time_h(int state) const override { return abi_->lag_time_h(state, p_.data(), c_.data(), pre_.data()); }

private:
    // x = [states, inputs], as the initial state and the Jacobian take them. Plain loops: cheaper than memmove here.
    double* gather(const double* x, const double* in) const {
        double* out = x_.data();
        for (int i = 0; i < n_; ++i) out[i] = x[i];
        for (int k = 0; k < n_inputs_; ++k) out[n_ + k] = in[k];
        return out;
    }
    std::shared_ptr<const Loaded> m_;
    const MobsimModelFileAbiV1* abi_;
    std::vector<double> p_, c_;
    mutable std::vector<double> pre_, x_;  // one system per simulation: never shared between threads
    int n_, n_inputs_;
};

class FileSystem : public OdeSystem {
public:
    FileSystem(std::shared_ptr<const Loaded> m, std::vector<double> p, std::vector<double> c)
        : m_(std::move(m)), abi_(m_->abi), infusions_(m_->infusions), p_(std::move(p)), c_(std::move(c)),
          pre_(static_cast<std::size_t>(abi_->n_precomputed) + 1) {
        abi_->prepare(p_.data(), c_.data(), pre_.data());
    }
    void initial_state(double* x) const override {
        abi_->initial_state(p_.data(), c_.data(), pre_.data(), x);
        for (int i : m_->steady_states)
            if (std::isnan(x[i])) throw SolverError(no_steady_state(m_->name, m_->states[i].name));
    }
    void rhs(double t, const double* x, double* dxdt) const override {
        abi_->rhs(t, x, p_.data(), c_.data(), pre_.data(), dxdt);
    }
    void observe(double t, const double* x, double* y) const override {
        abi_->observe(t, x, p_.data(), c_.data(), pre_.data(), y);
    }
    double bioavailability(int state, double amount) const override {
        return abi_->bioavailability(state, amount, p_.data(), c_.data(), pre_.data());
    }
    double lag_time_h(int state) const override { return abi_->lag_time_h(state, p_.data(), c_.data(), pre_.data()); }
    double infusion_rate_per_h(int state, double amount) const override {
        return infusions_->rate_per_h(state, amount, p_.data(), c_.data(), pre_.data());
    }
    double infusion_duration_h(int state, double amount) const override {
        return infusions_->duration_h(state, amount, p_.data(), c_.data(), pre_.data());
    }
    bool jacobian(double t, const double* x, double* J, double* dfdt) const override {
        abi_->jacobian(t, x, p_.data(), c_.data(), pre_.data(), J, dfdt);
        return true;
    }

private:
    std::shared_ptr<const Loaded> m_;
    const MobsimModelFileAbiV1* abi_;
    const MobsimModelFileInfusionsV1* infusions_;
    std::vector<double> p_, c_, pre_;
};

class FileModel : public Model {
public:
    explicit FileModel(std::shared_ptr<const Loaded> m) : m_(std::move(m)) {}
    std::string name() const override { return m_->name; }
    std::string description() const override { return m_->description; }
    const std::vector<StateInfo>& states() const override { return m_->states; }
    const std::vector<ParameterInfo>& parameters() const override { return m_->parameters; }
    const std::vector<CovariateInfo>& covariates() const override { return m_->covariates; }
    const std::vector<OutputInfo>& outputs() const override { return m_->outputs; }
    std::unique_ptr<OdeSystem> bind(const std::vector<double>& params,
                                    const std::vector<double>& covariates) const override {
        return std::make_unique<FileSystem>(m_, params, covariates);
    }
    ModelFileFunctions functions() const { return {m_->abi, m_->sensitivities}; }

private:
    std::shared_ptr<const Loaded> m_;
};

std::shared_ptr<Loaded> metadata(const CheckedModel& checked) {
    auto m = std::make_shared<Loaded>();
    const auto& s = checked.syntax;
    // The name carries the file and its hash, so that an output's provenance says which model text made it.
    m->name = s.name + " (" + s.file + ", sha256 " + checked.source_sha256.substr(0, 16) + ")";
    m->description = s.description.empty() ? "model file " + s.file : s.description;
    for (std::size_t i = 0; i < s.states.size(); ++i)
        if (s.states[i].steady) m->steady_states.push_back(static_cast<int>(i));
    m->imports.clear();
    for (const auto& d : s.imports) m->imports.push_back(d.name);
    m->inputs = checked.inputs;
    for (const auto& st : s.states)
        m->states.push_back({st.name, st.unit.empty() ? "1" : st.unit,
                             st.description + (st.dosable ? (st.description.empty() ? "dosable" : " (dosable)") : ""),
                             st.cumulative, st.tolerance_scale});
    for (const auto& p : s.parameters)
        m->parameters.push_back({p.name, p.value, p.unit, p.description,
                                 p.source.empty() ? "not given in " + s.file : p.source, p.lower, p.upper});
    for (const auto& c : s.covariates) m->covariates.push_back({c.name, c.unit, c.description});
    for (const auto& st : s.statements)
        if (st.kind == Statement::Kind::output) m->outputs.push_back({st.target.name, st.target.unit, st.target.description});
    return m;
}

// The library's interfaces into `m`; false (with `why`) when they are not the ones this model file needs: a stale
// or foreign entry is rebuilt rather than trusted.
bool open_library(const std::string& path, const CheckedModel& checked, Loaded& m, std::string& why) {
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) return why = ::dlerror(), false;
    using Factory = const MobsimModelFileAbiV1* (*)();
    auto factory = reinterpret_cast<Factory>(::dlsym(handle, MOBSIM_MODEL_FILE_FACTORY));
    const MobsimModelFileAbiV1* abi = factory ? factory() : nullptr;
    const auto& s = checked.syntax;
    const bool fits = abi && abi->abi_version == MOBSIM_MODEL_FILE_ABI_VERSION &&
                      abi->n_states == static_cast<int>(s.states.size()) &&
                      abi->n_parameters == static_cast<int>(s.parameters.size()) &&
                      abi->n_covariates == static_cast<int>(s.covariates.size()) &&
                      abi->n_precomputed == checked.precomputed_count && abi->source_sha256 == checked.source_sha256;
    using Sensitivities = const MobsimModelFileSensitivitiesV1* (*)();
    auto sensitivities = reinterpret_cast<Sensitivities>(::dlsym(handle, MOBSIM_MODEL_FILE_SENSITIVITIES));
    const MobsimModelFileSensitivitiesV1* with_sensitivities = sensitivities ? sensitivities() : nullptr;
    using Infusions = const MobsimModelFileInfusionsV1* (*)();
    auto infusions = reinterpret_cast<Infusions>(::dlsym(handle, MOBSIM_MODEL_FILE_INFUSIONS));
    using Imports = const MobsimModelFileImportsV1* (*)();
    auto imports = reinterpret_cast<Imports>(::dlsym(handle, MOBSIM_MODEL_FILE_IMPORTS));
    if (!fits || !with_sensitivities || with_sensitivities->n_parameters != abi->n_parameters || !infusions ||
        !imports)
        return why = "no matching " MOBSIM_MODEL_FILE_FACTORY " interface", ::dlclose(handle), false;
    m.abi = abi;
    m.sensitivities = with_sensitivities;
    m.infusions = infusions();
    m.imports_abi = imports();
    return true;
}

// A plain model, or for a file that imports components their composition with the file's own part.
std::unique_ptr<Model> model_of(std::shared_ptr<const Loaded> m, const LoadOptions& options) {
    if (m->imports.empty()) return std::make_unique<FileModel>(std::move(m));
    ImportingPart own{m->name.substr(0, m->name.find(' ')), m->states, m->parameters, m->covariates, m->outputs,
                      m->inputs, nullptr};
    own.bind = [m](const double* p, const double* c) { return std::make_unique<FilePartSystem>(m, p, c); };
    return options.components->compose(m->name, m->description, m->imports, std::move(own));
}

}  // namespace

std::string default_cache_dir() {
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    if (xdg && *xdg) return (std::filesystem::path(xdg) / "mobsim").string();
    const char* home = std::getenv("HOME");
    return (std::filesystem::path(home && *home ? home : ".") / ".cache" / "mobsim").string();
}

std::unique_ptr<Model> load_model_file(const std::string& path, const LoadOptions& options, LoadReport* report) {
    const auto start = std::chrono::steady_clock::now();
    const CheckedModel checked = read_model_file(path, options.components);
    const std::string dir = options.cache_dir.empty() ? default_cache_dir() : options.cache_dir;
    static std::mutex mutex;
    static std::map<std::string, std::shared_ptr<const Loaded>> loaded;  // by file hash and cache folder
    const std::string key = checked.source_sha256 + "\n" + dir;
    std::lock_guard<std::mutex> lock(mutex);
    LoadReport r;
    if (auto it = loaded.find(key); options.reuse_in_process && it != loaded.end()) {
        r.library_path = it->second->library_path;
        if (report) *report = r;
        return model_of(it->second, options);
    }
    const std::string source = generate_cpp(checked);
    const Compiler compiler = find_compiler(path);
    const CacheEntry entry = cache_entry(dir, source, compiler);
    std::shared_ptr<Loaded> m = metadata(checked);
    std::string why;
    if (!cache_entry_intact(entry) || !open_library(entry.library, checked, *m, why)) {
        compile_into(entry, source, compiler, path);
        r.compiled = true;
        if (!open_library(entry.library, checked, *m, why))
            throw InputError(path + ": cannot load the compiled model " + entry.library + ": " + why);
    }
    r.library_path = m->library_path = entry.library;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (report) *report = r;
    loaded[key] = m;
    return model_of(m, options);
}

ModelFileFunctions model_file_functions(const Model& model) {
    const auto* file_model = dynamic_cast<const FileModel*>(&model);
    return file_model ? file_model->functions() : ModelFileFunctions{};
}

ModelFileLoader file_loader(LoadOptions options) {
    return [options](const std::string& path) { return load_model_file(path, options); };
}

}  // namespace mobsim::model_file
