// Running a cohort in fixed blocks of patients: each block is simulated (threads share its patients), its
// per-patient results go to rank 0, which reduces blocks in block order; the band values go into per-rank
// quantile sketches merged at the end. Neither threads nor ranks change any output byte.
#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include "sim/base/errors.hpp"
#include "sim/io/cohort_records.hpp"
#include "sim/io/dataset_problem.hpp"
#include "sim/numerics/byte_buffer.hpp"
#include "sim/numerics/distributed.hpp"
#include "sim/numerics/parallel.hpp"
#include "sim/numerics/quantile_sketch.hpp"
#include "sim/numerics/statistics.hpp"
#include "sim/studies/cohort.hpp"

namespace mobsim {

namespace {

std::size_t row_of(const std::vector<double>& grid, double t) {
    const auto it = std::lower_bound(grid.begin(), grid.end(), t - 1e-9 * std::max(1.0, std::abs(t)));
    if (it == grid.end() || std::abs(*it - t) > 1e-9 * std::max(1.0, std::abs(t)))
        throw InputError("cohort: time " + format_number(t) + " h is not on the simulation grid");
    return static_cast<std::size_t>(it - grid.begin());
}

// "patient 17 (CL=4.2, weight_kg=71.3)"
std::string describe_patient(const CohortStudy& study, const Problem& p, const VirtualPatient& patient) {
    std::ostringstream out;
    out << "patient " << patient.index << " (seed " << study.cohort.seed;
    for (const auto& name : study.cohort.variability.parameters)
        out << ", " << name << "=" << format_number(p.parameters[static_cast<std::size_t>(p.model->parameter_index(name))]);
    for (std::size_t k = 0; k < study.cohort.covariates.size(); ++k)
        out << ", " << study.cohort.covariates[k].name << "=" << format_number(patient.covariates[k]);
    return out.str() + ")";
}

// A drawn parameter's, covariate's or summary's value for every patient of `r`; throws for an unknown name.
std::vector<double> per_patient_variable(const CohortResult& r, const std::string& name) {
    for (const auto& [names, table] : {std::pair{&r.parameter_names, &r.parameter_values},
                                       std::pair{&r.covariate_names, &r.covariate_values},
                                       std::pair{&r.summary_names, &r.summary_values}}) {
        const auto it = std::find(names->begin(), names->end(), name);
        if (it == names->end()) continue;
        std::vector<double> out;
        for (auto i = static_cast<std::size_t>(it - names->begin()); i < table->size(); i += names->size())
            out.push_back((*table)[i]);
        return out;
    }
    throw InputError("cohort: no drawn parameter, covariate or summary named '" + name + "'");
}

void append_patients(CohortResult& to, const CohortResult& from) {
    const auto append = [](auto& a, const auto& b) { a.insert(a.end(), b.begin(), b.end()); };
    append(to.ids, from.ids);
    append(to.records, from.records);
    append(to.parameter_values, from.parameter_values);
    append(to.covariate_values, from.covariate_values);
    append(to.summary_values, from.summary_values);
    append(to.responder, from.responder);
    append(to.failures, from.failures);
    append(to.solver_steps, from.solver_steps);
    append(to.fell_back, from.fell_back);
}

// One block's per-patient results and its band sums (per time and output, over its evaluated patients in
// patient order): what a rank sends to rank 0.
struct Block {
    CohortResult patients;
    std::vector<double> sums;
    std::uint64_t evaluated = 0;
};

// Calls f on every field a block's message carries (Block or const Block).
template <class B, class F>
void for_each_field(B& b, F&& f) {
    auto& r = b.patients;
    f(r.first_patient), f(r.patients), f(r.ids), f(r.parameter_values), f(r.covariate_values), f(r.summary_values);
    f(r.responder), f(r.failures), f(r.solver_steps), f(r.fell_back), f(r.records), f(b.sums), f(b.evaluated);
}

std::string packed(const Block& b) {
    std::string bytes;
    for_each_field(b, [&](const auto& field) { pack(bytes, field); });
    return bytes;
}

Block unpacked(const std::string& bytes, const CohortResult& names) {
    Block b;
    b.patients.parameter_names = names.parameter_names;
    b.patients.covariate_names = names.covariate_names;
    b.patients.summary_names = names.summary_names;
    ByteReader in(bytes);
    for_each_field(b, [&](auto& field) { in.read(field); });
    return b;
}

struct Layout {
    std::vector<std::size_t> rows, columns;  // band times (grid rows) and outputs (columns)
    std::size_t width() const { return rows.size() * columns.size(); }
};

// Simulates patients [first, first + count) on `threads` threads; adds their band values to `bands`.
Block simulate_block(const CohortStudy& study, const CohortResult& names, const Layout& layout, int first, int count,
                     int threads, std::vector<QuantileSketch>& bands, const std::function<void(int)>& progress) {
    const CohortSpec& spec = study.cohort;
    Block block;
    CohortResult& r = block.patients;
    r.first_patient = first;
    r.patients = count;
    r.parameter_names = names.parameter_names;
    r.covariate_names = names.covariate_names;
    r.summary_names = names.summary_names;
    const auto n = static_cast<std::size_t>(count);
    const std::size_t n_par = r.parameter_names.size(), n_cov = r.covariate_names.size(),
                      n_sum = r.summary_names.size(), n_out = layout.columns.size(), width = layout.width();
    if (study.dataset)
        for (std::size_t i = 0; i < n; ++i) r.ids.push_back(study.dataset->subjects[first + i].id);
    r.parameter_values.resize(n * n_par);
    r.covariate_values.resize(n * n_cov);
    r.summary_values.resize(n * n_sum);
    std::vector<double> samples(n * width, std::nan(""));
    r.failures.assign(n, std::string());
    r.solver_steps.assign(n, 0);
    r.fell_back.assign(n, 0);
    if (!study.record_outputs.empty()) r.records.assign(n, std::string());

    parallel_for(count, threads, [&](int local) {
        const int index = first + local;
        const VirtualPatient patient = draw_patient(spec, index);
        const auto problem_of = [&](const VirtualPatient& v) {
            return study.dataset ? patient_problem(with_subject(study.base, study.dataset->subjects[static_cast<std::size_t>(index)],
                                                                study.dataset->path), spec, v)
                                 : patient_problem(study.base, spec, v);
        };
        const Problem p = problem_of(patient);
        const auto i = static_cast<std::size_t>(local);
        for (std::size_t k = 0; k < n_par; ++k)
            r.parameter_values[i * n_par + k] = p.parameters[static_cast<std::size_t>(p.model->parameter_index(r.parameter_names[k]))];
        const std::size_t n_drawn = patient.covariates.size();
        for (std::size_t k = 0; k < n_cov; ++k)
            r.covariate_values[i * n_cov + k] = k < n_drawn ? patient.covariates[k]
                                                            : spec.listed.values[static_cast<std::size_t>(index) * spec.listed.names.size() + k - n_drawn];
        const auto fail = [&](const std::string& why) {  // kept with the patient; the others' results stand
            r.failures[i] = describe_patient(study, p, patient) + why;
            for (std::size_t k = 0; k < n_sum; ++k) r.summary_values[i * n_sum + k] = std::nan("");
        };
        Trajectory trajectory;
        try {
            trajectory = simulate(p);
        } catch (const SolverError& e) {
            return fail(std::string(": ") + e.what());
        }
        if (!study.record_outputs.empty()) {
            VirtualPatient typical = patient;  // eta = L z = 0: the typical parameters, the same covariates
            std::fill(typical.z.begin(), typical.z.end(), 0.0);
            try {
                const Trajectory pred = simulate(problem_of(typical));
                const std::vector<double> covariates(r.covariate_values.begin() + static_cast<long>(i * n_cov),
                                                     r.covariate_values.begin() + static_cast<long>((i + 1) * n_cov));
                r.records[i] = patient_records(r.ids.empty() ? std::to_string(index + 1) : r.ids[i], p, trajectory, pred,
                                               {study.record_outputs, r.covariate_names}, covariates);
            } catch (const SolverError& e) {
                return fail(std::string(" (typical parameters): ") + e.what());
            }
        }
        r.solver_steps[i] = trajectory.stats.steps;
        r.fell_back[i] = trajectory.stats.method != p.solver.method;
        for (std::size_t k = 0; k < n_sum; ++k) r.summary_values[i * n_sum + k] = evaluate_summary(trajectory, study.summaries[k]);
        for (std::size_t t = 0; t < layout.rows.size(); ++t)
            for (std::size_t k = 0; k < n_out; ++k)
                samples[i * width + t * n_out + k] = trajectory.at(layout.rows[t], layout.columns[k]);
    }, progress);

    if (study.responder)
        for (double v : per_patient_variable(r, study.responder->summary)) r.responder.push_back(study.responder->holds(v));
    block.sums.assign(width, 0.0);
    block.evaluated = static_cast<std::uint64_t>(std::count(r.failures.begin(), r.failures.end(), std::string()));
    parallel_for(static_cast<int>(width), threads, [&](int cell) {  // threads take whole band cells
        const auto c = static_cast<std::size_t>(cell);
        for (std::size_t i = 0; i < n; ++i) {  // in patient order, so the sums do not depend on threads
            if (!r.failures[i].empty()) continue;  // patients whose integration failed are left out of the bands
            block.sums[c] += samples[i * width + c];
            bands[c].add(samples[i * width + c]);
        }
    });
    return block;
}

// Rank 0's reduction of blocks, taken in block order.
class Reduction {
public:
    Reduction(const CohortStudy& study, CohortResult& total, std::size_t width) : study_(study), total_(total) {
        sums_.assign(width, 0.0);
        for (const auto& c : study.correlations)
            for (const auto& name : {c.variable, c.summary}) columns_[name];
    }

    void take(const Block& block) {
        const CohortResult& b = block.patients;
        for (std::size_t c = 0; c < sums_.size(); ++c) sums_[c] += block.sums[c];
        evaluated_ += block.evaluated;
        total_.responder_count += static_cast<int>(std::count(b.responder.begin(), b.responder.end(), 1));
        for (auto& [name, values] : columns_) {
            const auto more = per_patient_variable(b, name);
            values.insert(values.end(), more.begin(), more.end());
        }
        for (std::size_t i = 0; i < b.failures.size(); ++i) {
            total_.work.fallbacks += b.fell_back[i];
            if (!b.failures[i].empty()) {
                if (total_.failed_count++ == 0) total_.first_failure = b.failures[i];
                continue;
            }
            ++steps_[b.solver_steps[i]];
            if (b.solver_steps[i] >= total_.work.max_steps) {  // the last of the slowest, as a stable sort gives
                total_.work.max_steps = b.solver_steps[i];
                total_.work.slowest_patient = b.first_patient + static_cast<int>(i);
            }
        }
    }

    void finish(const CohortStudy& study, const std::vector<QuantileSketch>& bands) {
        const std::size_t n_out = study.percentile_outputs.size();
        for (std::size_t t = 0; t < study.percentile_times_h.size(); ++t)
            for (std::size_t k = 0; k < n_out; ++k) {
                const QuantileSketch& s = bands[t * n_out + k];
                total_.time_summary.push_back({study.percentile_times_h[t], study.percentile_outputs[k],
                                               sums_[t * n_out + k] / static_cast<double>(evaluated_), s.percentile(5),
                                               s.percentile(25), s.percentile(50), s.percentile(75), s.percentile(95)});
            }
        for (const auto& c : study.correlations) {
            const RankCorrelation rc = spearman(columns_.at(c.variable), columns_.at(c.summary));
            total_.correlations.push_back({c.variable, c.summary, rc.n, rc.rho, rc.p_value});
        }
        finish_solver_work();
    }

private:
    // Median, 99th percentile and the slowest 1%'s share from the exact histogram of steps.
    void finish_solver_work() {
        SolverWork& w = total_.work;
        long n = 0;
        double all = 0.0;
        for (const auto& [steps, count] : steps_) {
            n += count;
            all += double(steps) * double(count);
        }
        if (n == 0) return;
        const auto at = [&](double q) {
            long position = static_cast<long>(q * double(n - 1) + 0.5);
            for (const auto& [steps, count] : steps_) {
                if (position < count) return steps;
                position -= count;
            }
            return steps_.rbegin()->first;
        };
        w.median_steps = at(0.5);
        w.p99_steps = at(0.99);
        long slowest = std::max(1L, n / 100);
        double tail = 0.0;
        for (auto it = steps_.rbegin(); it != steps_.rend() && slowest > 0; ++it) {
            const long taken = std::min(slowest, it->second);
            tail += double(it->first) * double(taken);
            slowest -= taken;
        }
        w.slowest_percent_share = all > 0.0 ? tail / all : 0.0;
    }

    const CohortStudy& study_;
    CohortResult& total_;
    std::vector<double> sums_;
    std::uint64_t evaluated_ = 0;
    std::map<long, long> steps_;                          // solver steps -> patients
    std::map<std::string, std::vector<double>> columns_;  // per patient, the variables correlations name
};

}  // namespace

CohortResult run_cohort(const CohortStudy& study, int threads, const std::function<void(int done)>& progress,
                        const CohortBlockSink& sink, bool across_ranks) {
    const CohortSpec& spec = study.cohort;
    validate_cohort(spec, *study.base.model);
    if (study.dataset) {
        if (static_cast<std::size_t>(spec.size) != study.dataset->subjects.size())
            throw InputError("cohort: " + std::to_string(spec.size) + " patients but the dataset " + study.dataset->path +
                             " has " + std::to_string(study.dataset->subjects.size()) + " subjects; one patient per subject");
        for (const auto& c : spec.covariates)
            if (dataset_gives(*study.dataset, c.name))
                throw InputError("cohort: covariate " + c.name + " is both drawn and given by the dataset " +
                                 study.dataset->path + "; remove one");
    }
    CohortResult r;
    r.patients = spec.size;
    r.has_responder = study.responder.has_value();
    r.has_ids = study.dataset != nullptr;
    r.parameter_names = spec.variability.parameters;
    for (const auto& c : spec.covariates) r.covariate_names.push_back(c.name);
    for (const auto& name : spec.listed.names) r.covariate_names.push_back(name);  // listed values are reported as covariates
    for (const auto& s : study.summaries) r.summary_names.push_back(s.name);
    for (const auto& name : study.record_outputs) study.base.model->require_output(name, "cohort records");
    Layout layout;
    for (double t : study.percentile_times_h) layout.rows.push_back(row_of(study.base.grid, t));
    for (const auto& name : study.percentile_outputs)
        layout.columns.push_back(static_cast<std::size_t>(study.base.model->output_index(name)));
    if (study.responder) per_patient_variable(r, study.responder->summary);  // a typo fails before any work
    for (const auto& c : study.correlations) per_patient_variable(r, c.variable), per_patient_variable(r, c.summary);

    const int workers = threads > 0 ? threads : study.threads > 0 ? study.threads : default_thread_count();
    const int ranks = across_ranks ? distributed::ranks() : 1, me = across_ranks ? distributed::rank() : 0;
    const long blocks = (spec.size + kCohortBlockSize - 1) / kCohortBlockSize;
    const auto block_size = [&](long b) { return static_cast<int>(std::min<long>(kCohortBlockSize, spec.size - b * kCohortBlockSize)); };
    std::vector<QuantileSketch> bands(layout.width());
    if (me != 0) {  // compute this rank's blocks, send them and then its sketches to rank 0
        for (long b = me; b < blocks; b += ranks)
            distributed::send(0, packed(simulate_block(study, r, layout, static_cast<int>(b * kCohortBlockSize),
                                                       block_size(b), workers, bands, {})));
        std::string bytes;
        for (const auto& s : bands) s.append_to(bytes);
        distributed::send(0, bytes);
        return r;
    }
    Reduction reduction(study, r, layout.width());
    int done = 0;
    for (long b = 0; b < blocks; ++b) {
        const int first = static_cast<int>(b * kCohortBlockSize), owner = static_cast<int>(b % ranks);
        const std::function<void(int)> within = progress ? [&](int d) { progress(done + d); } : std::function<void(int)>();
        const Block block = owner == 0 ? simulate_block(study, r, layout, first, block_size(b), workers, bands, within)
                                       : unpacked(distributed::receive(owner), r);
        reduction.take(block);
        if (sink) sink(block.patients);
        done += block_size(b);
        if (progress) progress(done);
    }
    for (int from = 1; from < ranks; ++from) {
        const std::string bytes = distributed::receive(from);
        std::size_t offset = 0;
        for (auto& s : bands) s.merge(QuantileSketch::read_from(bytes, offset));
    }
    if (r.failed_count == r.patients) throw SolverError(r.first_failure);
    reduction.finish(study, bands);
    return r;
}

CohortResult run_cohort(const CohortStudy& study, int threads, const std::function<void(int done)>& progress) {
    CohortResult kept;
    CohortResult r = run_cohort(study, threads, progress, [&](const CohortResult& b) { append_patients(kept, b); }, false);
    append_patients(r, kept);
    return r;
}

}  // namespace mobsim
