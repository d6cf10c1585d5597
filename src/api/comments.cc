// Comment controls: /api/vantage/v1/statuses/:id/held_comments, and
// approve, hide, unhide, pin_comment and unpin_comment of a comment. The
// post's author, or an organisation's owners and moderators acting as it
// (Vantage-Act-As), moderate the comments under their posts
// (service/comments.h). Reports (reports.cc) are registered with them.
// /api/vantage/v1/hidden_words: the account's hidden words
// (service/hidden_words.h).
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <functional>

#include "api/api.h"
#include "api/params.h"
#include "api/status_json.h"
#include "service/comments.h"
#include "service/hidden_words.h"
#include "service/organisations.h"

namespace vantage::api {

namespace json = boost::json;

using http::Request;
using http::Response;

namespace {

service::CommentModerator ModeratorOf(const service::Principal& principal, const Request& request) {
  service::CommentModerator moderator;
  moderator.account_id = principal.account->id;
  if (principal.acting_staff) moderator.staff_id = principal.acting_staff->id;
  moderator.ip = request.remote_ip;
  return moderator;
}

json::object HiddenWordsJson(const service::HiddenWords& list) {
  json::object out;
  json::array words;
  for (const std::string& word : list.words) words.emplace_back(word);
  out["words"] = std::move(words);
  out["use_default"] = list.use_default;
  json::array defaults;
  for (const std::string& word : service::DefaultHiddenWords()) defaults.emplace_back(word);
  out["default_words"] = std::move(defaults);
  return out;
}

}  // namespace

void RegisterReportRoutes(http::Router& router, ApiContext& ctx);  // reports.cc

void RegisterCommentRoutes(http::Router& router, ApiContext& ctx) {
  RegisterReportRoutes(router, ctx);
  router.Add("GET", "/api/vantage/v1/statuses/:id/held_comments", Wrap([&ctx](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "read:statuses");
    if (!principal) return std::move(principal).error();
    auto id = PathId(request);
    if (!id) return std::move(id).error();
    auto held = service::HeldComments(ctx.services, *id, ModeratorOf(*principal, request));
    if (!held) return std::move(held).error();
    return StatusesResponse(ctx, *held, principal->account->id);
  }));

  // POST /api/vantage/v1/statuses/:id/<action> on a comment under the caller's post.
  using Moderation =
      std::function<Result<store::Post>(const Request&, int64_t id, const service::CommentModerator&)>;
  auto moderate = [&ctx](Moderation action) {
    return Wrap([&ctx, action](Request& request) -> Result<Response> {
      auto principal = Authorize(ctx, request, "write:statuses");
      if (!principal) return std::move(principal).error();
      auto id = PathId(request);
      if (!id) return std::move(id).error();
      auto comment = action(request, *id, ModeratorOf(*principal, request));
      if (!comment) return std::move(comment).error();
      auto body = StatusJson(ctx, *comment, principal->account->id);
      if (!body) return std::move(body).error();
      return Json(*body);
    });
  };
  using Action = Result<store::Post> (*)(service::ServiceContext&, int64_t, const service::CommentModerator&);
  auto plain = [&ctx, moderate](Action action) {
    return moderate([&ctx, action](const Request&, int64_t id, const service::CommentModerator& moderator) {
      return action(ctx.services, id, moderator);
    });
  };
  // The approval names the version read: `edited_at` as the held list showed
  // it (absent or null for a comment never edited).
  router.Add("POST", "/api/vantage/v1/statuses/:id/approve",
             moderate([&ctx](const Request& request, int64_t id,
                             const service::CommentModerator& moderator) -> Result<store::Post> {
               auto params = Params::From(request);
               if (!params) return std::move(params).error();
               auto edited_at = params->String("edited_at", 40);
               if (!edited_at) return std::move(edited_at).error();
               return service::ApproveComment(ctx.services, id, moderator, edited_at->value_or(""));
             }));
  router.Add("POST", "/api/vantage/v1/statuses/:id/hide", plain(&service::HideComment));
  router.Add("POST", "/api/vantage/v1/statuses/:id/unhide", plain(&service::UnhideComment));
  router.Add("POST", "/api/vantage/v1/statuses/:id/pin_comment", plain(&service::PinComment));
  router.Add("POST", "/api/vantage/v1/statuses/:id/unpin_comment", plain(&service::UnpinComment));

  // Organisations' hidden words are read and set by their moderators and
  // owners acting as them; moderators may only be checked as staff when
  // acting, so the role check is made here.
  auto staff_may = [&ctx](const service::Principal& principal) -> Status {
    if (!principal.acting_staff) return Ok();
    auto roles = service::AuthorizeStaff(ctx.services, principal.account->id, principal.acting_staff->id,
                                         service::StaffAction::kModerateComments);
    if (!roles) return std::move(roles).error();
    return Ok();
  };

  router.Add("GET", "/api/vantage/v1/hidden_words", Wrap([&ctx, staff_may](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "read:filters");
    if (!principal) return std::move(principal).error();
    VANTAGE_TRY(staff_may(*principal));
    auto list = service::ReadHiddenWords(ctx.services, principal->account->id);
    if (!list) return std::move(list).error();
    return Json(HiddenWordsJson(*list));
  }));

  router.Add("PUT", "/api/vantage/v1/hidden_words", Wrap([&ctx, staff_may](Request& request) -> Result<Response> {
    auto principal = Authorize(ctx, request, "write:filters");
    if (!principal) return std::move(principal).error();
    VANTAGE_TRY(staff_may(*principal));
    auto params = Params::From(request);
    if (!params) return std::move(params).error();
    // Fields not sent keep their values.
    std::optional<std::vector<std::string>> words;
    if (params->Has("words")) {
      auto sent = params->StringList("words", 10 * service::kMaxHiddenWords);
      if (!sent) return std::move(sent).error();
      words = std::move(*sent);
    }
    auto use_default = params->Bool("use_default");
    if (!use_default) return std::move(use_default).error();
    auto written = service::WriteHiddenWords(ctx.services, principal->account->id, words, *use_default);
    if (!written) return std::move(written).error();
    return Json(HiddenWordsJson(*written));
  }));
}

}  // namespace vantage::api
