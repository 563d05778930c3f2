// Near-match suggestions for misspelt names.
#pragma once
#include <string>
#include <vector>

namespace mobsim {

std::size_t edit_distance(const std::string& a, const std::string& b);
// "; did you mean 'x'?" for the closest candidate within a sensible distance, else "".
std::string did_you_mean(const std::string& given, const std::vector<std::string>& candidates);
std::string join(const std::vector<std::string>& items, const std::string& separator);

}  // namespace mobsim
