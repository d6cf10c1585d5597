// Error answers: the status per kind, and internal errors whose message
// never reaches the client (it may quote a row of the database, such as a
// staff member's id in an audit entry).
#include "http/error_response.h"

#include <gtest/gtest.h>

namespace vantage::http {
namespace {

TEST(ErrorResponse, InternalErrorsKeepTheirMessageOutOfTheAnswer) {
  Error error = Error::Internal(
      "audit append: ERROR: new row violates check constraint DETAIL: Failing row contains (385205369418285056, "
      "qz7cua_editor/1.0)");
  error.field = "actor_id";
  for (bool oauth : {false, true}) {
    Response response = ErrorResponse(error, oauth);
    EXPECT_EQ(response.status, 500);
    EXPECT_EQ(response.body.find("385205369418285056"), std::string::npos) << response.body;
    EXPECT_EQ(response.body.find("qz7c"), std::string::npos) << response.body;
    EXPECT_EQ(response.body.find("actor_id"), std::string::npos) << response.body;
    EXPECT_NE(response.body.find(R"("error":"Internal server error")"), std::string::npos) << response.body;
    EXPECT_NE(response.body.find(R"("code":"internal_error")"), std::string::npos) << response.body;
  }
}

TEST(ErrorResponse, OtherErrorsSayWhatIsWrong) {
  Response response = ErrorResponse(Error::Invalid("username", "username is too long", "too_long"));
  EXPECT_EQ(response.status, 422);
  EXPECT_EQ(response.body, R"({"error":"username is too long","code":"too_long","field":"username"})");
  response = ErrorResponse(Error::NotFound());
  EXPECT_EQ(response.status, 404);
  response = ErrorResponse(Error::Unavailable("The database is busy, try again", 3));
  EXPECT_EQ(response.status, 503);
  EXPECT_NE(response.body.find("The database is busy"), std::string::npos);
}

}  // namespace
}  // namespace vantage::http
