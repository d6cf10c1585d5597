// RFC 9421 HTTP Message Signatures, inbound, as Mastodon (4.5 and later)
// and Fedify (1.6 and later) send them: `Signature-Input` and `Signature`
// (RFC 8941 dictionaries), RSASSA-PKCS1-v1_5 with SHA-256, and the body's
// `Content-Digest` (RFC 9530). Pure functions, like http_signature.h: the
// caller finds the key by keyid and supplies the time.
//
// A request is believed when (in this order) one signature parses
// (ParseMessageSignature: the first label present in both headers; keyid
// and created required; alg, when given, rsa-v1_5-sha256), it covers
// enough and is fresh (CheckMessageSignature: @method and @target-uri,
// content-digest on a request with a body, matching it by SHA-256 or
// SHA-512; created within the hour, as for draft-cavage), and the key made
// it (VerifyMessageSignature, over the signature base of RFC 9421 §2.5).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "federation/http_signature.h"
#include "federation/keys.h"

namespace vantage::federation {

struct MessageSignature {
  std::string label;
  std::vector<std::string> components;  // as listed: "@method", "content-digest", ...
  std::string key_id;
  std::string alg;  // "" when not given
  std::optional<int64_t> created;
  std::optional<int64_t> expires;
  std::string params;     // the inner list and its parameters, serialized as RFC 8941 says
  std::string signature;  // the decoded bytes
};

// Unauthorized, with the reason, for anything that cannot be used.
Result<MessageSignature> ParseMessageSignature(std::string_view signature_input, std::string_view signature);

// `target_uri`: the request's absolute URI as the client addressed it (this
// server's public origin and the request target).
Status CheckMessageSignature(const HttpMessage& message, const MessageSignature& signature, std::string_view body,
                             int64_t now);

// The signature base (RFC 9421 §2.5); Unauthorized when a covered
// component is missing or not supported.
Result<std::string> SignatureBase(const HttpMessage& message, const MessageSignature& signature,
                                  std::string_view target_uri);

bool VerifyMessageSignature(const HttpMessage& message, const MessageSignature& signature,
                            std::string_view target_uri, const RsaKey& key);

}  // namespace vantage::federation
