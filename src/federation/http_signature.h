// HTTP Signatures as the fediverse uses them: draft-cavage-http-signatures-12
// with RSASSA-PKCS1-v1_5 over SHA-256, under the names `rsa-sha256` and
// `hs2019`, as Mastodon verifies and sends them. Pure functions: the caller
// finds the signer's key (by the keyId) and supplies the time.
//
// Inbound, a request is believed when, in this order:
//   1. its Signature header parses (ParseSignatureHeader);
//   2. what is signed is enough and fresh (CheckSignedMessage): the date
//      (`date` or `(created)`), `(request-target)` or `digest`, `host` on a
//      GET and `digest` on a POST; the Date or `(created)` at most an hour
//      ahead and the signature expired (by `(expires)`, else 5 minutes after
//      it was made) at most an hour ago; a signed Digest's SHA-256 equal to
//      the body's;
//   3. the signer's key verifies it (VerifyWithKey), the (request-target)
//      taken with the query and, failing that, without it (Fedify and
//      older Mastodon sign the path alone).
// Every refusal is Unauthorized "invalid_signature" with the reason in the
// message, for the log: the response says only 401.
//
// Outbound (SignMessage): `rsa-sha256` over `(request-target) host date`,
// plus `digest` and `content-type` when there is a body, which every
// implementation accepts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "federation/keys.h"

namespace vantage::federation {

// A request as a signature covers it.
struct HttpMessage {
  std::string method;  // "GET", "POST" (any case)
  std::string path;    // "/users/alice/inbox", as sent
  std::string query;   // without the '?'; empty: none
  // Header fields, names in lower case; a field sent several times is one
  // entry with its values joined by ", ".
  std::vector<std::pair<std::string, std::string>> headers;

  // The field's value, or nullopt when the request has none.
  std::optional<std::string_view> Header(std::string_view lower_name) const;
  // Sets a field (replacing one of the same name).
  void SetHeader(std::string lower_name, std::string value);
};

// A parsed Signature header.
struct SignatureHeader {
  std::string key_id;
  std::string algorithm;             // "rsa-sha256" or "hs2019"
  std::vector<std::string> headers;  // what is signed, in order, lower case
  std::string signature;             // the decoded signature bytes
  std::optional<int64_t> created;    // (created), seconds since the epoch
  std::optional<int64_t> expires;    // (expires)
};

// Parses `keyId="…",algorithm="…",headers="…",signature="…"` (also with
// the stray "Signature " prefix some libraries send). Refused: a missing
// keyId or signature, a parameter given twice, an algorithm other than
// rsa-sha256 and hs2019 (absent means hs2019), a signature that is not
// base64, (created) or (expires) other than with hs2019. Without `headers`,
// hs2019 signs (created) and rsa-sha256 the date, as the draft says.
Result<SignatureHeader> ParseSignatureHeader(std::string_view value);

// The text the signature covers: one `name: value` line per signed header,
// in the signature's order. `with_query` puts the query into
// (request-target). Unauthorized when a signed header is missing.
Result<std::string> SigningString(const HttpMessage& message, const SignatureHeader& signature, bool with_query);

// Step 2 above, at `now` (seconds since the epoch), against `body`.
Status CheckSignedMessage(const HttpMessage& message, const SignatureHeader& signature, std::string_view body,
                          int64_t now);

// Step 3 above: whether `key` made `signature` of `message`.
bool VerifyWithKey(const HttpMessage& message, const SignatureHeader& signature, const RsaKey& key);

// Signs an outbound request with `key`, named `key_id` (an actor's id plus
// "#main-key"): sets Date (now) and, with a body, Digest, then Signature.
// The message's Host (and, with a body, Content-Type) must already be set:
// they are signed as they will be sent.
Status SignMessage(HttpMessage& message, std::string_view body, const std::string& key_id, const RsaKey& key,
                   int64_t now);

// An HTTP date (IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT") and back;
// nullopt for anything else.
std::string HttpDate(int64_t unix_seconds);
std::optional<int64_t> ParseHttpDate(std::string_view text);

}  // namespace vantage::federation
