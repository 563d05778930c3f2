// The shipped components a model file may import by name (docs/model-files.md, "Imports"): sorafenib,
// plerixafor, filgrastim and gilteritinib. The composition of an importing file is a ComposedModel of the imported
// components followed by the file's own part, adapted to a component.
#pragma once
#include "sim/engine/component_import.hpp"

namespace mobsim::models {

const ComponentSource& builtin_components();

}  // namespace mobsim::models
