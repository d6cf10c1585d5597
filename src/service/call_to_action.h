// Recruitment posts: the one call-to-action link a post may carry.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"

namespace vantage::service {

inline constexpr size_t kMaxCallToActionLabelChars = 30;
inline constexpr size_t kMaxCallToActionUrlChars = 2000;

struct CallToAction {
  std::string url;
  std::string label;
};

// The link as it will be stored: `url` an absolute https URL with a domain
// name for a host (letters, digits and hyphens, at least two labels, the last
// not all digits: no IP addresses, no user name or password, an optional
// port), at most 2,000 characters of printable ASCII (anything else
// percent-encoded); `label` 1-30 characters, trimmed, no control characters
// or line breaks. Errors are Invalid naming "vantage_cta[url]" (missing_field,
// too_long, unsupported_scheme, userinfo_not_allowed, invalid_url) or
// "vantage_cta[label]" (missing_field, too_long, invalid_field).
Result<CallToAction> CheckCallToAction(const CallToAction& link);

// The host of a checked link's URL, lower-cased, without the port: the real
// domain shown beside the link.
std::string CallToActionDomain(std::string_view url);

}  // namespace vantage::service
