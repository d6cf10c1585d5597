// GET /api/v1/instance, /api/v2/instance, /healthz, /metrics, and the
// placeholder images account entities point to.
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "api/api.h"
#include "service/crypto.h"
#include "service/media.h"
#include "core/id.h"
#include "http/error_response.h"
#include "http/metrics.h"
#include "http/pool.h"

namespace vantage::api {

namespace json = boost::json;

namespace {

constexpr int64_t kInstanceTtlMs = 60 * 1000;
constexpr int kMaxCharacters = 2200;  // Instagram's caption limit
constexpr int kMaxMediaAttachments = 20;
constexpr int64_t kImageSizeLimit = 30 * 1024 * 1024;
constexpr int64_t kImageMatrixLimit = 50'000'000;

// A transparent 1x1 PNG, for accounts without an avatar or header.
constexpr unsigned char kBlankPng[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
    0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f,
    0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00,
    0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49,
    0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

json::array MimeTypes() { return {"image/jpeg", "image/png", "image/webp", "image/heic", "image/avif", "image/gif"}; }

std::string CompatVersion(const ApiContext& ctx) { return "4.2.0 (compatible; Vantage " + ctx.version + ")"; }

json::object V2(const ApiContext& ctx, int64_t users) {
  const service::Settings& s = ctx.services.settings;
  bool open = s.registrations != service::RegistrationMode::kClosed;
  json::object out;
  out["domain"] = s.domain;
  out["title"] = s.title;
  out["version"] = CompatVersion(ctx);
  out["source_url"] = s.base_url;
  out["description"] = "A Vantage photo-sharing instance";
  out["usage"] = json::object{{"users", json::object{{"active_month", users}}}};
  out["thumbnail"] = json::object{{"url", s.base_url + "/headers/original/missing.png"}};
  out["languages"] = json::array{"en"};
  out["registrations"] = json::object{
      {"enabled", open},
      {"approval_required", s.registrations == service::RegistrationMode::kApproval},
      {"message", nullptr}};
  out["contact"] = json::object{{"email", ""}, {"account", nullptr}};
  out["rules"] = json::array();
  out["api_versions"] = json::object{{"mastodon", 2}};
  json::object configuration;
  configuration["urls"] = json::object{{"streaming", nullptr}, {"status", nullptr}};
  configuration["accounts"] = json::object{{"max_featured_tags", 0}, {"max_pinned_statuses", 3}};
  configuration["statuses"] = json::object{{"max_characters", kMaxCharacters},
                                           {"max_media_attachments", kMaxMediaAttachments},
                                           {"characters_reserved_per_url", 23}};
  configuration["media_attachments"] =
      json::object{{"supported_mime_types", MimeTypes()},
                   {"image_size_limit", ctx.media ? static_cast<int64_t>(ctx.media->settings.max_upload_bytes)
                                                  : kImageSizeLimit},
                   {"image_matrix_limit", ctx.media ? static_cast<int64_t>(ctx.media->settings.max_pixels)
                                                    : kImageMatrixLimit},
                   {"video_size_limit", 0},
                   {"video_frame_rate_limit", 0},
                   {"video_matrix_limit", 0},
                   {"description_limit", 1500}};
  configuration["polls"] = json::object{{"max_options", 0},
                                        {"max_characters_per_option", 0},
                                        {"min_expiration", 0},
                                        {"max_expiration", 0}};
  configuration["translation"] = json::object{{"enabled", false}};
  out["configuration"] = std::move(configuration);
  return out;
}

json::object V1(const ApiContext& ctx, int64_t users) {
  const service::Settings& s = ctx.services.settings;
  json::object out;
  out["uri"] = s.domain;
  out["title"] = s.title;
  out["short_description"] = "A Vantage photo-sharing instance";
  out["description"] = "A Vantage photo-sharing instance";
  out["email"] = "";
  out["version"] = CompatVersion(ctx);
  out["urls"] = json::object{{"streaming_api", nullptr}};
  out["stats"] = json::object{{"user_count", users}, {"status_count", 0}, {"domain_count", 0}};
  out["thumbnail"] = s.base_url + "/headers/original/missing.png";
  out["languages"] = json::array{"en"};
  out["registrations"] = s.registrations != service::RegistrationMode::kClosed;
  out["approval_required"] = s.registrations == service::RegistrationMode::kApproval;
  out["invites_enabled"] = false;
  json::object configuration = V2(ctx, users)["configuration"].as_object();
  configuration.erase("urls");
  out["configuration"] = std::move(configuration);
  out["contact_account"] = nullptr;
  out["rules"] = json::array();
  return out;
}

// Serves the cached body; when it is stale, asks a pool thread to rebuild it
// and serves the old one meanwhile, so the I/O thread never waits.
http::Response ServeInstance(ApiContext& ctx, bool v2) {
  auto bodies = ctx.instance.Get();
  if ((!bodies || NowUnixMs() - bodies->built_at > kInstanceTtlMs) && ctx.db_pool &&
      !ctx.instance_refreshing.exchange(true)) {
    ctx.db_pool->Submit([&ctx] { RefreshInstance(ctx); ctx.instance_refreshing = false; },
                        [&ctx] { ctx.instance_refreshing = false; });
  }
  if (!bodies) {
    json::object fallback = v2 ? V2(ctx, 0) : V1(ctx, 0);
    return Json(fallback);
  }
  http::Response response;
  response.body = v2 ? bodies->v2 : bodies->v1;
  return response;
}

}  // namespace

void RefreshInstance(ApiContext& ctx) {
  auto users = ctx.services.store.accounts().CountLocal();
  auto bodies = std::make_shared<InstanceCache::Bodies>();
  int64_t count = users ? *users : 0;
  bodies->v1 = json::serialize(V1(ctx, count));
  bodies->v2 = json::serialize(V2(ctx, count));
  bodies->built_at = users ? NowUnixMs() : 0;
  ctx.instance.Set(std::move(bodies));
}

namespace {

bool IsLoopback(std::string_view ip) {
  return ip.starts_with("127.") || ip == "::1" || ip.starts_with("::ffff:127.");
}

// A client on this machine (a scraper beside the server, or the proxy in
// front of it asking for itself), or one with the metrics token.
bool MetricsAllowed(const ApiContext& ctx, const http::Request& request) {
  if (IsLoopback(request.remote_ip)) return true;
  if (ctx.metrics_token.empty()) return false;
  std::string_view authorization = request.Header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (!authorization.starts_with(kBearer)) return false;
  return service::ConstantTimeEquals(authorization.substr(kBearer.size()), ctx.metrics_token);
}

}  // namespace

void RegisterInstanceRoutes(http::Router& router, ApiContext& ctx) {
  using http::Pool;
  router.Add("GET", "/healthz", [](http::Request&) {
    http::Response response;
    response.body = R"({"status":"ok"})";
    return response;
  }, Pool::kInline);
  router.Add("GET", "/metrics", [&ctx](http::Request& request) {
    // Anyone else is told nothing is here (docs/operations.md, Metrics).
    if (!MetricsAllowed(ctx, request)) return http::ErrorResponse(Error::NotFound());
    http::Response response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    if (ctx.metrics) response.body = ctx.metrics->Render();
    return response;
  }, Pool::kInline);
  router.Add("GET", "/api/v1/instance", [&ctx](http::Request&) { return ServeInstance(ctx, false); },
             Pool::kInline);
  router.Add("GET", "/api/v2/instance", [&ctx](http::Request&) { return ServeInstance(ctx, true); },
             Pool::kInline);
  auto blank = [](http::Request&) {
    http::Response response;
    response.content_type = "image/png";
    response.body.assign(reinterpret_cast<const char*>(kBlankPng), sizeof kBlankPng);
    response.AddHeader("Cache-Control", "public, max-age=31536000, immutable");
    return response;
  };
  router.Add("GET", "/avatars/original/missing.png", blank, Pool::kInline);
  router.Add("GET", "/headers/original/missing.png", blank, Pool::kInline);
}

}  // namespace vantage::api
