// The audit log: append-only and hash-chained.
//
// Every entry carries the SHA-256 of the entry before it (prev_hash) and its
// own hash over a canonical encoding of all its fields (AuditEntryEncoding),
// so an entry changed, added or removed by hand breaks the chain where it
// happened. The head row (audit_head: the chain's length and last hash)
// catches entries cut off the end. Someone able to rewrite the whole chain
// from a point on, head included, is not caught from inside the database:
// `vantage audit verify` prints the head hash so that it can be kept
// elsewhere.
//
// Appends are serialised by locking the head row (an UPDATE of it, in the
// appending transaction), on every engine, so the chain never forks. Write
// an entry inside the transaction of what it records (AppendAuditEntryOn),
// so that the two exist together or not at all.
//
// The conventions of store.h hold here.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/error.h"
#include "store/sql.h"

namespace vantage::store {

struct AuditEntry {
  int64_t seq = 0;  // 1, 2, 3...: set by the store
  int64_t created_at = 0;
  std::optional<int64_t> organisation_id;  // whose owners may read it; none: instance administration
  std::optional<int64_t> actor_id;         // the account that acted; none: the command line
  std::string action;                      // e.g. "staff.role_added", "staff.sign_in"
  std::string target_type;                 // e.g. "account", "status"; may be empty
  std::optional<int64_t> target_id;
  std::string ip;
  std::string detail = "{}";  // a JSON object, hashed as the exact text stored
  std::string prev_hash;      // set by the store
  std::string hash;           // set by the store
};

// The hash of the entry before the first.
inline constexpr std::string_view kAuditGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// What an entry's hash covers: every field but `hash`, in a fixed order, each
// length-prefixed ("<bytes>:<value>;", an absent number as "0:;"), after the
// version tag "vantage-audit-1;".
std::string AuditEntryEncoding(const AuditEntry& entry);
// Lower-case hex SHA-256 of AuditEntryEncoding.
std::string AuditEntryHash(const AuditEntry& entry);

// Appends inside the caller's Write transaction: takes the head row's lock,
// numbers the entry, chains and stores it. Returns the entry as stored.
Result<AuditEntry> AppendAuditEntryOn(Connection& conn, AuditEntry entry);

// The first break `vantage audit verify` finds walking the chain from seq 1.
enum class AuditBreak {
  kNone,
  kModified,  // the entry's fields or hash were changed
  kInserted,  // the entry was not appended through the chain
  kDeleted,   // the entry that belongs at `seq` is gone
};
const char* AuditBreakName(AuditBreak kind);

struct AuditVerification {
  int64_t length = 0;     // entries read
  std::string head_hash;  // the last entry's hash (kAuditGenesisHash when empty)
  AuditBreak problem = AuditBreak::kNone;
  int64_t seq = 0;        // the entry at fault
  std::string message;    // names the entry and what is wrong with it
  bool intact() const { return problem == AuditBreak::kNone; }
};

// Walks a chain, entries in seq order, one at a time. Pure: the store feeds
// it, and tests can too. The diagnosis, for the first entry whose link or
// hash fails:
// - a gap in seq: the entry at the gap was deleted;
// - the entry's own hash fails but it links to the entry before: modified;
// - it links to an earlier entry than the one before it: the entries in
//   between were inserted;
// - the entry after it links to the entry before it: inserted;
// - its hash holds but it does not link: the entry before it was modified
//   and given a new hash;
// - else the entry that belonged here was deleted and the rest renumbered.
// An entry past the head's length, or any entry when there is no head row
// (the first append creates it), was inserted; entries missing up to it
// were deleted; a last hash other than the head's means the last entry was
// changed.
class AuditChainVerifier {
 public:
  // The head row (length, last hash) read in the same snapshot as the
  // entries, or nullopt when there is none.
  explicit AuditChainVerifier(std::optional<std::pair<int64_t, std::string>> head) : head_(std::move(head)) {}
  // Feeds the next entry; false once a break is found (stop feeding).
  bool Add(const AuditEntry& entry);
  // After the last entry.
  AuditVerification Finish();

 private:
  bool Check(const AuditEntry& entry, const AuditEntry* next);
  bool Fail(AuditBreak kind, int64_t seq, std::string message);

  std::optional<std::pair<int64_t, std::string>> head_;
  std::optional<AuditEntry> pending_;  // waiting for its successor (the lookahead)
  std::unordered_map<std::string, int64_t> seen_;  // hash -> seq, of the entries that held
  int64_t expected_seq_ = 1;
  std::string last_hash_ = std::string(kAuditGenesisHash);
  AuditVerification result_;
};

class AuditStore {
 public:
  virtual ~AuditStore() = default;
  // Appends one entry in a transaction of its own; the entry as stored.
  virtual Result<AuditEntry> Append(const AuditEntry& entry) = 0;
  // An organisation's entries, newest first, with seq below `max_seq` when set.
  virtual Result<std::vector<AuditEntry>> ListForOrganisation(int64_t organisation_id,
                                                              std::optional<int64_t> max_seq,
                                                              int limit) = 0;
  // Walks the whole chain in one snapshot.
  virtual Result<AuditVerification> Verify() = 0;
};

std::unique_ptr<AuditStore> MakeSqlAuditStore(Database& db);

}  // namespace vantage::store
