// Expected failures as values.
//
// Every operation that can fail for a reason a caller should handle returns
// Result<T> (or Status, which is Result<void>). An Error carries a kind, which
// decides the HTTP status in exactly one place (api/errors.cc), a stable
// machine-readable code, a human message and, when one input is at fault, the
// name of that field. Exceptions are reserved for bugs and exhaustion.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace vantage {

enum class ErrorKind {
  kBadRequest,      // malformed request: syntax the server cannot read
  kInvalid,         // well-formed but a value is wrong (validation)
  kUnauthorized,    // no or bad credentials
  kForbidden,       // authenticated but not allowed (only where hiding is not required)
  kNotFound,        // missing, or not visible to this viewer
  kMethodNotAllowed,
  kTimeout,         // the request did not arrive in time
  kConflict,        // state conflict
  kTooLarge,        // payload too large
  kHeadersTooLarge,
  kUnsupported,     // unsupported media type
  kRateLimited,     // too many requests; retry_after is set
  kUnavailable,     // overloaded or a dependency is down; retry_after is set
  kBadGateway,      // another server, asked on the client's behalf, did not answer usably
  kInternal,        // a bug or an unexpected failure
};

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string code;     // machine-readable, e.g. "invalid_field"
  std::string message;  // human-readable, names the field when one is at fault
  std::string field;    // the offending input, or empty
  int retry_after = 0;  // seconds, for kRateLimited and kUnavailable

  static Error BadRequest(std::string code, std::string message, std::string field = {});
  static Error Invalid(std::string field, std::string message, std::string code = "invalid_field");
  static Error Unauthorized(std::string message, std::string code = "unauthorized");
  static Error Forbidden(std::string message, std::string code = "forbidden");
  static Error NotFound(std::string message = "Record not found", std::string code = "not_found");
  static Error Conflict(std::string code, std::string message, std::string field = {});
  static Error TooLarge(std::string message, std::string field = {});
  static Error RateLimited(int retry_after_seconds);
  static Error Unavailable(std::string message, int retry_after_seconds = 1);
  static Error BadGateway(std::string message, std::string field = {}, std::string code = "remote_unavailable");
  static Error Internal(std::string message);
};

// Holds either a T or an Error. Cheap to move; check with ok() or operator bool.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

inline Status Ok() { return {}; }

}  // namespace vantage

// Propagates an error from an expression yielding Result<...>.
#define VANTAGE_TRY(expr)                                   \
  do {                                                      \
    auto vantage_try_result_ = (expr);                      \
    if (!vantage_try_result_) return std::move(vantage_try_result_).error(); \
  } while (0)
