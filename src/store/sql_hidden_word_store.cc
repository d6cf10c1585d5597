// Hidden words over the backend-neutral SQL layer; runs unchanged on SQLite
// and PostgreSQL. One row per account, changed by an upsert.
#include "store/hidden_word_store.h"

namespace vantage::store {

namespace {

constexpr Statement kSelectHiddenWords{
    "select_hidden_words", "SELECT words, use_default, updated_at FROM hidden_words WHERE account_id = ?"};
constexpr Statement kUpsertHiddenWords{
    "upsert_hidden_words",
    "INSERT INTO hidden_words (account_id, words, use_default, updated_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (account_id) DO UPDATE SET "
    "words = CASE WHEN ? = 1 THEN excluded.words ELSE hidden_words.words END, "
    "use_default = CASE WHEN ? = 1 THEN excluded.use_default ELSE hidden_words.use_default END, "
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

Result<HiddenWordRow> WriteHiddenWordRow(Database& db, int64_t account_id, const std::optional<std::string>& words,
                                         std::optional<bool> use_default, int64_t now) {
  HiddenWordRow out;
  Status status = db.Write([&](Connection& conn) -> Status {
    auto written = conn.Exec(kUpsertHiddenWords, {account_id, words.value_or(""),
                                                  int64_t{use_default.value_or(true) ? 1 : 0}, now,
                                                  int64_t{words ? 1 : 0}, int64_t{use_default ? 1 : 0}});
    if (!written) return std::move(written).error();
    auto row = conn.QueryOne(kSelectHiddenWords, {account_id});
    if (!row) return std::move(row).error();
    if (!*row) return Error::Internal("hidden_words: the row just written is missing");
    out = HiddenWordRow{(*row)->Text(0), (*row)->Int(1) != 0, (*row)->Int(2)};
    return Ok();
  });
  if (!status) return std::move(status).error();
  return out;
}

}  // namespace vantage::store
