#include "service/data_import.h"

#include <algorithm>
#include <set>

#include "core/text.h"
#include "service/fediverse.h"
#include "service/social.h"

namespace vantage::service {

namespace {

// The first field of a CSV line (addresses never need quoting, but a
// quoted one is taken too).
std::string FirstField(std::string_view line) {
  std::string_view field = line.substr(0, line.find(','));
  field = Trim(field);
  if (field.size() >= 2 && field.front() == '"' && field.back() == '"') field = field.substr(1, field.size() - 2);
  return std::string(Trim(field));
}

// An account address: "name", "name@host" or "@name@host"; empty when it is
// not one.
std::string Address(std::string field) {
  if (!field.empty() && field.front() == '@') field.erase(0, 1);
  if (field.empty() || field.size() > 320) return "";
  for (char c : field)
    if (static_cast<unsigned char>(c) <= ' ' || c == '/' || c == '"' || c == '<' || c == '>') return "";
  size_t at = field.find('@');
  if (at == 0 || (at != std::string::npos && (at + 1 == field.size() || field.find('@', at + 1) != std::string::npos)))
    return "";
  return field;
}

// Whether a failed resolve means nobody is there (rather than a server
// that did not answer).
bool Missing(const Error& error) {
  return error.kind == ErrorKind::kNotFound || error.kind == ErrorKind::kInvalid ||
         error.kind == ErrorKind::kForbidden;
}

}  // namespace

Result<ImportReport> ImportFollowing(ServiceContext& ctx, int64_t me, std::string_view csv) {
  if (csv.size() > kMaxImportBytes)
    return Error::Invalid("data", "data must be at most 256 KB", "too_long");
  if (!IsValidUtf8(csv) || std::any_of(csv.begin(), csv.end(), [](char c) {
        return (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f;
      }))
    return Error::Invalid("data", "data must be UTF-8 text (following_accounts.csv)");
  // A spreadsheet's byte-order mark.
  if (csv.starts_with("\xEF\xBB\xBF")) csv.remove_prefix(3);
  std::vector<std::string> addresses;
  size_t start = 0;
  bool first = true, lines = false;
  while (start < csv.size()) {
    size_t end = csv.find('\n', start);
    if (end == std::string_view::npos) end = csv.size();
    std::string_view line = csv.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (Trim(line).empty()) continue;
    lines = true;
    std::string field = FirstField(line);
    bool header = first && EqualsIgnoreCase(field, "Account address");
    first = false;
    if (header) continue;
    addresses.push_back(field);
    if (addresses.size() > kMaxImportRows)
      return Error::Invalid("data", "data must list at most 1000 accounts", "too_long");
  }
  // A header alone is the export of someone who followed nobody: nothing to do.
  if (!lines) return Error::Invalid("data", "data lists no accounts", "missing_field");

  ImportReport report;
  // A server that did not answer is not asked again for the rest of the list.
  std::set<std::string> silent_hosts;
  std::string own_suffix = "@";
  own_suffix += AsciiLower(ctx.settings.domain);  // not "@" + ...: a false -Wrestrict from GCC 12
  for (const std::string& field : addresses) {
    std::string address = Address(field);
    if (address.empty()) {
      report.problems.push_back({field.substr(0, 320), "invalid"});
      continue;
    }
    std::string lower = AsciiLower(address);
    bool local = lower.find('@') == std::string::npos;
    if (!local && lower.ends_with(own_suffix)) {
      address = address.substr(0, address.size() - own_suffix.size());
      local = true;
    }
    Result<store::Account> target = Error::NotFound();
    if (local) {
      auto found = ctx.store.accounts().FindByUsername(address);
      if (!found) return std::move(found).error();
      if (*found && (*found)->local()) target = std::move(**found);
    } else if (ctx.fediverse) {
      std::string host = lower.substr(lower.find('@') + 1);
      if (silent_hosts.count(host)) {
        report.problems.push_back({address, "unavailable"});
        continue;
      }
      target = ctx.fediverse->ResolveAccount(address);
      if (!target && !Missing(target.error())) silent_hosts.insert(host);
    }
    if (!target) {
      report.problems.push_back({address, Missing(target.error()) ? "not_found" : "unavailable"});
      continue;
    }
    if (target->id == me) {
      report.problems.push_back({address, "self"});
      continue;
    }
    auto followed = FollowAccount(ctx, me, target->id);
    if (!followed) {
      const Error& error = followed.error();
      if (error.kind == ErrorKind::kInternal || error.kind == ErrorKind::kUnavailable) return followed.error();
      report.problems.push_back({address, error.code.empty() ? "refused" : error.code});
      continue;
    }
    ++report.followed;
  }
  return report;
}

}  // namespace vantage::service
