// The trial model's cell traffic: seven marker-defined leukemic populations move between the marrow niche (bound),
// the free marrow pool and the blood. Retention along three adhesion axes sets the niche release; G-CSF's ligand
// erosion (the niche component's ports), plerixafor's CXCR4 occupancy and a FLT3 inhibitor's kill act on it.
#include "models/aml_cells.hpp"

namespace mobsim::models::aml {

using namespace cells;  // the component's tables and class (models/aml_cells.hpp)

ComponentDeclaration cells_component(const std::string& flt3_inhibitor) {
    ComponentDeclaration d{"cells", {}, parameter_infos(kCellParameters), {kWeight}, std::vector<std::string>(kPorts),
                           std::vector<std::string>(kInputs), {}, bind_component<CellsComponent>};
    d.assigns_derivatives = CellsComponent::assigns_derivatives;
    for (int j = 0; j < kPopulations; ++j)
        d.parameters.push_back({"blood0_" + kPopulationIds[j], kBaselineBlood[j], "cells/uL",
                                "pre-treatment blood count of " + kPopulationIds[j],
                                "assumption: scales counts only; fold changes do not depend on it", 1e-6, 1e7});
    for (int a = 0; a < kAxes; ++a) d.covariates.push_back({kExpression[a], "1", kExpressionMeaning[a]});
    check_indices(d.covariates, kExpressionCovariate + kAxes, {{kWeightCovariate, "weight_kg"},
                  {kExpressionCovariate, kExpression[0]}, {kExpressionCovariate + 1, kExpression[1]},
                  {kExpressionCovariate + 2, kExpression[2]}}, "cell traffic covariates");
    const char* pools[3] = {"_bound", "_free", "_blood"};
    const char* meanings[3] = {" cells held in the marrow niche", " cells free in the marrow, not held", " cells in the blood"};
    for (int pool = 0; pool < 3; ++pool)
        for (const auto& id : kPopulationIds) {
            d.states.push_back({{id + pools[pool], "cells", id + meanings[pool]}});
            d.states.back().info.tolerance_scale = kCellTolerance;
        }
    for (int a = 0; a < kAxes; ++a) d.inputs[kLigandInput + a] = "niche." + std::string(kLigands[a]);
    d.inputs[kOccupancyInput] = "plerixafor.cxcr4_occupancy";
    d.inputs[kInhibitionInput] = flt3_inhibitor + ".flt3_inhibition";
    std::vector<OutputInfo> outputs(kPorts);
    outputs[kOccupancyPort] = {"cxcr4_occupancy", "1", "fraction of CXCR4 blocked by plerixafor"};
    outputs[kInhibitionPort] = {"flt3_inhibition", "1", "fraction of FLT3-ITD signalling inhibited by " + flt3_inhibitor};
    for (int j = 0; j < kPopulations; ++j) {
        const std::string& id = kPopulationIds[j];
        outputs[population_port(j, kBloodPerUl)] = {"blood_" + id, "/uL", id + " cells per uL of blood"};
        outputs[population_port(j, kMarrow)] = {"marrow_" + id, "cells", id + " cells in the marrow (bound + free)"};
        outputs[population_port(j, kFold)] = {"fold_" + id, "1", "blood count relative to pre-treatment"};
        outputs[population_port(j, kRatio)] = {"ratio_" + id, "1", "blood/marrow ratio relative to pre-treatment"};
    }
    outputs[kBlastPctPort] = {"marrow_blast_pct", "%", "blasts as a percentage of marrow cells"};
    outputs[kResponsePort] = {"marrow_response_index", "1",
                              "below 1 when the marrow meets CR/CRp/CRi (blasts < 5%) or PR (5-25% and halved from entry)"};
    for (int i = 0; i < kPorts; ++i) {
        d.ports[i] = outputs[i].name;
        d.outputs.push_back({outputs[i], outputs[i].name});
    }
    return d;
}

}  // namespace mobsim::models::aml
