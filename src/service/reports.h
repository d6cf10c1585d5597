// Reports of accounts, posts and comments to the instance's admins
// (docs/organisations.md, "Reports"), as Mastodon's POST /api/v1/reports.
//
// The reported account is never told: no notification, and nothing it can
// read names a report or its reporter. A reporter's second report on the
// same target while the first is open returns the first. Admins move reports
// between open, resolved and dismissed. All functions block (database).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "service/context.h"
#include "store/report_store.h"
#include "store/store.h"

namespace vantage::service {

inline constexpr size_t kMaxReportCommentChars = 1000;
inline constexpr size_t kMaxReportedStatuses = 20;
// Reports one account may file per hour (duplicates included).
inline constexpr int kReportsPerHour = 30;
inline constexpr std::string_view kReportCategories[] = {"spam", "legal", "violation", "other"};

struct NewReport {
  std::string account_id;               // required, unless question_id is given
  std::vector<std::string> status_ids;  // the account's statuses the reporter can see
  std::string comment;
  std::string category;  // empty: other
  // A Q&A question the reporter can see: approved and answered (public), or
  // any question of a session whose queue the reporter reads as staff. The
  // question names the reported account (its asker), so account_id and
  // status_ids are not given with it.
  std::string question_id;
  // A report about a remote account: also sent to its server, as this
  // server's instance actor's (docs/federation.md, "Moderation of remote
  // content"); ignored for local accounts.
  bool forward = false;
};

struct FiledReport {
  store::Report report;
  bool existing = false;
  bool forwarded = false;  // queued for the reported account's server
};

// Invalid naming the field: "account_id" (missing_field; cannot_report_self;
// not_allowed beside a question), "status_ids" (too_many; not_found for one
// that is not the account's or that the reporter cannot see; not_allowed
// beside a question), "vantage_question_id" (not_found for one the reporter
// cannot see or whose asker's account is gone; cannot_report_self for their
// own), "comment" (too_long), "category"; NotFound for an account that does
// not exist; RateLimited past kReportsPerHour.
Result<FiledReport> FileReport(ServiceContext& ctx, const store::Account& reporter, const NewReport& input);

// Admin queue: `state` empty (all), open, resolved or dismissed (Invalid
// "status" otherwise).
Result<std::vector<store::Report>> ListReports(ServiceContext& ctx, const std::string& state, int64_t below,
                                               int limit);
Result<store::Report> FindReport(ServiceContext& ctx, int64_t id);

// resolve, dismiss, reopen. Conflict invalid_transition from the same state.
Result<store::Report> MoveReport(ServiceContext& ctx, int64_t id, const std::string& state, int64_t admin_id);

}  // namespace vantage::service
