#include "api/params.h"

#include <gtest/gtest.h>

namespace vantage::api {

namespace {
http::Request Body(std::string content_type, std::string body, std::string query = "") {
  http::Request request;
  request.method = "POST";
  request.headers = {{"content-type", std::move(content_type)}};
  request.body = std::move(body);
  request.query = std::move(query);
  return request;
}
}  // namespace

TEST(Params, ReadsJsonWithTypes) {
  auto params = Params::From(Body("application/json", R"({"name":"x","flag":true,"n":5,"list":["a","b"]})"));
  ASSERT_TRUE(params);
  EXPECT_EQ(params->String("name").value().value(), "x");
  EXPECT_EQ(params->Bool("flag").value().value(), true);
  auto wrong = params->String("n");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().field, "n");
  EXPECT_EQ(params->StringList("list").value(), (std::vector<std::string>{"a", "b"}));
  EXPECT_FALSE(params->String("absent").value());
  auto missing = params->RequiredString("absent");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, "missing_field");
}

TEST(Params, ReadsFormsAndArrays) {
  auto params = Params::From(Body("application/x-www-form-urlencoded", "a=1+2&ids[]=3&ids[]=4&b=%C3%A9", "q=z"));
  ASSERT_TRUE(params);
  EXPECT_EQ(params->String("a").value().value(), "1 2");
  EXPECT_EQ(params->String("b").value().value(), "\xc3\xa9");
  EXPECT_EQ(params->String("q").value().value(), "z");
  EXPECT_EQ(params->StringList("ids").value(), (std::vector<std::string>{"3", "4"}));
}

TEST(Params, ReadsMultipart) {
  std::string body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\nalt text\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"\r\n"
      "Content-Type: image/jpeg\r\n\r\n\xff\xd8\xff\r\n--XyZ--\r\n";
  auto params = Params::From(Body("multipart/form-data; boundary=XyZ", body));
  ASSERT_TRUE(params);
  EXPECT_EQ(params->String("description").value().value(), "alt text");
  ASSERT_TRUE(params->File("file"));
  EXPECT_EQ(params->File("file")->data, "\xff\xd8\xff");
  EXPECT_EQ(params->File("file")->filename, "a.jpg");
}

TEST(Params, ReadsListsOfObjectsFromJsonAndForms) {
  using Objects = std::vector<std::map<std::string, std::string>>;
  auto json = Params::From(Body("application/json",
                                R"({"media_attributes":[{"id":"1","description":"a"},{"id":2,"description":"b","x":true}]})"));
  ASSERT_TRUE(json);
  EXPECT_EQ(json->ObjectList("media_attributes", {"id", "description"}).value(),
            (Objects{{{"id", "1"}, {"description", "a"}}, {{"id", "2"}, {"description", "b"}}}));
  auto form = Params::From(Body("application/x-www-form-urlencoded",
                                "media_attributes[][id]=1&media_attributes[][description]=a+b"
                                "&media_attributes[][id]=2&media_attributes[][description]=c"));
  ASSERT_TRUE(form);
  EXPECT_EQ(form->ObjectList("media_attributes", {"id", "description"}).value(),
            (Objects{{{"id", "1"}, {"description", "a b"}}, {{"id", "2"}, {"description", "c"}}}));
  EXPECT_TRUE(form->ObjectList("absent", {"id"}).value().empty());

  for (const char* bad : {R"({"m":"x"})", R"({"m":[1]})", R"({"m":[{"id":"1"}]})", R"({"m":[{"id":"1","description":false}]})"}) {
    auto params = Params::From(Body("application/json", bad));
    ASSERT_TRUE(params) << bad;
    auto list = params->ObjectList("m", {"id", "description"});
    ASSERT_FALSE(list) << bad;
    EXPECT_EQ(list.error().field, "m") << bad;
  }
  auto uneven = Params::From(Body("application/x-www-form-urlencoded", "m[][id]=1&m[][id]=2&m[][description]=x"));
  ASSERT_TRUE(uneven);
  EXPECT_FALSE(uneven->ObjectList("m", {"id", "description"}));
}

TEST(Params, RejectsBadBodiesWithCodes) {
  EXPECT_EQ(Params::From(Body("application/json", "{\"a\":")).error().code, "invalid_json");
  EXPECT_EQ(Params::From(Body("application/json", "[1]")).error().code, "invalid_json");
  EXPECT_EQ(Params::From(Body("application/json", "{\"a\":\"\xff\"}")).error().code, "invalid_encoding");
  EXPECT_EQ(Params::From(Body("application/x-www-form-urlencoded", "a=%ff")).error().code, "invalid_encoding");
  EXPECT_EQ(Params::From(Body("text/plain", "hello")).error().kind, ErrorKind::kUnsupported);
  EXPECT_EQ(Params::From(Body("multipart/form-data; boundary=b", "--b\r\nnothing")).error().code, "invalid_body");
  std::string deep(10000, '[');
  deep = "{\"a\":" + deep + std::string(10000, ']') + "}";
  EXPECT_EQ(Params::From(Body("application/json", deep)).error().code, "invalid_json");
}

TEST(Params, BoolsAcceptClientSpellings) {
  auto params = Params::From(Body("application/json", R"({"a":"true","b":"0","c":1,"d":"maybe","e":7})"));
  ASSERT_TRUE(params);
  EXPECT_TRUE(params->Bool("a").value().value());
  EXPECT_FALSE(params->Bool("b").value().value());
  EXPECT_TRUE(params->Bool("c").value().value());
  EXPECT_FALSE(params->Bool("d"));
  EXPECT_FALSE(params->Bool("e"));
}

}  // namespace vantage::api

namespace vantage::api {

TEST(Params, IntegersFromJsonOrText) {
  auto json = Params::From(Body("application/json", R"({"a":0,"b":-7,"c":"12","d":"","e":1.5,"f":"1e3","g":true})"));
  ASSERT_TRUE(json);
  EXPECT_EQ(json->Integer("a").value().value(), 0);
  EXPECT_EQ(json->Integer("b").value().value(), -7);
  EXPECT_EQ(json->Integer("c").value().value(), 12);
  EXPECT_FALSE(json->Integer("d").value());
  EXPECT_FALSE(json->Integer("absent").value());
  for (const char* bad : {"e", "f", "g"}) {
    auto refused = json->Integer(bad);
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(refused.error().field, bad);
  }
  auto form = Params::From(Body("application/x-www-form-urlencoded", "duration=0&n=x"));
  ASSERT_TRUE(form);
  EXPECT_EQ(form->Integer("duration").value().value(), 0);
  EXPECT_FALSE(form->Integer("n"));
}

}  // namespace vantage::api
