// Archives of accounts' data over the backend-neutral SQL layer; runs
// unchanged on SQLite and PostgreSQL.
#include "store/export_store.h"

namespace vantage::store {

namespace {

#define VANTAGE_EXPORT_COLUMNS "id, account_id, state, requested_at, completed_at, expires_at, file_name, size_bytes"

constexpr Statement kRecentExport{
    "export_recent",
    "SELECT " VANTAGE_EXPORT_COLUMNS " FROM account_exports WHERE account_id = ? AND requested_at >= ? "
    "AND state <> 'failed' ORDER BY requested_at DESC LIMIT 1"};
constexpr Statement kInsertExport{
    "export_insert", "INSERT INTO account_exports (id, account_id, state, requested_at) VALUES (?, ?, 'pending', ?)"};
constexpr Statement kListExports{"export_list",
                                 "SELECT " VANTAGE_EXPORT_COLUMNS " FROM account_exports WHERE account_id = ? "
                                 "ORDER BY requested_at DESC, id DESC LIMIT ?"};
constexpr Statement kFindExport{"export_find", "SELECT " VANTAGE_EXPORT_COLUMNS
                                               " FROM account_exports WHERE account_id = ? AND id = ?"};
constexpr Statement kClaimExport{
    "export_claim",
    "UPDATE account_exports SET claimed_until = ? WHERE id = (SELECT id FROM account_exports "
    "WHERE state = 'pending' AND claimed_until < ? ORDER BY requested_at, id LIMIT 1) "
    "RETURNING " VANTAGE_EXPORT_COLUMNS};
constexpr Statement kFinishExport{
    "export_finish",
    "UPDATE account_exports SET state = ?, completed_at = ?, expires_at = ?, file_name = ?, size_bytes = ? "
    "WHERE id = ? AND state = 'pending'"};
constexpr Statement kExpiredExports{"export_expired", "SELECT " VANTAGE_EXPORT_COLUMNS
                                                      " FROM account_exports WHERE state = 'ready' "
                                                      "AND expires_at <= ? ORDER BY expires_at LIMIT ?"};
constexpr Statement kDeleteExport{"export_delete", "DELETE FROM account_exports WHERE id = ?"};

#undef VANTAGE_EXPORT_COLUMNS

ExportState StateOf(std::string_view name) {
  if (name == "ready") return ExportState::kReady;
  if (name == "failed") return ExportState::kFailed;
  return ExportState::kPending;
}

AccountExport ExportFrom(const Row& row) {
  AccountExport e;
  e.id = row.Int(0);
  e.account_id = row.Int(1);
  e.state = StateOf(row.Text(2));
  e.requested_at = row.Int(3);
  e.completed_at = row.OptInt(4);
  e.expires_at = row.OptInt(5);
  e.file_name = row.Text(6);
  e.size_bytes = row.Int(7);
  return e;
}

Result<std::vector<AccountExport>> ReadExports(Database& db, const Statement& statement, std::vector<Value> args) {
  std::vector<AccountExport> out;
  Status status = db.Read([&](Connection& conn) -> Status {
    out.clear();
    auto rows = conn.Query(statement, args);
    if (!rows) return std::move(rows).error();
    for (const Row& row : *rows) out.push_back(ExportFrom(row));
    return Ok();
  });
  if (!status) return std::move(status).error();
  return out;
}

}  // namespace

const char* ExportStateName(ExportState state) {
  switch (state) {
    case ExportState::kPending:
      return "pending";
    case ExportState::kReady:
      return "ready";
    case ExportState::kFailed:
      return "failed";
  }
  return "pending";
}

Result<std::optional<AccountExport>> InsertExportUnlessSince(Database& db, const AccountExport& request,
                                                             int64_t since) {
  std::optional<AccountExport> earlier;
  Status status = db.Write([&](Connection& conn) -> Status {
    earlier.reset();
    auto row = conn.QueryOne(kRecentExport, {request.account_id, since});
    if (!row) return std::move(row).error();
    if (*row) {
      earlier = ExportFrom(**row);
      return Ok();
    }
    auto inserted = conn.Exec(kInsertExport, {request.id, request.account_id, request.requested_at});
    if (!inserted) return std::move(inserted).error();
    return Ok();
  });
  if (!status) return std::move(status).error();
  return earlier;
}

Result<std::vector<AccountExport>> ListExports(Database& db, int64_t account_id, int limit) {
  return ReadExports(db, kListExports, {account_id, int64_t{limit}});
}

Result<std::optional<AccountExport>> FindExport(Database& db, int64_t account_id, int64_t id) {
  auto found = ReadExports(db, kFindExport, {account_id, id});
  if (!found) return std::move(found).error();
  if (found->empty()) return std::optional<AccountExport>();
  return std::optional<AccountExport>(std::move(found->front()));
}

Result<std::optional<AccountExport>> ClaimPendingExport(Database& db, int64_t now, int64_t lease_ms) {
  std::optional<AccountExport> out;
  Status status = db.Write([&](Connection& conn) -> Status {
    out.reset();
    auto row = conn.QueryOne(kClaimExport, {now + lease_ms, now});
    if (!row) return std::move(row).error();
    if (*row) out = ExportFrom(**row);
    return Ok();
  });
  if (!status) return std::move(status).error();
  return out;
}

Result<bool> FinishExport(Database& db, const AccountExport& done) {
  bool changed = false;
  Status status = db.Write([&](Connection& conn) -> Status {
    auto rows = conn.Exec(kFinishExport, {std::string(ExportStateName(done.state)), Opt(done.completed_at),
                                          Opt(done.expires_at), done.file_name, done.size_bytes, done.id});
    if (!rows) return std::move(rows).error();
    changed = *rows > 0;
    return Ok();
  });
  if (!status) return std::move(status).error();
  return changed;
}

Result<std::vector<AccountExport>> ExpiredExports(Database& db, int64_t now, int limit) {
  return ReadExports(db, kExpiredExports, {now, int64_t{limit}});
}

Status DeleteExport(Database& db, int64_t id) {
  return db.Write([&](Connection& conn) -> Status {
    auto done = conn.Exec(kDeleteExport, {id});
    if (!done) return std::move(done).error();
    return Ok();
  });
}

}  // namespace vantage::store
