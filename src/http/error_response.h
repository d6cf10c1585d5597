// The one place where an error kind becomes an HTTP status, and the one JSON
// shape every error takes:
//   {"error": "human message", "code": "machine_code", "field": "name"}
#pragma once

#include "core/error.h"
#include "http/request.h"

namespace vantage::http {

int StatusFor(ErrorKind kind);

// Adds Retry-After for rate-limited and unavailable errors. `oauth` adds
// RFC 6749's error_description beside error (same text), for OAuth clients.
// Internal errors answer only "Internal server error" (code internal_error):
// their message goes to the log, never to the client.
Response ErrorResponse(const Error& error, bool oauth = false);

}  // namespace vantage::http
