// Reports over the backend-neutral SQL layer; runs unchanged on SQLite and
// PostgreSQL. A duplicate open report is kept out by the partial unique
// index reports_open_once: the loser of a race reads the winner's report.
#include <string>

#include "store/report_store.h"

namespace vantage::store {

namespace {

#define VANTAGE_REPORT_COLUMNS                                                                      \
  "id, reporter_id, target_account_id, target_key, status_ids, question_id, comment, category, "     \
  "state, created_at, updated_at, resolved_at, resolved_by"

constexpr Statement kInsertReport{
    "insert_report",
    "INSERT INTO reports (" VANTAGE_REPORT_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, NULL, NULL) "
    "ON CONFLICT DO NOTHING"};
constexpr Statement kSelectOpenReport{
    "select_open_report",
    "SELECT " VANTAGE_REPORT_COLUMNS " FROM reports WHERE reporter_id = ? AND target_key = ? AND state = 'open'"};
constexpr Statement kSelectReport{"select_report", "SELECT " VANTAGE_REPORT_COLUMNS " FROM reports WHERE id = ?"};
constexpr Statement kListReports{
    "list_reports",
    "SELECT " VANTAGE_REPORT_COLUMNS " FROM reports WHERE (? = '' OR state = ?) AND id < ? ORDER BY id DESC LIMIT ?"};
constexpr Statement kSetReportState{
    "set_report_state",
    "UPDATE reports SET state = ?, updated_at = ?, "
    "resolved_at = CASE WHEN ? = 'open' THEN NULL ELSE CAST(? AS BIGINT) END, "
    "resolved_by = CASE WHEN ? = 'open' THEN NULL ELSE CAST(? AS BIGINT) END WHERE id = ? AND state <> ?"};

#undef VANTAGE_REPORT_COLUMNS

std::string JoinIds(const std::vector<int64_t>& ids) {
  std::string out;
  for (int64_t id : ids) {
    if (!out.empty()) out += ',';
    out += std::to_string(id);
  }
  return out;
}

std::vector<int64_t> SplitIds(const std::string& text) {
  std::vector<int64_t> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    out.push_back(std::stoll(text.substr(start, comma - start)));
    start = comma + 1;
  }
  return out;
}

Report Decode(const Row& row) {
  Report r;
  r.id = row.Int(0);
  r.reporter_id = row.Int(1);
  r.target_account_id = row.Int(2);
  r.target_key = row.Text(3);
  r.status_ids = SplitIds(row.Text(4));
  r.question_id = row.OptInt(5);
  r.comment = row.Text(6);
  r.category = row.Text(7);
  r.state = row.Text(8);
  r.created_at = row.Int(9);
  r.updated_at = row.Int(10);
  r.resolved_at = row.OptInt(11);
  r.resolved_by = row.OptInt(12);
  return r;
}

Value OptValue(const std::optional<int64_t>& v) { return v ? Value(*v) : Null(); }

}  // namespace

Result<FiledReport> FileReport(Database& db, const Report& r) {
  FiledReport out;
  Status status = db.Write([&](Connection& conn) -> Status {
    out = FiledReport{};
    auto inserted = conn.Exec(kInsertReport, {r.id, r.reporter_id, r.target_account_id, r.target_key,
                                              JoinIds(r.status_ids), OptValue(r.question_id), r.comment,
                                              r.category, r.created_at, r.updated_at});
    if (!inserted) return std::move(inserted).error();
    auto row = conn.QueryOne(kSelectOpenReport, {r.reporter_id, r.target_key});
    if (!row) return std::move(row).error();
    if (!*row) return Error::Internal("A report vanished while being filed");
    out.report = Decode(**row);
    out.existing = *inserted == 0;
    return Ok();
  });
  if (!status) return std::move(status).error();
  return out;
}

Result<std::optional<Report>> FindReport(Database& db, int64_t id) {
  std::optional<Report> out;
  Status status = db.Read([&](Connection& conn) -> Status {
    out.reset();
    auto row = conn.QueryOne(kSelectReport, {id});
    if (!row) return std::move(row).error();
    if (*row) out = Decode(**row);
    return Ok();
  });
  if (!status) return std::move(status).error();
  return out;
}

Result<std::vector<Report>> ListReports(Database& db, const std::string& state, int64_t below, int limit) {
  std::vector<Report> out;
  Status status = db.Read([&](Connection& conn) -> Status {
    out.clear();
    auto rows = conn.Query(kListReports, {state, state, below, int64_t{limit}});
    if (!rows) return std::move(rows).error();
    for (const Row& row : *rows) out.push_back(Decode(row));
    return Ok();
  });
  if (!status) return std::move(status).error();
  return out;
}

Result<Report> SetReportState(Database& db, int64_t id, const std::string& state, int64_t actor_id, int64_t now) {
  std::optional<Report> out;
  Status status = db.Write([&](Connection& conn) -> Status {
    out.reset();
    auto changed = conn.Exec(kSetReportState, {state, now, state, now, state, actor_id, id, state});
    if (!changed) {
      Error error = std::move(changed).error();
      if (error.code == "unique_violation")
        return Error::Conflict("invalid_transition", "The reporter has another open report on the same target");
      return error;
    }
    auto row = conn.QueryOne(kSelectReport, {id});
    if (!row) return std::move(row).error();
    if (!*row) return Error::NotFound();
    if (*changed == 0)
      return Error::Conflict("invalid_transition", "The report is " + (*row)->Text(8) + " already");
    out = Decode(**row);
    return Ok();
  });
  if (!status) return std::move(status).error();
  return std::move(*out);
}

}  // namespace vantage::store
