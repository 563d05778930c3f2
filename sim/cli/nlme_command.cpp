// `mobsim nlme`: population (FOCEI) fit of a NONMEM-style dataset (see docs/nlme.md).
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "sim/base/atomic_file.hpp"
#include "sim/io/csv_output.hpp"
#include "sim/studies/nlme_reader.hpp"
#include "sim/numerics/distributed.hpp"
#include "sim/numerics/parallel.hpp"

namespace mobsim::cli {

namespace {

struct NlmeCli {
    std::string file, prefix;
    int threads = 0, npde_samples = 1000, sse = 0, max_iterations = 300;
    long seed = 1;
    bool quiet = false, evaluate = false;
};

std::string number(double v) { return std::isfinite(v) ? format_number(v) : "NA"; }

std::string estimates_csv(const nlme::NlmeResult& r, const nlme::NlmeInput& input, const std::string& command) {
    std::ostringstream out;
    out << "# mobsim " << program_version() << " nlme (FOCEI): " << command << "\n";
    out << "# status: " << r.status << (r.converged ? "" : " -- NOT CONVERGED, partial results") << "\n";
    out << "# iterations: " << r.iterations << ", objective evaluations: " << r.evaluations << "\n";
    out << "# OFV (NONMEM, without N log 2pi): " << number(r.ofv) << "\n";
    out << "# -2 log likelihood: " << number(r.neg2_log_likelihood) << "\n";
    out << "# covariance: " << (r.covariance_ok ? "R^-1 S R^-1 (sandwich)" : "not available")
        << ", condition number: " << number(r.condition_number) << "\n";
    for (std::size_t m = 0; m < r.eta_shrinkage_percent.size(); ++m)
        out << "# eta shrinkage (SD) " << input.model->parameter_names()[input.spec.eta_parameter[m]] << ": "
            << number(r.eta_shrinkage_percent[m]) << "%\n";
    if (!r.epsilon_shrinkage_percent.empty())
        out << "# epsilon shrinkage (SD): " << number(r.epsilon_shrinkage_percent[0]) << "%\n";
    for (const std::string& w : r.warnings) out << "# warning: " << w << "\n";
    out << "# ci95: log scale for typical values, omega variances and residual SDs; sandwich SE x "
        << number(r.small_sample_factor) << " (small-sample factor sqrt(N / (N - p)))\n";
    out << "parameter,estimate,se,rse_percent,se_r,ci95_lower,ci95_upper\n";
    for (std::size_t k = 0; k < r.names.size(); ++k)
        out << r.names[k] << "," << number(r.estimate[k]) << "," << number(r.se[k]) << "," << number(r.rse_percent[k])
            << "," << number(r.se_r[k]) << "," << number(r.ci_lower[k]) << "," << number(r.ci_upper[k]) << "\n";
    return out.str();
}

std::string table_csv(const nlme::NlmeResult& r) {
    std::ostringstream out;
    out << "ID,TIME,DV,PRED,IPRED,RES,WRES,IWRES,CWRES,NPDE,CENS\n";
    for (const nlme::RowDiagnostics& d : r.table)
        out << d.id << "," << number(d.time) << "," << number(d.dv) << "," << number(d.pred) << "," << number(d.ipred)
            << "," << number(d.res) << "," << number(d.wres) << "," << number(d.iwres) << "," << number(d.cwres) << ","
            << number(d.npde) << "," << (d.censored ? 1 : 0) << "\n";
    return out.str();
}

std::string eta_csv(const nlme::NlmeResult& r, const nlme::NlmeInput& input, const nlme::FoceiProblem& problem) {
    std::ostringstream out;
    const std::vector<std::string> names = input.model->parameter_names();
    out << "ID";
    for (int k : input.spec.eta_parameter) out << ",ETA_" << names[k];
    for (const std::string& n : names) out << "," << n;
    out << "\n";
    for (std::size_t i = 0; i < r.eta.size(); ++i) {
        const nlme::Subject& s = input.population.subjects[i];
        out << s.id;
        for (double e : r.eta[i]) out << "," << number(e);
        for (double p : problem.individual_parameters(r.x, s, r.eta[i])) out << "," << number(p);
        out << "\n";
    }
    return out.str();
}

// --sse N: the run file's initial estimates are the truth, the dataset the design.
void run_sse(const NlmeCli& o, const nlme::FoceiProblem& problem, const std::string& prefix) {
    const nlme::SseSummary s = nlme::simulate_reestimate(problem, problem.start(), o.sse, static_cast<std::uint64_t>(o.seed),
                                                         o.threads > 0 ? o.threads : default_thread_count());
    if (!distributed::is_root()) return;  // replicates are not split across ranks; rank 0 writes
    std::ostringstream out;
    out << "# simulation-re-estimation: " << s.replicates << " data sets of " << problem.population().subjects.size()
        << " subjects, " << s.converged << " converged, " << s.with_covariance << " with a covariance step, "
        << number(s.seconds) << " s\n";
    out << "parameter,truth,mean_estimate,bias_percent,coverage95_percent,coverage95_r_percent,coverage95_log_percent,"
           "coverage95_log_r_percent,coverage95_ci_percent,empirical_sd,mean_se,mean_se_r\n";
    for (std::size_t k = 0; k < s.names.size(); ++k)
        out << s.names[k] << "," << number(s.truth[k]) << "," << number(s.mean_estimate[k]) << ","
            << number(s.bias_percent[k]) << "," << number(s.coverage_percent[k]) << ","
            << number(s.coverage_r_percent[k]) << "," << number(s.coverage_log_percent[k]) << ","
            << number(s.coverage_log_r_percent[k]) << "," << number(s.coverage_ci_percent[k]) << ","
            << number(s.empirical_sd[k]) << "," << number(s.mean_se[k])
            << "," << number(s.mean_se_r[k]) << "\n";
    std::ostringstream fits;  // one row per replicate and parameter, for any other interval or summary
    fits << "replicate,converged,covariance,parameter,estimate,se,se_r\n";
    for (std::size_t r = 0; r < s.fits.size(); ++r)
        for (std::size_t k = 0; k < s.names.size(); ++k)
            fits << r + 1 << "," << (s.fits[r].converged ? 1 : 0) << "," << (s.fits[r].covariance_ok ? 1 : 0) << ","
                 << s.names[k] << "," << number(s.fits[r].estimate[k]) << "," << number(s.fits[r].se[k]) << ","
                 << number(s.fits[r].se_r[k]) << "\n";
    refuse_to_overwrite_inputs(prefix + "_sse_replicates.csv", {o.file});
    write_file_atomically(prefix + "_sse_replicates.csv", fits.str());
    refuse_to_overwrite_inputs(prefix + "_sse.csv", {o.file});
    write_file_atomically(prefix + "_sse.csv", out.str());
    if (!o.quiet) std::cerr << out.str();
}

void run(const NlmeCli& o, const Context& context) {
    const nlme::NlmeInput input = nlme::read_nlme_file(o.file);
    const nlme::FoceiProblem problem(*input.model, input.population, input.spec);
    if (o.sse > 0) return run_sse(o, problem, o.prefix.empty() ? std::filesystem::path(o.file).stem().string() : o.prefix);
    nlme::NlmeOptions options;
    options.threads = o.threads > 0 ? o.threads : default_thread_count();
    options.seed = static_cast<std::uint64_t>(o.seed);
    options.npde_samples = o.npde_samples;
    options.max_iterations = o.evaluate ? 0 : o.max_iterations;
    const nlme::NlmeResult r = nlme::fit_focei(problem, options, [&](int iteration, double ofv) {
        if (!o.quiet && distributed::is_root()) std::cerr << "iteration " << iteration << ": OFV " << number(ofv) << "\n";
    });
    if (!distributed::is_root()) return;  // every rank holds the result; rank 0 writes and reports
    const std::string base = o.prefix.empty() ? std::filesystem::path(o.file).stem().string() : o.prefix;
    const std::string prefix = r.converged ? base : base + "_not_converged";
    for (const char* suffix : {"_estimates.csv", "_table.csv", "_eta.csv"})
        refuse_to_overwrite_inputs(prefix + suffix, {o.file, input.data_path});
    write_file_atomically(prefix + "_estimates.csv", estimates_csv(r, input, context.command_line));
    write_file_atomically(prefix + "_table.csv", table_csv(r));
    write_file_atomically(prefix + "_eta.csv", eta_csv(r, input, problem));
    for (const std::string& w : r.warnings) std::cerr << "mobsim nlme: warning: " << w << "\n";
    if (!r.converged) {
        std::cerr << "mobsim nlme: did not converge (" << r.status << ") at iteration " << r.iterations << ", OFV "
                  << number(r.ofv) << ", parameter moved last: " << (r.last_moved.empty() ? "none" : r.last_moved)
                  << "; partial results in " << prefix << "_*.csv\n";
        std::exit(4);
    }
    if (!o.quiet)
        std::cerr << "OFV " << number(r.ofv) << " after " << r.iterations << " iterations (" << number(r.seconds)
                  << " s); results in " << prefix << "_estimates.csv, _table.csv, _eta.csv\n";
}

}  // namespace

void add_nlme_command(CLI::App& app, const Context& context) {
    auto options = std::make_shared<NlmeCli>();
    CLI::App* sub = app.add_subcommand("nlme", "Population (FOCEI) fit of a NONMEM-style dataset (docs/nlme.md)");
    sub->add_option("file", options->file, "NLME run file (YAML)")->required()->check(CLI::ExistingFile);
    sub->add_option("-o,--output-prefix,--out", options->prefix, "Output prefix (default: the run file's name)");
    sub->add_option("-j,--threads", options->threads, "Threads (default: all cores)")->check(CLI::NonNegativeNumber);
    sub->add_option("--seed", options->seed, "Seed of the NPDE simulations")->check(CLI::NonNegativeNumber);
    sub->add_option("--npde-samples", options->npde_samples, "Simulations per subject for NPDE")
        ->check(CLI::Range(10, 100000));
    sub->add_option("--sse", options->sse,
                    "Simulate and re-estimate N data sets from the initial estimates on the dataset's design")
        ->check(CLI::Range(1, 100000));
    sub->add_option("--max-iterations", options->max_iterations,
                    "Outer (quasi-Newton) iterations at most; a fit stopped by it is not converged (default 300)")
        ->check(CLI::Range(1, 100000));
    sub->add_flag("--evaluate", options->evaluate,
                  "No estimation: OFV, EBEs and table at the run file's values (NONMEM's MAXEVAL=0)");
    sub->add_flag("--quiet", options->quiet, "No progress on stderr");
    sub->callback([options, context] { run(*options, context); });
}

}  // namespace mobsim::cli
