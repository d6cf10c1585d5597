#include "http/cors.h"

namespace vantage::http {

bool CorsApplies(std::string_view path) {
  return path.starts_with("/api/") || path == "/oauth/token" || path == "/oauth/revoke" ||
         path.starts_with("/.well-known/");
}

Response CorsPreflight() {
  Response response;
  response.status = 200;  // with an empty body, as rack-cors answers (a 204 may carry no Content-Length)
  response.content_type = "text/plain; charset=utf-8";
  response.AddHeader("Access-Control-Allow-Origin", "*");
  response.AddHeader("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
  response.AddHeader("Access-Control-Allow-Headers", "Authorization, Content-Type, Idempotency-Key, Accept");
  response.AddHeader("Access-Control-Max-Age", "86400");
  return response;
}

void AddCorsHeaders(Response& response) {
  response.AddHeader("Access-Control-Allow-Origin", "*");
  response.AddHeader("Access-Control-Expose-Headers",
                     "Link, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After, X-Request-Id");
}

}  // namespace vantage::http
