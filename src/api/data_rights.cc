// What people can take with them and bring along (service/data_import.h).
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/api.h"
#include "api/params.h"
#include "service/data_import.h"

namespace vantage::api {

namespace json = boost::json;
using http::Request;
using http::Response;

void RegisterDataRightsRoutes(http::Router& router, ApiContext& ctx) {
  using http::Pool;

  // A Mastodon or Pixelfed following_accounts.csv: `data` as an uploaded
  // file (multipart/form-data) or as text, `type` following.
  router.Add("POST", "/api/vantage/v1/import", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:follows");
    if (!principal) return std::move(principal).error();
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    auto type = params->String("type", 50);
    if (!type) return std::move(type).error();
    if (type->value_or("following") != "following")
      return Error::Invalid("type", "type must be following (the list of accounts followed)");
    std::string data;
    if (const UploadedFile* file = params->File("data")) {
      data = file->data;
    } else {
      auto text = params->String("data", service::kMaxImportBytes);
      if (!text) return std::move(text).error();
      if (!*text) return Error::Invalid("data", "data is required (following_accounts.csv)", "missing_field");
      data = std::move(**text);
    }
    auto report = service::ImportFollowing(ctx.services, principal->account->id, data);
    if (!report) return std::move(report).error();
    json::object out;
    out["followed"] = report->followed;
    json::array problems;
    for (const service::ImportProblem& problem : report->problems)
      problems.push_back(json::object{{"address", problem.address}, {"reason", problem.reason}});
    out["problems"] = std::move(problems);
    return Json(out);
  }), Pool::kRemote);
}

}  // namespace vantage::api
