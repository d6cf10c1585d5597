// vantage routes: every route the server registers, one `METHOD PATTERN` a
// line, read from the router that `vantage serve` builds. Tests that must
// reach every endpoint (tests/api/canary.test.mjs) take their list from here,
// so a new route is never silently left out of them.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <system_error>

#include <unistd.h>

#include "api/api.h"
#include "api/web_files.h"
#include "cli/config.h"
#include "cli/serve.h"
#include "core/id.h"
#include "federation/federation.h"
#include "http/router.h"
#include "media/blob_store.h"
#include "service/media.h"
#include "store/sqlite/sqlite_database.h"
#include "store/store.h"

namespace vantage::cli {

void RegisterServerRoutes(http::Router& router, api::ApiContext& api, federation::Federation& federation,
                          const std::string& web_dir) {
  api::RegisterRoutes(router, api);
  // After the API's (its /@:name.atom comes before /@:name); the pages of
  // /@name are the web app's unless ActivityPub is asked for.
  federation.RegisterRoutes(router, [&router](http::Request& request) { return router.fallback()->handler(request); });
  api::RegisterWebRoutes(router, web_dir);
}

int Routes(const std::vector<std::string>& args) {
  if (!args.empty()) {
    bool help = args[0] == "--help" || args[0] == "-h";
    (help ? std::cout : std::cerr)
        << "Usage: vantage routes\n\nPrints every route the server registers, one `METHOD PATTERN` a line "
           "(`:name` is a path parameter), in registration order. The last line, `GET (fallback)`, "
           "stands for the web app's pages and files (docs/web.md).\n";
    return help ? 0 : 2;
  }
  // Handlers are only registered, never run, but they hold references to a
  // store and a media directory: an empty database in a temporary folder
  // stands in for the real one and is removed afterwards.
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::temp_directory_path(ec) /
                              ("vantage-routes-" + std::to_string(NowUnixMs()) + "-" +
                               std::to_string(::getpid()));
  if (ec || !std::filesystem::create_directories(dir, ec)) {
    std::cerr << "vantage routes: cannot create a temporary folder: " << ec.message() << "\n";
    return 1;
  }
  int code = 0;
  {
    store::SqliteOptions options;
    options.path = (dir / "vantage.db").string();
    options.synchronous_full = false;
    auto database = store::OpenSqlite(options);
    auto blobs = media::BlobStore::Open((dir / "media").string());
    if (!database || !blobs) {
      std::cerr << "vantage routes: "
                << (!database ? database.error().message : blobs.error().message) << "\n";
      code = 1;
    } else {
      Config config;
      std::unique_ptr<store::Store> store = store::MakeSqlStore(*database);
      service::ServiceContext services(*store, config.settings, kCliShard);
      api::ApiContext api{services};
      service::MediaContext media_context{services, **blobs, config.media};
      api.media = &media_context;
      http::Router router;
      federation::Federation federation(services, config.federation);
      RegisterServerRoutes(router, api, federation, "");
      for (const auto& route : router.routes())
        std::printf("%s %s\n", route->method.c_str(), route->pattern.c_str());
      (*database)->Close();
    }
  }
  std::filesystem::remove_all(dir, ec);
  return code;
}

}  // namespace vantage::cli
