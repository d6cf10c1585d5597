// Reports to the instance's admins, as stored (service/reports.h decides who
// may file and move them). The conventions of store.h hold here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/sql.h"

namespace vantage::store {

struct Report {
  int64_t id = 0;
  int64_t reporter_id = 0;
  int64_t target_account_id = 0;
  // What is reported, for finding a duplicate: the account, and the sorted
  // status ids or the question.
  std::string target_key;
  std::vector<int64_t> status_ids;
  std::optional<int64_t> question_id;
  std::string comment;
  std::string category;
  std::string state = "open";  // open, resolved, dismissed
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::optional<int64_t> resolved_at;  // when last resolved or dismissed
  std::optional<int64_t> resolved_by;
};

struct FiledReport {
  Report report;
  bool existing = false;  // the reporter's open report on the same target
};

// Files `report` unless the reporter has an open report on the same target,
// which is returned instead (also when two requests race).
Result<FiledReport> FileReport(Database& db, const Report& report);

Result<std::optional<Report>> FindReport(Database& db, int64_t id);

// Reports in `state` (all when empty), newest first, with ids below `below`.
Result<std::vector<Report>> ListReports(Database& db, const std::string& state, int64_t below, int limit);

// Moves the report to `state` (open clears resolved_at and resolved_by).
// NotFound when missing; Conflict "invalid_transition" when it is in
// `state` already, or when reopening while the reporter has another open
// report on the same target.
Result<Report> SetReportState(Database& db, int64_t id, const std::string& state, int64_t actor_id, int64_t now);

}  // namespace vantage::store
