// mobsim vpop: a virtual population selected to reproduce published summary statistics (docs/vpop.md).
#include <chrono>
#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "cli_options.hpp"
#include "progress.hpp"
#include "sim/base/atomic_file.hpp"
#include "sim/base/errors.hpp"
#include "sim/numerics/distributed.hpp"
#include "sim/numerics/parallel.hpp"
#include "sim/studies/vpop.hpp"

namespace mobsim::cli {

namespace {

struct VpopOptions {
    std::string file, prefix;
    int threads = 0, plausible_size = 0, vpop_size = 0;
    long seed = -1;
    bool benchmark = false, progress = false, quiet = false, force = false;
};

void run(const VpopOptions& o, const Context& context) {
    VpopStudy study = read_vpop_study(o.file, *context.models);
    if (o.plausible_size > 0) study.plausible_size = o.plausible_size;
    if (o.vpop_size > 0) study.vpop_size = o.vpop_size;
    if (o.seed >= 0) study.seed = static_cast<std::uint64_t>(o.seed);
    if (study.vpop_size > study.plausible_size && !o.benchmark)
        throw InputError(o.file + ": vpop_size " + std::to_string(study.vpop_size) + " exceeds plausible_size " +
                         std::to_string(study.plausible_size));
    const std::string stem = std::filesystem::path(o.file).stem().string();
    auto choose = [&](const std::string& from_file, const std::string& suffix) {
        if (!o.prefix.empty()) return o.prefix + suffix;
        return from_file.empty() ? stem + suffix : from_file;
    };
    const std::string vpop = choose(study.vpop_file, "_vpop.csv"), report = choose(study.report_file, "_report.csv"),
                      plausible = choose(study.plausible_file, "_plausible.csv");
    std::vector<std::string> inputs = {o.file};
    for (const auto& arm : study.arms) inputs.insert(inputs.end(), {arm.scenario_file, arm.dataset_file});
    for (const auto& out : {vpop, report, plausible}) refuse_to_overwrite_inputs(out, inputs);
    if (!o.benchmark) check_output_paths({vpop, report, plausible}, o.force);  // before hours of simulation

    const int threads = o.threads > 0 ? o.threads : study.threads > 0 ? study.threads : default_thread_count();
    const bool root = distributed::is_root();
    const bool show = !o.quiet && progress_wanted(o.progress) && root;
    const auto start = std::chrono::steady_clock::now();
    PlausiblePopulation population;
    try {
        population = generate_plausible(study, threads, progress_reporter("plausible", study.plausible_size, show));
    } catch (...) {
        if (show) std::cerr << '\n';
        throw;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (study.refine_chains > 0 && !o.benchmark) {
        try {
            refine_plausible(study, population, threads, progress_reporter("MH chains", study.refine_chains, show));
        } catch (...) {
            if (show) std::cerr << '\n';
            throw;
        }
    }
    const int passed = static_cast<int>(population.plausible_indices().size());
    if ((!o.quiet || o.benchmark) && root) {
        std::cerr << "generated and screened " << study.plausible_size << " candidates in " << seconds << " s on "
                  << threads << " threads (" << study.plausible_size / std::max(seconds, 1e-9) << " candidates/s); "
                  << passed - population.from_chains << " plausible";
        if (population.from_chains > 0) std::cerr << ", and " << population.from_chains << " more from the MH chains";
        std::cerr << '\n';
    }
    if (o.benchmark || !root) return;  // every rank holds the plausible population; rank 0 selects and writes

    if (show) std::cerr << "fitting prevalence weights to " << study.targets.size() << " targets, selecting, bootstrapping...\n";
    const auto selection_start = std::chrono::steady_clock::now();
    const VpopResult result = select_vpop(study, std::move(population));
    const double selection_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - selection_start).count();
    const Problem& first = study.arms.front().base;
    Provenance provenance = make_provenance(o.file, *first.model, first.solver, context.command_line);
    for (const auto& arm : study.arms) {
        const std::string key = arm.name.empty() ? "scenario" : "arm " + arm.name;
        if (!arm.scenario_file.empty()) provenance.entries.emplace_back(key, arm.scenario_file);
        if (!arm.dataset_file.empty()) provenance.entries.emplace_back(key + " dataset", arm.dataset_file + " ID " + arm.subject);
    }
    provenance.entries.emplace_back("seed", std::to_string(study.seed));
    provenance.entries.emplace_back("method", "Latin hypercube candidates, minimum-divergence prevalence weights, "
                                              "prevalence-based selection (docs/vpop.md)");
    const std::string vpop_text = vpop_csv(study, result, provenance), report_text = vpop_report_csv(study, result, provenance),
                      plausible_text = plausible_csv(study, result, provenance);
    write_result_set({{vpop, vpop_text}, {report, report_text}, {plausible, plausible_text}}, o.force);  // all or none
    if (o.quiet) return;
    int within = 0;
    for (const auto& f : result.fits) within += f.within;
    std::cerr << "VPop of " << result.selected.size() << " from " << passed << " plausible (effective size of the weights "
              << result.effective_size << ", " << result.saturated << " saturated); " << within << " of "
              << result.fits.size() << " targets within their published uncertainty, chi-square " << result.chi_square
              << " (p = " << result.chi_square_p << "); weights, selection and bootstrap took " << selection_seconds
              << " s\n";
    for (const auto& f : result.fits)
        std::cerr << "  " << f.name << ": published " << f.published << ", VPop " << f.vpop << " [" << f.boot_low << ", "
                  << f.boot_high << "], z " << f.z << (f.within ? "" : "  (outside)") << '\n';
    std::cerr << "wrote " << vpop << ", " << report << ", " << plausible << '\n';
}

}  // namespace

void add_vpop_command(CLI::App& app, const Context& context) {
    auto options = std::make_shared<VpopOptions>();
    CLI::App* cmd = app.add_subcommand(
        "vpop", "Select a virtual population that reproduces published summary statistics (means, proportions, correlations)");
    cmd->add_option("study", options->file, "VPop study YAML file")->required();
    cmd->add_option("-o,--output-prefix", options->prefix,
                    "Write PREFIX_vpop.csv, PREFIX_report.csv, PREFIX_plausible.csv (default: the file's output: "
                    "section, else STUDY_*.csv here)");
    cmd->add_option("-j,--threads", options->threads, "Worker threads (default: the file's threads, else all cores)")
        ->check(CLI::Range(1, 1024));
    cmd->add_option("--plausible-size", options->plausible_size, "Override the number of candidates")
        ->check(CLI::Range(10, 10000000));
    cmd->add_option("--vpop-size", options->vpop_size, "Override the VPop size")->check(CLI::Range(3, 10000000));
    cmd->add_option("--seed", options->seed, "Override the random seed")->check(CLI::NonNegativeNumber);
    cmd->add_flag("--benchmark", options->benchmark,
                  "Only generate and screen the candidates, print the time taken, write nothing");
    cmd->add_flag("--progress", options->progress, "Report progress on stderr even when it is not a terminal");
    cmd->add_flag("-q,--quiet", options->quiet, "Print nothing on success");
    add_force_flag(cmd, options->force);
    cmd->callback([options, context] { run(*options, context); });
}

}  // namespace mobsim::cli
