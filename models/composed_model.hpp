// A model composed of components (models/component.hpp): lays out their states and parameters in declaration
// order, merges covariates by name, applies dose rules by state, reports declared linear blocks and feeds each
// component's inputs from the named ports of the others. The composition is checked once, when it is built.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "models/component.hpp"
#include "models/model_base.hpp"

namespace mobsim::models {

struct ComposedWiring;

// Binds one patient's system from the wiring (models/static_composition.hpp makes one per list of component types).
using ComposedSystemBinder = std::unique_ptr<OdeSystem> (*)(std::shared_ptr<const ComposedWiring> wiring,
                                                            const std::vector<double>& params,
                                                            const std::vector<double>& covariates);

class ComposedModel : public ModelBase {
public:
    // `outputs`: the model's outputs, names of the components' declared outputs in the order the model reports
    // them (the others are left out); empty: every declared output, in declaration order.
    // Throws std::logic_error naming the culprit when a component, state, parameter, port or output name is
    // duplicated, an input names a missing port or one of a component declared later, a covariate is declared
    // twice with different units, an output names a missing port or is not declared, or a linear block's states
    // are not contiguous.
    // `bind_system`: binds the system instead of the generic ComposedSystem (null: the generic one).
    ComposedModel(std::string name, std::string description, std::vector<ComponentDeclaration> components,
                  const std::vector<std::string>& outputs = {}, ComposedSystemBinder bind_system = nullptr);
    std::unique_ptr<OdeSystem> bind(const std::vector<double>& params,
                                    const std::vector<double>& covariates) const override;

private:
    std::shared_ptr<const ComposedWiring> wiring_;  // shared with every bound system
    ComposedSystemBinder bind_system_ = nullptr;
};

}  // namespace mobsim::models
