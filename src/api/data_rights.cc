// What people can take with them and bring along (service/data_export.h,
// service/data_import.h).
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/api.h"
#include "api/params.h"
#include "core/id.h"
#include "core/text.h"
#include "service/data_export.h"
#include "service/data_import.h"

namespace vantage::api {

namespace json = boost::json;
using http::Request;
using http::Response;

namespace {

json::value TimeOrNull(const std::optional<int64_t>& t) {
  return t ? json::value(FormatIsoTime(*t)) : json::value(nullptr);
}

json::object ExportJson(const ApiContext& ctx, const store::AccountExport& e) {
  bool ready = e.state == store::ExportState::kReady;
  std::string url = ctx.services.settings.base_url + "/api/vantage/v1/exports/" + std::to_string(e.id) + "/archive";
  return json::object{{"id", std::to_string(e.id)},
                      {"state", store::ExportStateName(e.state)},
                      {"requested_at", FormatIsoTime(e.requested_at)},
                      {"completed_at", TimeOrNull(e.completed_at)},
                      {"expires_at", TimeOrNull(e.expires_at)},
                      {"size_bytes", e.size_bytes},
                      {"url", ready ? json::value(url) : json::value(nullptr)}};
}

service::ExportAsker AskerOf(const service::Principal& principal) {
  service::ExportAsker asker{principal.account->id, std::nullopt};
  if (principal.acting_staff) asker.staff_id = principal.acting_staff->id;
  return asker;
}

}  // namespace

void RegisterDataRightsRoutes(http::Router& router, ApiContext& ctx) {
  using http::Pool;

  // An archive of everything the account holds (one a day), built in the
  // background: 202 with it pending; the notification and the e-mail say
  // when it is ready.
  router.Add("POST", "/api/vantage/v1/export", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:accounts");
    if (!principal) return std::move(principal).error();
    auto requested = service::RequestExport(ctx.services, AskerOf(*principal));
    if (!requested) return std::move(requested).error();
    return Json(ExportJson(ctx, *requested), 202);
  }));

  // The account's archives, newest first (expired ones are gone). Reading
  // them needs the whole read scope: they hold everything.
  router.Add("GET", "/api/vantage/v1/exports", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "read");
    if (!principal) return std::move(principal).error();
    auto list = service::ListExports(ctx.services, AskerOf(*principal));
    if (!list) return std::move(list).error();
    json::array out;
    for (const store::AccountExport& e : *list) out.push_back(ExportJson(ctx, e));
    return Json(out);
  }));

  router.Add("GET", "/api/vantage/v1/exports/:id/archive", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "read");
    if (!principal) return std::move(principal).error();
    auto id = ParseId(request.path_params[0]);
    if (!id) return Error::NotFound("No such archive, or it expired: ask for a new one");
    auto archive = service::ReadExport(*ctx.exports, AskerOf(*principal), *id);
    if (!archive) return std::move(archive).error();
    Response response;
    response.content_type = "application/zip";
    response.body = std::move(archive->bytes);
    response.AddHeader("Content-Disposition", "attachment; filename=\"" + archive->file_name + "\"");
    response.AddHeader("Cache-Control", "private, no-store");
    return response;
  }), Pool::kRemote);

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
