// Writing NONMEM-format datasets: a scenario's regimens as dose records.
#pragma once
#include <map>
#include <string>

#include "sim/engine/simulation.hpp"

namespace mobsim {

// The problem's regimens as one subject's dataset (CSV: ID, TIME, EVID, AMT, CMT, RATE, II, ADDL, SS, MDV and
// the patient's covariates). Doses are given in the target state's unit with the regimen's bioavailability
// folded into AMT and its lag into TIME; a run of doses whose times are start + k * interval to the last bit
// becomes one record with ADDL and II, other doses explicit records; a steady_state regimen's first dose
// gets SS 1. Simulating the result with the same scenario reproduces the regimens' run bit for bit when the
// model's bioavailability of an infused state is 1 and no two regimens dose one state at one time.
// Throws InputError for a regimen with no dataset equivalent (a steady state not starting at 0).
std::string regimens_to_dataset(const Problem& problem, const std::map<std::string, double>& patient,
                                const std::string& id = "1");

}  // namespace mobsim
