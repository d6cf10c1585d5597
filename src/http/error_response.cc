#include "http/error_response.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace vantage::http {

int StatusFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kBadRequest: return 400;
    case ErrorKind::kInvalid: return 422;
    case ErrorKind::kUnauthorized: return 401;
    case ErrorKind::kForbidden: return 403;
    case ErrorKind::kNotFound: return 404;
    case ErrorKind::kMethodNotAllowed: return 405;
    case ErrorKind::kTimeout: return 408;
    case ErrorKind::kConflict: return 409;
    case ErrorKind::kHeadersTooLarge: return 431;
    case ErrorKind::kTooLarge: return 413;
    case ErrorKind::kUnsupported: return 415;
    case ErrorKind::kRateLimited: return 429;
    case ErrorKind::kUnavailable: return 503;
    case ErrorKind::kBadGateway: return 502;
    case ErrorKind::kInternal: return 500;
  }
  return 500;
}

Response ErrorResponse(const Error& error, bool oauth) {
  // An internal error's message is for the server's log (handlers log it with
  // the request id): it may quote SQL, rows, ids or paths, none of which is
  // the client's business.
  bool internal = error.kind == ErrorKind::kInternal;
  std::string message = internal ? "Internal server error" : error.message.empty() ? "Error" : error.message;
  boost::json::object body;
  body["error"] = message;
  body["code"] = internal ? "internal_error" : error.code.empty() ? "error" : error.code;
  if (!error.field.empty() && !internal) body["field"] = error.field;
  if (oauth) body["error_description"] = message;
  Response response;
  response.status = StatusFor(error.kind);
  response.body = boost::json::serialize(body);
  if (error.kind == ErrorKind::kRateLimited || error.kind == ErrorKind::kUnavailable)
    response.AddHeader("Retry-After", std::to_string(error.retry_after < 1 ? 1 : error.retry_after));
  return response;
}

}  // namespace vantage::http
