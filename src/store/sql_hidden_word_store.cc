// Hidden words over the backend-neutral SQL layer; runs unchanged on SQLite
// and PostgreSQL. One row per account, replaced whole by an upsert.
#include "store/hidden_word_store.h"

namespace vantage::store {

namespace {

constexpr Statement kSelectHiddenWords{
    "select_hidden_words", "SELECT words, use_default, updated_at FROM hidden_words WHERE account_id = ?"};
constexpr Statement kUpsertHiddenWords{
    "upsert_hidden_words",
    "INSERT INTO hidden_words (account_id, words, use_default, updated_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (account_id) DO UPDATE SET words = excluded.words, use_default = excluded.use_default, "
    "updated_at = excluded.updated_at"};

}  // namespace

Result<std::optional<HiddenWordRow>> ReadHiddenWordRow(Database& db, int64_t account_id) {
  std::optional<HiddenWordRow> out;
  Status status = db.Read([&](Connection& conn) -> Status {
    out.reset();
    auto row = conn.QueryOne(kSelectHiddenWords, {account_id});
    if (!row) return std::move(row).error();
    if (*row) out = HiddenWordRow{(*row)->Text(0), (*row)->Int(1) != 0, (*row)->Int(2)};
    return Ok();
  });
  if (!status) return std::move(status).error();
  return out;
}

Status WriteHiddenWordRow(Database& db, int64_t account_id, const HiddenWordRow& row) {
  return db.Write([&](Connection& conn) -> Status {
    auto written = conn.Exec(kUpsertHiddenWords, {account_id, row.words, int64_t{row.use_default ? 1 : 0},
                                                  row.updated_at});
    if (!written) return std::move(written).error();
    return Ok();
  });
}

}  // namespace vantage::store
