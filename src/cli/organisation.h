// vantage admin create-organisation (cli/organisation.cc).
#pragma once

#include <string>
#include <vector>

namespace vantage::cli {

// The arguments after "create-organisation".
int CreateOrganisation(const std::vector<std::string>& args);

}  // namespace vantage::cli
