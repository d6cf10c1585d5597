#pragma once

#include <string>
#include <vector>

namespace vantage::api {
struct ApiContext;
}  // namespace vantage::api
namespace vantage::federation {
class Federation;
}  // namespace vantage::federation
namespace vantage::http {
class Router;
}  // namespace vantage::http

namespace vantage::cli {

int Serve(const std::vector<std::string>& args);
int Migrate(const std::vector<std::string>& args);
int Backup(const std::vector<std::string>& args);
int Admin(const std::vector<std::string>& args);
int MigrateData(const std::vector<std::string>& args);
// vantage routes (cli/routes.cc): every registered METHOD PATTERN, a line each.
int Routes(const std::vector<std::string>& args);

// Every route `vantage serve` answers: the API's and the web app's.
void RegisterServerRoutes(http::Router& router, api::ApiContext& api, federation::Federation& federation,
                          const std::string& web_dir);

}  // namespace vantage::cli
