// `mobsim vpc`: visual predictive check of an NLME run file's model on its dataset's design (docs/nlme.md).
#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "sim/base/atomic_file.hpp"
#include "sim/io/csv_output.hpp"
#include "sim/base/errors.hpp"
#include "sim/studies/nlme_reader.hpp"
#include "sim/numerics/parallel.hpp"
#include "sim/base/text_match.hpp"

namespace mobsim::cli {

namespace {

struct VpcCli {
    std::string file, estimates, prefix = "vpc";
    int replicates = 500, bins = 8, threads = 0;
    long seed = 1;
    bool prediction_corrected = false;
};

std::string number(double v) { return std::isfinite(v) ? format_number(v) : "NA"; }

// Reported values from a `mobsim nlme` estimates file, in the layout's order.
std::vector<double> read_estimates(const std::string& path, const std::vector<std::string>& names) {
    std::ifstream in(path);
    if (!in) throw InputError(path + ": cannot read the estimates file");
    std::vector<double> values(names.size(), 0.0);
    std::vector<bool> seen(names.size(), false);
    std::string line;
    int number = 0;
    bool header = true;
    while (std::getline(in, line)) {
        ++number;
        if (line.empty() || line[0] == '#') continue;
        if (header) {
            if (line.rfind("parameter,estimate", 0) != 0)
                throw InputError(path + ":" + std::to_string(number) + ": expected the header 'parameter,estimate,...'");
            header = false;
            continue;
        }
        std::stringstream fields(line);
        std::string name, value;
        std::getline(fields, name, ',');
        std::getline(fields, value, ',');
        const auto it = std::find(names.begin(), names.end(), name);
        if (it == names.end())
            throw InputError(path + ":" + std::to_string(number) + ": parameter '" + name + "' is not in the run file's model" +
                             did_you_mean(name, names));
        try {
            values[it - names.begin()] = std::stod(value);
        } catch (const std::exception&) {
            throw InputError(path + ":" + std::to_string(number) + ": estimate of '" + name + "' is not a number: '" + value + "'");
        }
        seen[it - names.begin()] = true;
    }
    for (std::size_t k = 0; k < names.size(); ++k)
        if (!seen[k]) throw InputError(path + ": no estimate of '" + names[k] + "'");
    return values;
}

void run(const VpcCli& o) {
    const nlme::NlmeInput input = nlme::read_nlme_file(o.file);
    const nlme::FoceiProblem problem(*input.model, input.population, input.spec);
    std::vector<double> x = problem.start();
    if (!o.estimates.empty() &&
        !nlme::x_from_reported(problem, read_estimates(o.estimates, problem.layout().names), x))
        throw InputError(o.estimates + ": the estimates do not define a valid model (omega not positive definite?)");
    nlme::VpcSettings settings;
    settings.replicates = o.replicates;
    settings.bins = o.bins;
    settings.threads = o.threads > 0 ? o.threads : default_thread_count();
    settings.prediction_corrected = o.prediction_corrected;
    settings.seed = static_cast<std::uint64_t>(o.seed);
    const std::vector<nlme::VpcBin> bins = nlme::visual_predictive_check(problem, x, settings);
    std::ostringstream out;
    out << "# visual predictive check" << (o.prediction_corrected ? " (prediction-corrected)" : "") << ": "
        << o.replicates << " simulated data sets, seed " << o.seed << "\n";
    out << "time_low,time_high,time_median,n,obs_p05,obs_p50,obs_p95";
    for (const char* p : {"p05", "p50", "p95"})
        out << ",sim_" << p << "_lo,sim_" << p << "_median,sim_" << p << "_hi";
    out << "\n";
    for (const nlme::VpcBin& b : bins) {
        out << number(b.time_low) << "," << number(b.time_high) << "," << number(b.time_median)
            << "," << b.observations;
        for (double v : b.observed) out << "," << number(v);
        for (const auto& p : b.simulated)
            for (double v : p) out << "," << number(v);
        out << "\n";
    }
    refuse_to_overwrite_inputs(o.prefix + "_vpc.csv", {o.file, input.data_path, o.estimates});
    write_file_atomically(o.prefix + "_vpc.csv", out.str());
}

}  // namespace

void add_vpc_command(CLI::App& app, const Context&) {
    auto options = std::make_shared<VpcCli>();
    CLI::App* sub = app.add_subcommand("vpc", "Visual predictive check of an NLME model (docs/nlme.md)");
    sub->add_option("file", options->file, "NLME run file (YAML)")->required()->check(CLI::ExistingFile);
    sub->add_option("--estimates", options->estimates, "Estimates file of `mobsim nlme` (default: the run file's values)")
        ->check(CLI::ExistingFile);
    sub->add_option("-o,--output-prefix,--out", options->prefix, "Output prefix: writes PREFIX_vpc.csv");
    sub->add_option("--replicates", options->replicates, "Simulated data sets")->check(CLI::Range(20, 100000));
    sub->add_option("--bins", options->bins, "Time bins (quantiles of the observation times)")->check(CLI::Range(1, 100));
    sub->add_flag("--pred-corr", options->prediction_corrected, "Prediction-corrected VPC (Bergstrand et al. 2011)");
    sub->add_option("--seed", options->seed, "Seed")->check(CLI::NonNegativeNumber);
    sub->add_option("-j,--threads", options->threads, "Threads (default: all cores)")->check(CLI::NonNegativeNumber);
    sub->callback([options] { run(*options); });
}

}  // namespace mobsim::cli
