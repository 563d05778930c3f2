// Holds a model's metadata lists so concrete models only fill them in and write bind().
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "sim/engine/model.hpp"

namespace mobsim::models {

class ModelBase : public Model {
public:
    ModelBase(std::string name, std::string description) : name_(std::move(name)), description_(std::move(description)) {}
    std::string name() const override { return name_; }
    std::string description() const override { return description_; }
    const std::vector<StateInfo>& states() const override { return states_; }
    const std::vector<ParameterInfo>& parameters() const override { return parameters_; }
    const std::vector<CovariateInfo>& covariates() const override { return covariates_; }
    const std::vector<OutputInfo>& outputs() const override { return outputs_; }

protected:
    std::vector<StateInfo> states_;
    std::vector<ParameterInfo> parameters_;
    std::vector<CovariateInfo> covariates_;
    std::vector<OutputInfo> outputs_;

private:
    std::string name_, description_;
};

inline const CovariateInfo kWeight{"weight_kg", "kg", "body weight"};
inline const CovariateInfo kCreatinineClearance{"crcl_mL_min", "mL/min", "creatinine clearance"};

}  // namespace mobsim::models
