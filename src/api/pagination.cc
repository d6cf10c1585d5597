#include "api/pagination.h"

#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>

#include "api/params.h"
#include "core/id.h"
#include "core/text.h"

namespace vantage::api {

namespace {

bool IsCursor(std::string_view key) {
  return key == "max_id" || key == "since_id" || key == "min_id" || key == "limit";
}

Result<std::optional<int64_t>> Cursor(const Params& params, const std::string& name) {
  auto text = params.String(name, 40);
  if (!text) return std::move(text).error();
  if (!*text || (*text)->empty()) return std::optional<int64_t>();
  auto id = ParseId(**text);
  if (!id) return Error::Invalid(name, name + " must be an id");
  return std::optional<int64_t>(*id);
}

}  // namespace

Result<store::PageQuery> ParsePage(const http::Request& request, int default_limit, int max_limit) {
  http::Request query_only;
  query_only.method = "GET";
  query_only.query = request.query;
  auto params = Params::From(query_only);
  if (!params) return std::move(params).error();
  store::PageQuery page;
  page.limit = default_limit;
  auto limit = params->String("limit", 20);
  if (!limit) return std::move(limit).error();
  if (*limit && !(*limit)->empty()) {
    long long value = 0;
    const std::string& text = **limit;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
      return Error::Invalid("limit", "limit must be a whole number");
    page.limit = static_cast<int>(std::clamp<long long>(value, 1, max_limit));
  }
  auto max_id = Cursor(*params, "max_id");
  if (!max_id) return std::move(max_id).error();
  auto since_id = Cursor(*params, "since_id");
  if (!since_id) return std::move(since_id).error();
  auto min_id = Cursor(*params, "min_id");
  if (!min_id) return std::move(min_id).error();
  if (*max_id) page.below = **max_id;
  if (*min_id) {
    page.above = **min_id;
    page.from_above = true;
  } else if (*since_id) {
    page.above = **since_id;
  }
  return page;
}

void AddLinkHeader(const std::string& base_url, const http::Request& request, http::Response& response,
                   std::optional<int64_t> newest, std::optional<int64_t> oldest) {
  if (!newest || !oldest) return;
  // The request's own parameters, cursors dropped, in their order, each
  // decoded and encoded again: copied raw, a query could close the URL's
  // angle bracket and add links of its own ("x=>;rel=\"next\",<https://...").
  // Malformed pairs are dropped; the last limit is kept, at the end.
  std::string kept, limit;
  std::string_view rest = request.query;
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    auto key = PercentDecode(pair.substr(0, eq), true);
    auto value = PercentDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!key || !value || key->empty()) continue;
    std::string encoded = PercentEncode(*key) + "=" + PercentEncode(*value) + "&";
    if (*key == "limit") limit = std::move(encoded);
    else if (!IsCursor(*key)) kept += encoded;
  }
  std::string base = base_url + request.path + "?" + kept + limit;
  response.AddHeader("Link", "<" + base + "max_id=" + std::to_string(*oldest) + ">; rel=\"next\", <" + base +
                                 "min_id=" + std::to_string(*newest) + ">; rel=\"prev\"");
}

}  // namespace vantage::api
