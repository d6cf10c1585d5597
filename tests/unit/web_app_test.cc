#include "api/web_files.h"

#include <gtest/gtest.h>

namespace vantage::api {

TEST(WebApp, AppRoutesAreThePagesOnly) {
  for (const char* path : {"/", "/explore", "/sign_in", "/sign_up", "/notifications", "/settings",
                           "/new", "/search", "/follow_requests", "/invitations", "/@alice", "/@alice/",
                           "/@alice/1234", "/@alice/followers", "/@alice/1234/likes", "/p/1234",
                           "/tags/caf%C3%A9", "/qa/1234"})
    EXPECT_TRUE(IsAppRoute(path)) << path;
  for (const char* path : {"/nope", "/@", "/@alice/1/2/3", "/api", "/tags", "/tags/a/b",
                           "/users/alice", "/statuses/1", "/app", "/media", "/qa",
                           "/qa/1/2"})
    EXPECT_FALSE(IsAppRoute(path)) << path;
}

TEST(WebApp, FallbackServesPagesAndAssetsAndLeavesOtherPathsNotFound) {
  http::Router router;
  router.Add("POST", "/auth/sign_in", [](http::Request&) { return http::Response{}; });
  RegisterWebRoutes(router, "");
  const EmbeddedWeb& web = EmbeddedWebFiles();
  ASSERT_FALSE(web.files.empty());

  auto run = [&](std::string method, std::string path) {
    http::Request request;
    request.method = method;
    request.path = path;
    auto match = router.Match(method, path);
    return match.route ? match.route->handler(request).status : (match.method_mismatch ? 405 : 404);
  };
  EXPECT_EQ(run("GET", "/@alice"), 200);
  EXPECT_EQ(run("GET", "/nope"), 404);
  EXPECT_EQ(run("POST", "/@alice"), 404);   // the fallback is for GET only
  EXPECT_EQ(run("GET", "/auth/sign_in"), 405);  // known paths keep their answer
  EXPECT_EQ(run("GET", "/app/" + std::string(web.version) + "/js/main.js"), 200);
  EXPECT_EQ(run("GET", "/app/" + std::string(web.version) + "/index.html"), 404);
  EXPECT_EQ(run("GET", "/app/" + std::string(web.version) + "/../CMakeLists.txt"), 404);
  EXPECT_EQ(run("GET", "/app/" + std::string(web.version) + "/js/%2e%2e/app.css"), 404);
  EXPECT_EQ(run("GET", "/app/" + std::string(web.version) + "/.hidden"), 404);
}

}  // namespace vantage::api
