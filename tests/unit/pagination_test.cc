#include "api/pagination.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace vantage::api {
namespace {

http::Request Get(std::string path, std::string query) {
  http::Request request;
  request.method = "GET";
  request.path = std::move(path);
  request.query = std::move(query);
  return request;
}

TEST(Pagination, DefaultsAndClamping) {
  auto page = ParsePage(Get("/x", ""), 20, 40);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->limit, 20);
  EXPECT_EQ(page->above, 0);
  EXPECT_FALSE(page->from_above);
  EXPECT_EQ(ParsePage(Get("/x", "limit=500"), 20, 40)->limit, 40);
  EXPECT_EQ(ParsePage(Get("/x", "limit=0"), 20, 40)->limit, 1);
  EXPECT_EQ(ParsePage(Get("/x", "limit=-3"), 20, 40)->limit, 1);
}

TEST(Pagination, CursorsAndTheirErrors) {
  auto page = ParsePage(Get("/x", "max_id=100&since_id=5"), 20, 40);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->below, 100);
  EXPECT_EQ(page->above, 5);
  EXPECT_FALSE(page->from_above);
  auto min = ParsePage(Get("/x", "since_id=5&min_id=7"), 20, 40);
  ASSERT_TRUE(min);
  EXPECT_EQ(min->above, 7);
  EXPECT_TRUE(min->from_above);
  for (const char* bad : {"max_id=abc", "since_id=1x", "min_id=-4", "limit=ten", "limit=5.5"}) {
    auto refused = ParsePage(Get("/x", bad), 20, 40);
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(refused.error().kind, ErrorKind::kInvalid) << bad;
    EXPECT_EQ(std::string(bad).substr(0, refused.error().field.size()), refused.error().field) << bad;
  }
}

TEST(Pagination, LinkHeaderKeepsOtherParameters) {
  http::Response response;
  AddLinkHeader("https://v.example", Get("/api/v1/timelines/public", "only_media=true&max_id=90&limit=5"),
                response, 80, 60);
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].first, "Link");
  EXPECT_EQ(response.headers[0].second,
            "<https://v.example/api/v1/timelines/public?only_media=true&limit=5&max_id=60>; rel=\"next\", "
            "<https://v.example/api/v1/timelines/public?only_media=true&limit=5&min_id=80>; rel=\"prev\"");
  http::Response empty;
  AddLinkHeader("https://v.example", Get("/x", ""), empty, std::nullopt, std::nullopt);
  EXPECT_TRUE(empty.headers.empty());
}

// Regression: Link headers copied the raw query string, so a parameter
// holding '>', ';' and ',' added a second rel="next" pointing elsewhere.
TEST(Pagination, LinkHeaderReEncodesParametersSoNoneAddsALink) {
  http::Response response;
  AddLinkHeader("https://v.example",
                Get("/api/v1/timelines/public",
                    "x=%3E%3Brel%3D%22next%22%2C%3Chttps%3A%2F%2Fevil.example%2Fx&y=>;rel=\"next\",<https://evil.example/y"
                    "&types[]=mention&bad=%zz&q=caf%C3%A9+noir"),
                response, 80, 60);
  ASSERT_EQ(response.headers.size(), 1u);
  const std::string& link = response.headers[0].second;
  EXPECT_EQ(link,
            "<https://v.example/api/v1/timelines/public?x=%3E%3Brel%3D%22next%22%2C%3Chttps%3A%2F%2Fevil.example%2Fx&"
            "y=%3E%3Brel%3D%22next%22%2C%3Chttps%3A%2F%2Fevil.example%2Fy&types%5B%5D=mention&q=caf%C3%A9%20noir&"
            "max_id=60>; rel=\"next\", "
            "<https://v.example/api/v1/timelines/public?x=%3E%3Brel%3D%22next%22%2C%3Chttps%3A%2F%2Fevil.example%2Fx&"
            "y=%3E%3Brel%3D%22next%22%2C%3Chttps%3A%2F%2Fevil.example%2Fy&types%5B%5D=mention&q=caf%C3%A9%20noir&"
            "min_id=80>; rel=\"prev\"");
  // Exactly two links, each one URL in angle brackets.
  EXPECT_EQ(std::count(link.begin(), link.end(), '<'), 2);
  EXPECT_EQ(std::count(link.begin(), link.end(), '>'), 2);
  EXPECT_EQ(link.find("evil.example/"), std::string::npos);
}

}  // namespace
}  // namespace vantage::api
