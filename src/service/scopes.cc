#include "service/scopes.h"

#include <algorithm>
#include <array>
#include <vector>

namespace vantage::service {

namespace {

constexpr std::array<std::string_view, 6> kTopLevel = {"read", "write", "follow", "push",
                                                        "admin:read", "admin:write"};
constexpr std::array<std::string_view, 13> kReadSub = {
    "accounts", "blocks", "bookmarks", "favourites", "filters", "follows", "lists",
    "mutes", "notifications", "search", "statuses", "media", "reports"};
constexpr std::array<std::string_view, 13> kWriteSub = {
    "accounts", "blocks", "bookmarks", "conversations", "favourites", "filters", "follows",
    "lists", "media", "mutes", "notifications", "reports", "statuses"};
constexpr std::array<std::string_view, 7> kAdminSub = {
    "accounts", "reports", "domain_allows", "domain_blocks", "ip_blocks", "email_domain_blocks",
    "canonical_email_blocks"};

bool InList(std::string_view name, auto const& list) {
  return !name.empty() && std::find(list.begin(), list.end(), name) != list.end();
}

bool IsKnown(std::string_view scope) {
  if (InList(scope, kTopLevel)) return true;
  if (scope.starts_with("read:")) return InList(scope.substr(5), kReadSub);
  if (scope.starts_with("write:")) return InList(scope.substr(6), kWriteSub);
  if (scope.starts_with("admin:read:")) return InList(scope.substr(11), kAdminSub);
  if (scope.starts_with("admin:write:")) return InList(scope.substr(12), kAdminSub);
  return false;
}

std::vector<std::string_view> Split(std::string_view text) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '+')) ++i;
    size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '+') ++j;
    if (j > i) out.push_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

bool Grants(std::string_view granted, std::string_view required) {
  if (granted == required) return true;
  auto prefixed = [&](std::string_view parent) {
    return required.size() > parent.size() && required.starts_with(parent) &&
           required[parent.size()] == ':';
  };
  if (granted == "read" && prefixed("read")) return true;
  if (granted == "write" && prefixed("write")) return true;
  if (granted == "admin:read" && prefixed("admin:read")) return true;
  if (granted == "admin:write" && prefixed("admin:write")) return true;
  if (granted == "follow") {
    return required == "read:follows" || required == "write:follows" ||
           required == "read:blocks" || required == "write:blocks" ||
           required == "read:mutes" || required == "write:mutes";
  }
  return false;
}

}  // namespace

Result<std::string> NormalizeScopes(std::string_view scopes, std::string_view field,
                                    std::string_view fallback) {
  std::vector<std::string_view> list = Split(scopes);
  if (list.empty()) list = Split(fallback);
  std::string out;
  std::vector<std::string_view> seen;
  for (std::string_view scope : list) {
    if (!IsKnown(scope))
      return Error::Invalid(std::string(field),
                            std::string(field) + " contains an unknown scope: " +
                                std::string(scope.substr(0, 64)));
    if (std::find(seen.begin(), seen.end(), scope) != seen.end()) continue;
    seen.push_back(scope);
    if (!out.empty()) out.push_back(' ');
    out.append(scope);
  }
  return out;
}

bool ScopeAllows(std::string_view granted, std::string_view required) {
  for (std::string_view g : Split(granted))
    if (Grants(g, required)) return true;
  return false;
}

bool ScopesWithin(std::string_view requested, std::string_view granted) {
  for (std::string_view r : Split(requested))
    if (!ScopeAllows(granted, r)) return false;
  return true;
}

}  // namespace vantage::service
