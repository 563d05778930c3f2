// An NLME run file (YAML, see docs/nlme.md) and its NONMEM-style dataset (sim/dataset.*) as a FOCEI problem.
#include "sim/studies/nlme_reader.hpp"

#include <algorithm>
#include <filesystem>
#include <memory>
#include <stdexcept>

#include "sim/base/config.hpp"
#include "sim/io/csv_output.hpp"
#include "sim/engine/component_import.hpp"
#include "sim/io/dataset.hpp"
#include "sim/base/errors.hpp"
#include "sim/base/text_match.hpp"
#include "sim/model_files/model_file.hpp"
#include "sim/model_files/model_file_check.hpp"
#include "sim/studies/nlme_model_file.hpp"

namespace mobsim::nlme {

namespace {

// What the model file of a fit may import: nothing, since imported components carry no parameter sensitivities.
class NoImports final : public ComponentSource {
public:
    std::vector<std::string> names() const override { return {}; }
    const ImportableComponent* find(const std::string&) const override { return nullptr; }
    std::unique_ptr<Model> compose(const std::string&, const std::string&, const std::vector<std::string>&,
                                   ImportingPart) const override {
        throw std::logic_error("nlme: a model file with imports was composed");
    }
    std::string none_available() const override {
        return "`mobsim nlme` fits model files without imports: the fit needs every equation in the file, for its "
               "parameter sensitivities (docs/nlme.md, Limits)";
    }
};
const NoImports kNoImports;

int index_of(const std::vector<std::string>& names, const std::string& name, const ConfigNode& where,
             const std::string& what) {
    const auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end())
        fail_at(where, "unknown " + what + " '" + name + "'" + did_you_mean(name, names) + " (known: " +
                           join(names, ", ") + ")");
    return static_cast<int>(it - names.begin());
}

// How the dataset maps onto the structural model: a built-in model takes doses into the depot (state 1) or the
// central compartment (state 2) and observes the central concentration; a model file takes doses into any state
// and observes the output an observation's CMT names (`outputs`; none: the run file's output).
struct DatasetMapping {
    DatasetSchema schema{{"depot", "central"}, {"depot", "central"}};
    bool model_file = false;
    std::vector<std::string> outputs;  // empty: every observation is of the run file's (default) output
};

// Bolus doses and baseline covariates: what the NLME fit supports; anything else is refused by line.
Subject subject_from(const mobsim::Subject& in, const std::vector<std::string>& covariates, const std::string& path,
                     const DatasetMapping& mapping) {
    Subject out;
    out.id = in.id;
    auto refuse = [&](int line, const std::string& what) {
        throw InputError(path + ":" + std::to_string(line) + ": " + what + " is not supported by the NLME fit" +
                         (mapping.model_file ? " (bolus doses only)" : " (bolus doses into depot or central only)"));
    };
    if (!in.dosing.resets_h.empty()) refuse(in.first_line, "a reset record (EVID 3/4)");
    for (const DoseRecord& d : in.dosing.doses) {
        if (d.input != InputRate::bolus) refuse(d.line, "a zero-order input (RATE)");
        if (d.steady_state != 0) refuse(d.line, "a steady-state dose (SS)");
        out.doses.push_back({d.time_h, d.amount, d.state + 1});
    }
    for (const DatasetObservation& o : in.observations) {
        if (!mapping.model_file && o.output == "depot") refuse(o.line, "an observation of the depot (CMT 1)");
        const bool censored = o.censoring == Censoring::below;
        const auto named = std::find(mapping.outputs.begin(), mapping.outputs.end(), o.output);
        const int output = named == mapping.outputs.end() ? -1 : static_cast<int>(named - mapping.outputs.begin());
        out.observations.push_back({o.time_h, censored ? o.lloq : o.value, censored, output});
    }
    if (in.has_time_varying_covariates())
        throw InputError(path + ":" + std::to_string(in.first_line) + ": subject " + in.id +
                         " has a time-varying covariate; the NLME fit uses baseline covariates only");
    const std::map<std::string, double> baseline = in.baseline_covariates();
    for (const std::string& name : covariates) {
        const auto it = baseline.find(name);
        if (it == baseline.end())
            throw InputError(path + ":" + std::to_string(in.first_line) + ": subject " + in.id + " has no value of " +
                             name);
        out.covariates.push_back(it->second);
    }
    return out;
}

void read_error_model(const ConfigNode& node, NlmeSpec& spec) {
    const MapReader error(node, {"additive", "proportional"});
    const auto additive = error.optional_number("additive"), proportional = error.optional_number("proportional");
    if (!additive && !proportional) fail_at(node, "give 'additive' and/or 'proportional' (standard deviations)");
    spec.error = additive && proportional ? ErrorKind::combined : additive ? ErrorKind::additive : ErrorKind::proportional;
    if (additive) spec.additive_start = require_positive(error.require("additive"), *additive);
    if (proportional) spec.proportional_start = require_positive(error.require("proportional"), *proportional);
}

// A model file (`model: NAME.model`): the parameters listed under `parameters` are estimated, the others keep
// the model file's values or those under `fixed`; `output` names the observed output.
std::unique_ptr<StructuralModel> read_model_file_model(const std::string& path, const MapReader& top,
                                                       NlmeInput& input, DatasetMapping& mapping) {
    const std::string model_path = resolve_relative(path, top.text("model"));
    // the run file is checked against the model file's declarations before anything is compiled
    const model_file::CheckedModel checked = model_file::read_model_file(model_path, &kNoImports);
    const std::string model_name = checked.syntax.name;
    std::vector<std::string> names, outputs, states;
    ModelFileFit fit;
    for (const auto& p : checked.syntax.parameters) names.push_back(p.name), fit.parameters.push_back(p.value);
    for (const auto& st : checked.syntax.statements)
        if (st.kind == model_file::Statement::Kind::output) outputs.push_back(st.target.name);
    for (const auto& st : checked.syntax.states) states.push_back(st.name);
    const ConfigNode& parameters = top.require("parameters");
    expect_kind(parameters, ConfigNode::Kind::map);
    for (const auto& [name, node] : parameters.entries)
        fit.estimated.push_back(names[index_of(names, name, node, "parameter of " + model_name)]);
    if (const ConfigNode* fixed = top.node().find("fixed")) {
        expect_kind(*fixed, ConfigNode::Kind::map);
        for (const auto& [name, node] : fixed->entries) {
            const int k = index_of(names, name, node, "parameter of " + model_name);
            if (parameters.find(name)) fail_at(node, "'" + name + "' is both estimated (parameters) and fixed");
            const auto& declared = checked.syntax.parameters[k];
            fit.parameters[k] = as_number(node);
            if (fit.parameters[k] < declared.lower || fit.parameters[k] > declared.upper)
                fail_at(node, "'" + name + "' = " + format_number(fit.parameters[k]) + " is outside its bounds [" +
                                  format_number(declared.lower) + ", " + format_number(declared.upper) + "] in " +
                                  model_path);
        }
    }
    if (const auto output = top.optional_text("output"))
        fit.output = index_of(outputs, *output, top.require("output"), "output of " + model_name);
    else
        mapping.outputs = outputs;
    mapping.model_file = true;
    // with `output`, an observation's CMT is not read as an output: it may name a compartment, as in NONMEM
    mapping.schema = DatasetSchema{states, top.has("output") ? states : outputs};
    for (const auto& c : checked.syntax.covariates) input.population.covariate_names.push_back(c.name);
    std::shared_ptr<const Model> model = model_file::load_model_file(model_path, {"", true, &kNoImports});
    return model_file_structural_model(std::move(model), std::move(fit));
}

}  // namespace

NlmeInput read_nlme_file(const std::string& path) {
    const ConfigNode root = load_config_file(path);
    const MapReader top(root, {"model", "data", "parameters", "omega_blocks", "error", "fixed", "output"});
    NlmeInput input;
    DatasetMapping mapping;
    const std::string model_name = top.text("model");
    const bool model_file = model_name.size() > 6 && model_name.compare(model_name.size() - 6, 6, ".model") == 0;
    if (!model_file)
        for (const char* key : {"fixed", "output"})
            if (top.has(key)) fail_at(top.require(key), std::string("'") + key + "' applies to model files only");
    input.model = model_file ? read_model_file_model(path, top, input, mapping) : structural_model(model_name);
    if (!input.model)
        fail_at(top.require("model"), "unknown model '" + model_name + "'" +
                                          did_you_mean(model_name, structural_model_names()) + " (nlme fits " +
                                          join(structural_model_names(), ", ") +
                                          " or a model file NAME.model; the simulation models of `mobsim run` carry "
                                          "no parameter sensitivities: docs/nlme.md, Limits)");
    const std::size_t model_covariates = input.population.covariate_names.size();
    input.data_path = resolve_relative(path, top.text("data"));
    const std::vector<std::string> names = input.model->parameter_names();
    const ConfigNode& parameters = top.require("parameters");
    expect_kind(parameters, ConfigNode::Kind::map);
    std::vector<const ConfigNode*> covariate_nodes;
    input.spec.theta_start.assign(names.size(), 0.0);
    std::vector<double> omega_diagonal;
    for (const auto& [name, node] : parameters.entries) {
        const int k = index_of(names, name, node, "parameter of " + input.model->name());
        const MapReader p(node, {"typical", "omega", "covariates"});
        input.spec.theta_start[k] = require_positive(p.require("typical"), p.number("typical"));
        if (const auto omega = p.optional_number("omega")) {
            input.spec.eta_parameter.push_back(k);
            omega_diagonal.push_back(require_positive(p.require("omega"), *omega));
        }
        if (const ConfigNode* c = node.find("covariates")) {
            expect_kind(*c, ConfigNode::Kind::sequence);
            for (const ConfigNode& item : c->items) {
                const MapReader effect(item, {"name", "form", "reference", "start"});
                CovariateEffect e;
                e.parameter = k;
                const std::string form = effect.optional_text("form").value_or("power");
                if (form != "power" && form != "linear")
                    fail_at(effect.require("form"), "form must be 'power' or 'linear'" + did_you_mean(form, {"power", "linear"}));
                e.form = form == "power" ? CovariateForm::power : CovariateForm::linear;
                e.reference = require_positive(effect.require("reference"), effect.number("reference"));
                e.start = effect.number_or("start", form == "power" ? 0.75 : 0.0);
                const std::string covariate = effect.text("name");
                auto it = std::find(input.population.covariate_names.begin(), input.population.covariate_names.end(), covariate);
                e.covariate = static_cast<int>(it - input.population.covariate_names.begin());
                if (it == input.population.covariate_names.end()) {
                    input.population.covariate_names.push_back(covariate);
                    covariate_nodes.push_back(&item);
                }
                input.spec.covariates.push_back(e);
            }
        }
    }
    for (std::size_t k = 0; k < names.size(); ++k)
        if (!(input.spec.theta_start[k] > 0.0)) fail_at(parameters, "parameter '" + names[k] + "' is missing");
    const int q = static_cast<int>(omega_diagonal.size());
    input.spec.omega_start.assign(q * q, 0.0);
    for (int m = 0; m < q; ++m) input.spec.omega_start[m * q + m] = omega_diagonal[m], input.spec.omega_block.push_back(m);
    if (const ConfigNode* blocks = root.find("omega_blocks")) {
        expect_kind(*blocks, ConfigNode::Kind::sequence);
        for (const ConfigNode& block : blocks->items) {
            expect_kind(block, ConfigNode::Kind::sequence);
            int first = -1;
            for (const ConfigNode& member : block.items) {
                const int k = index_of(names, as_text(member), member, "parameter");
                const auto it = std::find(input.spec.eta_parameter.begin(), input.spec.eta_parameter.end(), k);
                if (it == input.spec.eta_parameter.end()) fail_at(member, "'" + names[k] + "' has no omega");
                const int m = static_cast<int>(it - input.spec.eta_parameter.begin());
                if (first < 0) first = m;
                input.spec.omega_block[m] = input.spec.omega_block[first];
            }
        }
    }
    read_error_model(top.require("error"), input.spec);
    const Dataset dataset = read_dataset(input.data_path, mapping.schema);
    for (std::size_t c = 0; c < input.population.covariate_names.size(); ++c) {
        const std::string& name = input.population.covariate_names[c];
        if (std::find(dataset.covariate_names.begin(), dataset.covariate_names.end(), name) != dataset.covariate_names.end())
            continue;
        if (c < model_covariates)
            throw InputError(input.data_path + ": no column '" + name + "', a covariate of " + input.model->name() +
                             did_you_mean(name, dataset.covariate_names));
        fail_at(*covariate_nodes[c - model_covariates], "the dataset " + input.data_path + " has no column '" + name + "'" +
                                             did_you_mean(name, dataset.covariate_names));
    }
    for (const mobsim::Subject& s : dataset.subjects) {
        Subject subject = subject_from(s, input.population.covariate_names, input.data_path, mapping);
        if (!subject.observations.empty()) input.population.subjects.push_back(std::move(subject));
    }
    if (input.population.subjects.empty()) throw InputError(input.data_path + ": no subject has observations");
    return input;
}

}  // namespace mobsim::nlme
