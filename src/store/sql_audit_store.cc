// AuditStore over the backend-neutral SQL layer; runs unchanged on SQLite
// and PostgreSQL.
//
// Isolation: an append's first statement is an UPDATE of the head row. On
// SQLite the single writer already serialises appends; on PostgreSQL (READ
// COMMITTED) a second appender waits on that row lock and, once the first
// commits, re-reads the row and numbers its entry after it. The primary key
// on seq would refuse a fork even if that failed.
#include <sodium.h>

#include <utility>

#include "store/audit_store.h"

namespace vantage::store {

namespace {

#define VANTAGE_AUDIT_COLUMNS                                                                              \
  "seq, created_at, organisation_id, actor_id, action, target_type, target_id, ip, detail, prev_hash, hash"

constexpr Statement kCreateHead{
    "audit_create_head", "INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, ?) ON CONFLICT (id) DO NOTHING"};
constexpr Statement kAdvanceHead{
    "audit_advance_head", "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash"};
constexpr Statement kSetHeadHash{"audit_set_head_hash", "UPDATE audit_head SET hash = ? WHERE id = 1"};
constexpr Statement kInsertEntry{
    "audit_insert_entry",
    "INSERT INTO audit_log (" VANTAGE_AUDIT_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"};
constexpr Statement kSelectHead{"audit_select_head", "SELECT seq, hash FROM audit_head WHERE id = 1"};
constexpr Statement kSelectChainPage{
    "audit_select_chain_page",
    "SELECT " VANTAGE_AUDIT_COLUMNS " FROM audit_log WHERE seq > ? ORDER BY seq LIMIT 1000"};
constexpr Statement kSelectForOrganisation{
    "audit_select_for_organisation",
    "SELECT " VANTAGE_AUDIT_COLUMNS " FROM audit_log WHERE organisation_id = ? AND seq < ? "
    "ORDER BY seq DESC LIMIT ?"};

#undef VANTAGE_AUDIT_COLUMNS

constexpr int64_t kChainPage = 1000;

AuditEntry DecodeEntry(const Row& row) {
  AuditEntry e;
  e.seq = row.Int(0);
  e.created_at = row.Int(1);
  e.organisation_id = row.OptInt(2);
  e.actor_id = row.OptInt(3);
  e.action = row.Text(4);
  e.target_type = row.Text(5);
  e.target_id = row.OptInt(6);
  e.ip = row.Text(7);
  e.detail = row.Text(8);
  e.prev_hash = row.Text(9);
  e.hash = row.Text(10);
  return e;
}

void AppendField(std::string& out, std::string_view value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += ';';
}

void AppendField(std::string& out, const std::optional<int64_t>& value) {
  AppendField(out, value ? std::to_string(*value) : std::string());
}

class SqlAuditStore final : public AuditStore {
 public:
  explicit SqlAuditStore(Database& db) : db_(db) {}

  Result<AuditEntry> Append(const AuditEntry& entry) override {
    AuditEntry stored;
    VANTAGE_TRY(db_.Write([&](Connection& conn) -> Status {
      auto appended = AppendAuditEntryOn(conn, entry);
      if (!appended) return std::move(appended).error();
      stored = std::move(*appended);
      return Ok();
    }));
    return stored;
  }

  Result<std::vector<AuditEntry>> ListForOrganisation(int64_t organisation_id, std::optional<int64_t> max_seq,
                                                      int limit) override {
    std::vector<AuditEntry> out;
    VANTAGE_TRY(db_.Read([&](Connection& conn) -> Status {
      out.clear();
      auto rows = conn.Query(kSelectForOrganisation,
                             {organisation_id, max_seq.value_or(INT64_MAX), int64_t{limit}});
      if (!rows) return std::move(rows).error();
      for (const Row& row : *rows) out.push_back(DecodeEntry(row));
      return Ok();
    }));
    return out;
  }

  Result<AuditVerification> Verify() override {
    AuditVerification result;
    VANTAGE_TRY(db_.Read([&](Connection& conn) -> Status {
      auto head = conn.QueryOne(kSelectHead, {});
      if (!head) return std::move(head).error();
      std::optional<std::pair<int64_t, std::string>> head_row;
      if (*head) head_row.emplace((*head)->Int(0), (*head)->Text(1));
      AuditChainVerifier verifier(std::move(head_row));
      int64_t after = INT64_MIN;
      bool going = true;
      while (going) {
        auto rows = conn.Query(kSelectChainPage, {after});
        if (!rows) return std::move(rows).error();
        for (const Row& row : *rows) {
          AuditEntry entry = DecodeEntry(row);
          after = entry.seq;
          if (!verifier.Add(entry)) {
            going = false;
            break;
          }
        }
        if (static_cast<int64_t>(rows->size()) < kChainPage) break;
      }
      result = verifier.Finish();
      return Ok();
    }));
    return result;
  }

 private:
  Database& db_;
};

}  // namespace

std::unique_ptr<AuditStore> MakeSqlAuditStore(Database& db) { return std::make_unique<SqlAuditStore>(db); }

std::string AuditEntryEncoding(const AuditEntry& e) {
  std::string out = "vantage-audit-1;";
  AppendField(out, std::optional<int64_t>(e.seq));
  AppendField(out, std::optional<int64_t>(e.created_at));
  AppendField(out, e.organisation_id);
  AppendField(out, e.actor_id);
  AppendField(out, e.action);
  AppendField(out, e.target_type);
  AppendField(out, e.target_id);
  AppendField(out, e.ip);
  AppendField(out, e.detail);
  AppendField(out, e.prev_hash);
  return out;
}

std::string AuditEntryHash(const AuditEntry& entry) {
  std::string encoding = AuditEntryEncoding(entry);
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(encoding.data()), encoding.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * sizeof digest);
  for (unsigned char byte : digest) {
    hex += kHex[byte >> 4];
    hex += kHex[byte & 15];
  }
  return hex;
}

Result<AuditEntry> AppendAuditEntryOn(Connection& conn, AuditEntry entry) {
  auto created = conn.Exec(kCreateHead, {std::string(kAuditGenesisHash)});
  if (!created) return std::move(created).error();
  auto head = conn.QueryOne(kAdvanceHead, {});
  if (!head) return std::move(head).error();
  if (!*head) return Error::Internal("The audit log's head row is missing");
  entry.seq = (*head)->Int(0);
  entry.prev_hash = (*head)->Text(1);
  if (entry.detail.empty()) entry.detail = "{}";
  entry.hash = AuditEntryHash(entry);
  auto inserted = conn.Exec(kInsertEntry, {entry.seq, entry.created_at, Opt(entry.organisation_id),
                                           Opt(entry.actor_id), entry.action, entry.target_type,
                                           Opt(entry.target_id), entry.ip, entry.detail, entry.prev_hash,
                                           entry.hash});
  if (!inserted) return std::move(inserted).error();
  auto moved = conn.Exec(kSetHeadHash, {entry.hash});
  if (!moved) return std::move(moved).error();
  return entry;
}

const char* AuditBreakName(AuditBreak kind) {
  switch (kind) {
    case AuditBreak::kNone:
      return "intact";
    case AuditBreak::kModified:
      return "modified";
    case AuditBreak::kInserted:
      return "inserted";
    case AuditBreak::kDeleted:
      return "deleted";
  }
  return "intact";
}

bool AuditChainVerifier::Fail(AuditBreak kind, int64_t seq, std::string message) {
  result_.problem = kind;
  result_.seq = seq;
  result_.message = "entry " + std::to_string(seq) + " was " + AuditBreakName(kind) + ": " + message;
  return false;
}

bool AuditChainVerifier::Add(const AuditEntry& entry) {
  if (!result_.intact()) return false;
  if (!pending_) {
    pending_ = entry;
    return true;
  }
  AuditEntry current = std::move(*pending_);
  pending_ = entry;
  return Check(current, &*pending_);
}

// Checks `entry`, the next in seq order, knowing the one after it (or null).
bool AuditChainVerifier::Check(const AuditEntry& entry, const AuditEntry* next) {
  // The first append creates the head.
  if (!head_)
    return Fail(AuditBreak::kInserted, entry.seq,
                "the chain has no head record, so no entry was appended through it (or the head was deleted)");
  int64_t head_seq = head_->first;
  if (entry.seq > expected_seq_)
    return Fail(AuditBreak::kDeleted, expected_seq_,
                "the chain goes from entry " + std::to_string(expected_seq_ - 1) + " to entry " +
                    std::to_string(entry.seq));
  if (entry.seq > head_seq)
    return Fail(AuditBreak::kInserted, entry.seq,
                "the chain's head records " + std::to_string(head_seq) + " entries");
  bool hash_holds = AuditEntryHash(entry) == entry.hash;
  bool links = entry.prev_hash == last_hash_;
  if (!(hash_holds && links)) {
    if (links) return Fail(AuditBreak::kModified, entry.seq, "its fields no longer match its hash");
    auto earlier = seen_.find(entry.prev_hash);
    if (earlier != seen_.end())
      return Fail(AuditBreak::kInserted, earlier->second + 1,
                  "entry " + std::to_string(entry.seq) + " links to entry " + std::to_string(earlier->second) +
                      ", so the entries between were not appended through the chain");
    if (next && next->prev_hash == last_hash_)
      return Fail(AuditBreak::kInserted, entry.seq,
                  "entry " + std::to_string(next->seq) + " links to the entry before it");
    if (hash_holds)
      return Fail(AuditBreak::kModified, entry.seq - 1,
                  "it no longer has the hash entry " + std::to_string(entry.seq) + " was chained to");
    return Fail(AuditBreak::kDeleted, entry.seq,
                "entry " + std::to_string(entry.seq) + " neither holds nor links to entry " +
                    std::to_string(entry.seq - 1) + " (the entries after it were renumbered)");
  }
  seen_.emplace(entry.hash, entry.seq);
  last_hash_ = entry.hash;
  ++expected_seq_;
  ++result_.length;
  return true;
}

AuditVerification AuditChainVerifier::Finish() {
  if (result_.intact() && pending_) {
    AuditEntry last = std::move(*pending_);
    pending_.reset();
    Check(last, nullptr);
  }
  result_.head_hash = last_hash_;
  if (!result_.intact()) return result_;
  int64_t length = expected_seq_ - 1;
  if (head_ && head_->first > length) {
    Fail(AuditBreak::kDeleted, length + 1,
         "the chain ends at entry " + std::to_string(length) + " but was " + std::to_string(head_->first) +
             " entries long");
  } else if (head_ && length > 0 && head_->second != last_hash_) {
    Fail(AuditBreak::kModified, length, "it no longer has the hash the chain's head records");
  }
  return result_;
}

}  // namespace vantage::store
