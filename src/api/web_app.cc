// Serves the web app: the page for every app route, and its files.
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <unordered_map>

#include "api/web_files.h"
#include "core/text.h"
#include "http/error_response.h"
#include "http/router.h"

namespace vantage::api {

using http::Request;
using http::Response;

namespace {

constexpr std::string_view kAssetPrefix = "/app/";

// No inline script or style anywhere in the app; images are the server's own
// files, blurhash canvases and local previews of photos being posted (blob:).
constexpr std::string_view kPagePolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
    "connect-src 'self'; font-src 'self'; media-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

struct File {
  std::string body;
  std::string content_type;
  std::string etag;  // quoted
};

std::string ContentTypeOf(std::string_view path) {
  auto ends = [&](std::string_view ext) { return path.ends_with(ext); };
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".json")) return "application/json; charset=utf-8";
  return "application/octet-stream";
}

// FNV-1a, for files read from disk in development (the embedded ones carry
// the SHA-1 computed at build time).
std::string Quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  out.append(text);
  out.push_back('"');
  return out;
}

std::string QuickHash(std::string_view bytes) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  std::ostringstream out;
  out << std::hex << h;
  return out.str();
}

// Relative file names are plain: letters, digits, '-', '_', '.', and '/'
// between names, no name starting with a dot (so no "..", no hidden files).
bool SafeRelativePath(std::string_view path) {
  if (path.empty() || path.size() > 200) return false;
  bool name_start = true;
  for (char c : path) {
    if (c == '/') {
      if (name_start) return false;
      name_start = true;
      continue;
    }
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || c == '.';
    if (!plain || (name_start && c == '.')) return false;
    name_start = false;
  }
  return !name_start;
}

class WebFiles {
 public:
  explicit WebFiles(std::string dir) : dir_(std::move(dir)) {
    if (!dir_.empty()) {
      version_ = "dev";
      return;
    }
    const EmbeddedWeb& web = EmbeddedWebFiles();
    version_ = std::string(web.version);
    for (const EmbeddedWebFile& f : web.files)
      files_[std::string(f.path)] = File{std::string(f.body), ContentTypeOf(f.path),
                                         Quoted(f.sha1)};
    if (auto it = files_.find("index.html"); it != files_.end()) Stamp(it->second);
  }

  const std::string& version() const { return version_; }
  bool development() const { return !dir_.empty(); }

  std::shared_ptr<const File> Find(const std::string& relative) const {
    if (!SafeRelativePath(relative)) return nullptr;
    if (dir_.empty()) {
      auto it = files_.find(relative);
      if (it == files_.end()) return nullptr;
      return std::shared_ptr<const File>(std::shared_ptr<const File>(), &it->second);
    }
    std::string path = dir_ + "/" + relative;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return nullptr;
    std::ifstream in(path, std::ios::binary);
    if (!in) return nullptr;
    std::ostringstream buffer;
    buffer << in.rdbuf();
    auto file = std::make_shared<File>();
    file->body = buffer.str();
    file->content_type = ContentTypeOf(relative);
    file->etag = Quoted(QuickHash(file->body));
    if (relative == "index.html") Stamp(*file);
    return file;
  }

 private:
  // index.html names its assets /app/%VERSION%/...: the current version makes
  // them cacheable for good, since any change gives them new URLs.
  void Stamp(File& file) const {
    std::string out;
    std::string_view body = file.body;
    constexpr std::string_view kMark = "%VERSION%";
    for (size_t pos; (pos = body.find(kMark)) != std::string_view::npos;) {
      out.append(body.substr(0, pos));
      out.append(version_);
      body.remove_prefix(pos + kMark.size());
    }
    out.append(body);
    file.body = std::move(out);
    file.etag = Quoted(QuickHash(file.body));
  }

  std::string dir_;
  std::string version_;
  std::unordered_map<std::string, File> files_;
};


Response Serve(const Request& request, const File& file, std::string cache_control) {
  Response response;
  response.content_type = file.content_type;
  // (X-Content-Type-Options: nosniff is on every response already.)
  response.AddHeader("Referrer-Policy", "same-origin");
  response.AddHeader("ETag", file.etag);
  response.AddHeader("Cache-Control", std::move(cache_control));
  if (file.content_type.starts_with("text/html")) {
    response.AddHeader("Content-Security-Policy", std::string(kPagePolicy));
    response.AddHeader("X-Frame-Options", "DENY");
  }
  std::string_view match = request.Header("if-none-match");
  if (!match.empty() && (match == file.etag || match == "W/" + file.etag)) {
    response.status = 304;
    return response;
  }
  response.body = file.body;
  return response;
}

Response NotFound(const Request& request) {
  return http::ErrorResponse(Error::NotFound("No route matches " + request.path.substr(0, 200)));
}

}  // namespace

bool IsAppRoute(std::string_view path) {
  std::vector<std::string_view> parts = http::PathSegments(path);
  if (parts.empty()) return true;
  std::string_view first = parts[0];
  if (first.size() > 1 && first.front() == '@') return parts.size() <= 3;
  // The staff console: /console, /console/:org and its pages (at most
  // /console/:org/drafts/:id).
  if (first == "console") return parts.size() <= 4;
  if (parts.size() == 1)
    return first == "explore" || first == "notifications" || first == "settings" ||
           first == "sign_in" || first == "sign_up" || first == "new" || first == "search" ||
           first == "follow_requests" || first == "invitations" || first == "forgot_password" ||
           first == "reset_password" || first == "confirm_email";
  if (parts.size() == 2) return first == "p" || first == "tags" || first == "settings" || first == "qa";
  return false;
}

void RegisterWebRoutes(http::Router& router, std::string web_dir) {
  auto files = std::make_shared<const WebFiles>(std::move(web_dir));
  router.SetFallback("GET", [files](Request& request) -> Response {
    std::string_view path = request.path;
    if (path.starts_with(kAssetPrefix)) {
      // /app/VERSION/FILE. Another version is an older or newer page asking:
      // it gets today's file, revalidated on every use.
      std::string_view rest = path.substr(kAssetPrefix.size());
      size_t slash = rest.find('/');
      if (slash == std::string_view::npos) return NotFound(request);
      std::string_view version = rest.substr(0, slash);
      auto decoded = PercentDecode(rest.substr(slash + 1), false);
      if (!decoded || *decoded == "index.html") return NotFound(request);
      auto file = files->Find(*decoded);
      if (!file) return NotFound(request);
      bool current = !files->development() && version == files->version();
      return Serve(request, *file, current ? "public, max-age=31536000, immutable" : "no-cache");
    }
    if (!IsAppRoute(path)) return NotFound(request);
    auto page = files->Find("index.html");
    if (!page) return NotFound(request);
    return Serve(request, *page, "no-cache");
  });
}

}  // namespace vantage::api
