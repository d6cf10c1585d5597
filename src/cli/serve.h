#pragma once

#include <string>
#include <vector>

namespace vantage::cli {

int Serve(const std::vector<std::string>& args);
int Migrate(const std::vector<std::string>& args);
int Backup(const std::vector<std::string>& args);
int Admin(const std::vector<std::string>& args);
int MigrateData(const std::vector<std::string>& args);


}  // namespace vantage::cli
