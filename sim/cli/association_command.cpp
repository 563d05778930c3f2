// mobsim association: how typical a cohort's rank correlations are at its size, over many seeds.
#include <iostream>

#include "commands.hpp"
#include "progress.hpp"
#include "sim/studies/association.hpp"
#include "sim/base/atomic_file.hpp"
#include "sim/numerics/parallel.hpp"

namespace mobsim::cli {

namespace {

struct AssociationCommandOptions {
    std::string file, output;
    AssociationOptions study;
    long seed = -1;
    bool progress = false;
};

void run(const AssociationCommandOptions& o, const Context& context) {
    CohortStudy study = read_cohort_study(o.file, *context.models);
    if (o.seed >= 0) study.cohort.seed = static_cast<std::uint64_t>(o.seed);
    if (!o.output.empty()) refuse_to_overwrite_inputs(o.output, {o.file, study.scenario_file});
    AssociationOptions options = o.study;
    if (options.threads <= 0) options.threads = study.threads > 0 ? study.threads : default_thread_count();
    const auto rows = repeated_associations(study, options,
                                            progress_reporter("association", options.seeds, progress_wanted(o.progress)));
    const int size = options.size > 0 ? options.size : study.cohort.size;
    std::cout << options.seeds << " cohorts of " << size << " patients (seeds " << study.cohort.seed << " to "
              << study.cohort.seed + static_cast<std::uint64_t>(options.seeds - 1) << ")\n"
              << association_table(rows, options);
    if (o.output.empty()) return;
    Provenance provenance = make_provenance(o.file, *study.base.model, study.base.solver, context.command_line);
    provenance.entries.emplace_back("patients_per_cohort", std::to_string(size));
    provenance.entries.emplace_back("first_seed", std::to_string(study.cohort.seed));
    write_file_atomically(o.output, association_csv(rows, options, provenance));
}

}  // namespace

void add_association_command(CLI::App& app, const Context& context) {
    auto o = std::make_shared<AssociationCommandOptions>();
    CLI::App* cmd = app.add_subcommand(
        "association", "Median Spearman rho, median p and share of cohorts with p <= alpha for a cohort file's "
                       "correlation pairs, over many seeds of cohorts of one size");
    cmd->add_option("cohort", o->file, "Cohort YAML file (its correlations: list gives the pairs)")->required();
    cmd->add_option("--seeds", o->study.seeds, "Number of cohorts (seeds first, first + 1, ...)")
        ->check(CLI::Range(1, 100000));
    cmd->add_option("--size", o->study.size, "Patients per cohort (default: the file's size)")
        ->check(CLI::Range(3, 10000000));
    cmd->add_option("--seed", o->seed, "First seed (default: the file's seed)")->check(CLI::NonNegativeNumber);
    cmd->add_option("--alpha", o->study.alpha, "Significance level of the share column")
        ->check(CLI::Range(1e-12, 0.999999));
    cmd->add_option("-j,--threads", o->study.threads, "Worker threads (default: the file's threads, else all cores)")
        ->check(CLI::Range(1, 1024));
    cmd->add_option("-o,--output", o->output, "Also write the table as CSV with provenance");
    cmd->add_flag("--progress", o->progress, "Report progress on stderr even when it is not a terminal");
    cmd->callback([o, context] { run(*o, context); });
}

}  // namespace mobsim::cli
