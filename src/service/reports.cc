#include "service/reports.h"

#include <algorithm>

#include "core/id.h"
#include "core/text.h"
#include "service/federation_events.h"
#include "service/policy.h"
#include "service/qa.h"
#include "service/rate_limiter.h"
#include "service/statuses.h"

namespace vantage::service {

namespace {

// Kept in memory per process, as the other per-account limits.
RateLimiter& ReportLimiter() {
  static RateLimiter limiter(kReportsPerHour, 3600);
  return limiter;
}

// The question `raw` names when `reporter` can see it: public (approved and
// answered) and of an organisation that does not block the reporter, or in
// the queue of an organisation the reporter serves with the right to read it. Anything else reads as missing, so a report cannot probe
// held questions.
Result<store::Question> ReportableQuestion(ServiceContext& ctx, const store::Account& reporter,
                                           const std::string& raw) {
  Error missing = Error::Invalid("vantage_question_id",
                                 "vantage_question_id: " + raw + " is not a question you can see", "not_found");
  auto id = ParseId(raw);
  if (!id) return missing;
  auto qa = store::MakeSqlQaStore(ctx.store.database());
  auto question = qa->FindQuestionById(*id);
  if (!question) return std::move(question).error();
  if (!*question) return missing;
  bool own = (*question)->account_id == reporter.id;
  if (!own) {
    auto session = qa->FindSession((*question)->session_id);
    if (!session) return std::move(session).error();
    if (!*session) return missing;
    if (QuestionIsPublic(**question)) {
      // As its sessions, an organisation's questions are out of reach of the accounts it blocks.
      auto relation = RelationTo(ctx, reporter.id, (*session)->organisation_id);
      if (!relation) return std::move(relation).error();
      if (relation->blocked_by) return missing;
    } else {
      Status staff = AuthorizeQaStaff(ctx, (*session)->organisation_id, reporter.id, QaAction::kReadQueue);
      if (!staff) {
        if (staff.error().kind == ErrorKind::kNotFound || staff.error().kind == ErrorKind::kForbidden) return missing;
        return std::move(staff).error();
      }
    }
  }
  if (own)
    return Error::Invalid("vantage_question_id", "An account cannot report its own question", "cannot_report_self");
  // An asker gone (their account deleted) is said as any question out of
  // reach: an anonymous asker's deletion is not for a reporter to learn.
  if (!(*question)->account_id) return missing;
  return std::move(**question);
}

}  // namespace

Result<FiledReport> FileReport(ServiceContext& ctx, const store::Account& reporter, const NewReport& input) {
  bool of_question = !input.question_id.empty();
  if (of_question && !input.account_id.empty())
    return Error::Invalid("account_id",
                          "account_id is not given with vantage_question_id: the question names its asker",
                          "not_allowed");
  if (of_question && !input.status_ids.empty())
    return Error::Invalid("status_ids", "status_ids are not given with vantage_question_id", "not_allowed");
  if (!of_question && input.account_id.empty())
    return Error::Invalid("account_id", "account_id is required", "missing_field");
  std::optional<int64_t> account_id;
  if (!of_question) {
    account_id = ParseId(input.account_id);
    if (!account_id) return Error::NotFound("The reported account was not found", "not_found");
    if (*account_id == reporter.id)
      return Error::Invalid("account_id", "An account cannot report itself", "cannot_report_self");
  }
  if (input.status_ids.size() > kMaxReportedStatuses)
    return Error::Invalid("status_ids", "A report names at most 20 statuses", "too_many");
  if (!IsValidUtf8(input.comment) || Utf8Length(input.comment) > kMaxReportCommentChars)
    return Error::Invalid("comment", "comment must be at most 1000 characters", "too_long");
  std::string category = input.category.empty() ? "other" : input.category;
  if (std::find(std::begin(kReportCategories), std::end(kReportCategories), category) == std::end(kReportCategories))
    return Error::Invalid("category", "category must be spam, legal, violation or other");

  store::Report report;
  if (of_question) {
    auto question = ReportableQuestion(ctx, reporter, input.question_id);
    if (!question) return std::move(question).error();
    account_id = *question->account_id;
    report.question_id = question->id;
  }
  auto account = ctx.store.accounts().FindById(*account_id);
  if (!account) return std::move(account).error();
  if (!*account) return Error::NotFound("The reported account was not found", "not_found");
  for (const std::string& raw : input.status_ids) {
    auto status_id = ParseId(raw);
    std::optional<store::Post> status;
    if (status_id) {
      auto visible = VisibleStatus(ctx, *status_id, reporter.id);
      if (visible) status = std::move(*visible);
      else if (visible.error().kind != ErrorKind::kNotFound) return std::move(visible).error();
    }
    if (!status || status->account_id != *account_id)
      return Error::Invalid("status_ids", "status_ids: " + raw + " is not a status of the reported account",
                            "not_found");
    report.status_ids.push_back(status->id);
  }
  std::sort(report.status_ids.begin(), report.status_ids.end());
  report.status_ids.erase(std::unique(report.status_ids.begin(), report.status_ids.end()), report.status_ids.end());

  int retry = ReportLimiter().Hit(std::to_string(reporter.id), NowUnixMs());
  if (retry > 0) return Error::RateLimited(retry);

  report.id = ctx.ids.Next();
  report.reporter_id = reporter.id;
  report.target_account_id = *account_id;
  if (report.question_id) {
    report.target_key = "question:" + std::to_string(*report.question_id);
  } else {
    report.target_key = "account:" + std::to_string(*account_id) + ";statuses:";
    for (size_t i = 0; i < report.status_ids.size(); ++i)
      report.target_key += (i ? "," : "") + std::to_string(report.status_ids[i]);
  }
  report.comment = input.comment;
  report.category = category;
  report.created_at = report.updated_at = NowUnixMs();
  auto filed = store::FileReport(ctx.store.database(), report);
  if (!filed) return std::move(filed).error();
  bool forward = input.forward && !filed->existing && !(*account)->local();
  if (forward) VANTAGE_TRY(RecordFederated(ctx, reporter.id, kReportForwarded, filed->report.id));
  return FiledReport{std::move(filed->report), filed->existing, forward};
}

Result<std::vector<store::Report>> ListReports(ServiceContext& ctx, const std::string& state, int64_t below,
                                               int limit) {
  if (!state.empty() && state != "open" && state != "resolved" && state != "dismissed")
    return Error::Invalid("status", "status must be open, resolved or dismissed");
  return store::ListReports(ctx.store.database(), state, below, limit);
}

Result<store::Report> FindReport(ServiceContext& ctx, int64_t id) {
  auto found = store::FindReport(ctx.store.database(), id);
  if (!found) return std::move(found).error();
  if (!*found) return Error::NotFound();
  return std::move(**found);
}

Result<store::Report> MoveReport(ServiceContext& ctx, int64_t id, const std::string& state, int64_t admin_id) {
  return store::SetReportState(ctx.store.database(), id, state, admin_id, NowUnixMs());
}

}  // namespace vantage::service
