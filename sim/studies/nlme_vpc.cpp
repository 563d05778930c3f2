// Visual predictive check of a fitted NLME model: the 5th, 50th and 95th percentiles of the observations per time
// bin against the 95% intervals of the same percentiles over data sets simulated on the same design; optionally
// prediction-corrected (Bergstrand et al. 2011, AAPS J 13:143): each value times median PRED of its bin / its PRED
// (rows whose PRED is 0, e.g. at the time of an oral dose, are left out of a corrected VPC).
#include <algorithm>
#include <cmath>

#include "sim/studies/nlme_focei.hpp"
#include "sim/numerics/parallel.hpp"
#include "sim/numerics/statistics.hpp"

namespace mobsim::nlme {

namespace {

struct Row {
    double time = 0.0, pred = 0.0;
    int bin = 0;
};

// Uncensored rows in subject order with their population predictions, binned by quantiles of time; rows at the
// same time fall into one bin.
std::vector<Row> design_rows(const FoceiProblem& problem, const std::vector<double>& x, int bins, int& bin_count) {
    std::vector<Row> rows;
    const int q = static_cast<int>(problem.spec().eta_parameter.size());
    for (const Subject& s : problem.population().subjects) {
        std::vector<double> f, variance;
        problem.predict(x, s, std::vector<double>(q, 0.0), f, nullptr, variance);
        for (std::size_t j = 0; j < s.observations.size(); ++j)
            if (!s.observations[j].censored) rows.push_back({s.observations[j].time, f[j], 0});
    }
    std::vector<double> times;
    for (const Row& r : rows) times.push_back(r.time);
    std::sort(times.begin(), times.end());
    std::vector<double> edges;  // upper edges
    for (int b = 1; b < bins; ++b) {
        const double edge = percentile_of_sorted(times, 100.0 * b / bins);
        if (edges.empty() || edge > edges.back()) edges.push_back(edge);
    }
    for (Row& r : rows) r.bin = static_cast<int>(std::lower_bound(edges.begin(), edges.end(), r.time) - edges.begin());
    bin_count = static_cast<int>(edges.size()) + 1;
    return rows;
}

std::vector<double> uncensored_values(const Population& p) {
    std::vector<double> v;
    for (const Subject& s : p.subjects)
        for (const Observation& o : s.observations)
            if (!o.censored) v.push_back(o.value);
    return v;
}

// 5th, 50th, 95th percentile of each bin's (corrected) values.
std::vector<std::array<double, 3>> bin_percentiles(const std::vector<Row>& rows, const std::vector<double>& values,
                                                   const std::vector<double>& bin_pred, bool corrected, int bins) {
    std::vector<std::vector<double>> by_bin(bins);
    for (std::size_t i = 0; i < rows.size() && i < values.size(); ++i) {
        if (corrected && !(rows[i].pred > 0.0)) continue;  // no correction of a zero prediction (e.g. before absorption)
        by_bin[rows[i].bin].push_back(corrected ? values[i] * bin_pred[rows[i].bin] / rows[i].pred : values[i]);
    }
    std::vector<std::array<double, 3>> out(bins);
    for (int b = 0; b < bins; ++b) {
        std::sort(by_bin[b].begin(), by_bin[b].end());
        out[b] = {percentile_of_sorted(by_bin[b], 5), percentile_of_sorted(by_bin[b], 50),
                  percentile_of_sorted(by_bin[b], 95)};
    }
    return out;
}

}  // namespace

std::vector<VpcBin> visual_predictive_check(const FoceiProblem& problem, const std::vector<double>& x,
                                            const VpcSettings& settings) {
    int bins = 0;
    const std::vector<Row> rows = design_rows(problem, x, std::max(1, settings.bins), bins);
    std::vector<VpcBin> out(bins);
    std::vector<double> bin_pred(bins);
    for (int b = 0; b < bins; ++b) {
        std::vector<double> times, preds;
        for (const Row& r : rows)
            if (r.bin == b) {
                times.push_back(r.time);
                if (r.pred > 0.0) preds.push_back(r.pred);
            }
        std::sort(times.begin(), times.end());
        std::sort(preds.begin(), preds.end());
        out[b].time_low = times.front();
        out[b].time_high = times.back();
        out[b].time_median = percentile_of_sorted(times, 50);
        out[b].observations = static_cast<int>(times.size());
        bin_pred[b] = percentile_of_sorted(preds, 50);
    }
    const auto observed = bin_percentiles(rows, uncensored_values(problem.population()), bin_pred,
                                          settings.prediction_corrected, bins);
    std::vector<std::vector<std::array<double, 3>>> simulated(settings.replicates);
    parallel_for(settings.replicates, std::max(1, settings.threads), [&](int r) {
        const Population data = simulate_population(problem, x, settings.seed, static_cast<std::uint64_t>(r));
        std::vector<double> values;
        for (std::size_t i = 0, k = 0; i < data.subjects.size(); ++i)  // keep the design's uncensored rows
            for (std::size_t j = 0; j < data.subjects[i].observations.size(); ++j)
                if (!problem.population().subjects[i].observations[j].censored)
                    values.push_back(data.subjects[i].observations[j].value), ++k;
        simulated[r] = bin_percentiles(rows, values, bin_pred, settings.prediction_corrected, bins);
    });
    for (int b = 0; b < bins; ++b)
        for (int p = 0; p < 3; ++p) {
            std::vector<double> across;
            for (const auto& sim : simulated) across.push_back(sim[b][p]);
            std::sort(across.begin(), across.end());
            out[b].observed[p] = observed[b][p];
            out[b].simulated[p] = {percentile_of_sorted(across, 2.5), percentile_of_sorted(across, 50),
                                   percentile_of_sorted(across, 97.5)};
        }
    return out;
}

}  // namespace mobsim::nlme
