#include "core/error.h"

namespace vantage {

Error Error::BadRequest(std::string code, std::string message, std::string field) {
  return {ErrorKind::kBadRequest, std::move(code), std::move(message), std::move(field)};
}
Error Error::Invalid(std::string field, std::string message, std::string code) {
  return {ErrorKind::kInvalid, std::move(code), std::move(message), std::move(field)};
}
Error Error::Unauthorized(std::string message, std::string code) {
  return {ErrorKind::kUnauthorized, std::move(code), std::move(message)};
}
Error Error::Forbidden(std::string message, std::string code) {
  return {ErrorKind::kForbidden, std::move(code), std::move(message)};
}
Error Error::NotFound(std::string message, std::string code) {
  return {ErrorKind::kNotFound, std::move(code), std::move(message)};
}
Error Error::Conflict(std::string code, std::string message, std::string field) {
  return {ErrorKind::kConflict, std::move(code), std::move(message), std::move(field)};
}
Error Error::TooLarge(std::string message, std::string field) {
  return {ErrorKind::kTooLarge, "too_large", std::move(message), std::move(field)};
}
Error Error::RateLimited(int retry_after_seconds) {
  return {ErrorKind::kRateLimited, "rate_limited", "Too many requests, try again later", {},
          retry_after_seconds < 1 ? 1 : retry_after_seconds};
}
Error Error::BadGateway(std::string message, std::string field, std::string code) {
  return {ErrorKind::kBadGateway, std::move(code), std::move(message), std::move(field)};
}

Error Error::Unavailable(std::string message, int retry_after_seconds) {
  return {ErrorKind::kUnavailable, "unavailable", std::move(message), {},
          retry_after_seconds < 1 ? 1 : retry_after_seconds};
}
Error Error::Internal(std::string message) {
  return {ErrorKind::kInternal, "internal_error", std::move(message)};
}

}  // namespace vantage
