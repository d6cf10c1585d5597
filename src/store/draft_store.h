// Drafts: organisation posts in the making, their approvals and their
// release (docs/organisations.md, "Two-person approval").
//
// The store keeps the rows and applies transitions the service decides: every
// change first locks the draft's row (an UPDATE bumping its version), reads
// the draft as it now is, asks the caller's `decide` what to do and writes
// the answer with its audit entries, all in one transaction. Who may do what
// and which transitions exist is the service's policy (service/drafts.h).
//
// The conventions of store.h hold here.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "store/audit_store.h"
#include "store/sql.h"

namespace vantage::store {

enum class DraftState { kDraft, kSubmitted, kApproved, kScheduled, kPublished, kRejected };
const char* DraftStateName(DraftState state);
std::optional<DraftState> ParseDraftState(std::string_view name);

// What a draft would post.
struct DraftContent {
  std::string text;
  std::string spoiler_text;
  bool sensitive = false;
  std::string visibility = "public";
  std::string language;  // empty: unknown
  std::string cta_url;   // both empty: no call-to-action link
  std::string cta_label;
  // vantage_federate: false keeps the post on this server (docs/federation.md).
  bool federate = true;
  // The organisation's own uploads, in carousel order. Written only when
  // each is ready, attached to no post and in no other draft: otherwise
  // Invalid "media_ids" (media_not_found, media_processing, media_failed,
  // media_attached) naming the id, and nothing is written.
  std::vector<int64_t> media_ids;
};

struct DraftApproval {
  int64_t account_id = 0;
  int64_t created_at = 0;
};

struct Draft {
  int64_t id = 0;
  int64_t organisation_id = 0;
  std::optional<int64_t> author_id;  // none once the author's account is gone
  DraftState state = DraftState::kDraft;
  DraftContent content;
  // Asked for (draft, submitted, approved) or set (scheduled); none: now.
  std::optional<int64_t> scheduled_at;
  std::optional<std::string> rejection_reason;
  std::optional<int64_t> rejected_by;
  // Why the scheduler could not publish it (it went back to submitted).
  std::optional<std::string> publish_error;
  std::optional<int64_t> status_id;  // the published post
  std::optional<int64_t> published_at;
  // Counts every transition (each one bumps it as it locks the row).
  int64_t version = 1;
  // Rises with every change of what the draft would post (its content,
  // photos, their alt text and focus points, link, the time asked for) and
  // nothing else: what an approval, a rejection or a release is of. The API
  // shows it as `version`.
  int64_t content_version = 1;
  int64_t created_at = 0;
  int64_t updated_at = 0;

  // Read with the draft.
  int approvals_required = 1;            // the organisation's, when read
  std::vector<DraftApproval> approvals;  // oldest first
  std::vector<int64_t> editor_ids;       // its author and everyone who edited it
};

// What a transition makes of a draft: the fields as they are to be after it
// (start from Keep(current)), and what to add or clear.
struct DraftChange {
  DraftState state = DraftState::kDraft;
  std::optional<int64_t> scheduled_at;
  std::optional<std::string> rejection_reason;
  std::optional<int64_t> rejected_by;
  std::optional<std::string> publish_error;
  std::optional<DraftContent> content;  // replaces the content and media
  std::optional<int64_t> editor_id;     // recorded as having edited it
  bool content_changed = false;         // raises content_version
  bool clear_approvals = false;
  std::optional<int64_t> add_approval;  // an approver, approving now
  // Appended in this order; the store sets organisation, target and time.
  std::vector<AuditEntry> audit;
  // Runs in the transaction after the change is written: what caused it,
  // such as a new description of one of the draft's photos.
  std::function<Status(Connection&)> in_transaction;

  static DraftChange Keep(const Draft& current);
};

// Decides a transition from the draft as locked; an error rolls back.
using DecideDraftChange = std::function<Result<DraftChange>(const Draft& current)>;

class DraftStore {
 public:
  virtual ~DraftStore() = default;

  // Inserts `draft` (its content, media and author as its first editor) and
  // appends `audit` for it. Media errors as DraftContent says.
  virtual Result<Draft> Create(const Draft& draft, const AuditEntry& audit) = 0;

  // The organisation's draft, or nullopt (also for another organisation's).
  virtual Result<std::optional<Draft>> Find(int64_t organisation_id, int64_t id) = 0;

  // The organisation's drafts, most recently updated first, optionally in
  // one state, after the draft `after_id` (its place in that order), at most
  // `limit`.
  virtual Result<std::vector<Draft>> List(int64_t organisation_id, std::optional<DraftState> state,
                                          std::optional<int64_t> after_id, int limit) = 0;

  // Locks the draft, reads it, applies what `decide` answers at `now` and
  // returns the draft after it. NotFound when the organisation has no such
  // draft; `decide`'s errors as they are.
  virtual Result<Draft> Change(int64_t organisation_id, int64_t id, const DecideDraftChange& decide,
                               int64_t now) = 0;

  // Locks the draft and deletes it (its media become unattached uploads
  // again) when `decide` answers the audit entry to append.
  virtual Status Delete(int64_t organisation_id, int64_t id,
                        const std::function<Result<AuditEntry>(const Draft& current)>& decide) = 0;

  // The draft holding the photo `media_id`, as (organisation id, draft id),
  // or nullopt when no draft holds it.
  virtual Result<std::optional<std::pair<int64_t, int64_t>>> FindByMedia(int64_t media_id) = 0;

  // Scheduled drafts whose time is at or before `now`, earliest first, at
  // most `limit`: (organisation id, draft id).
  virtual Result<std::vector<std::pair<int64_t, int64_t>>> Due(int64_t now, int limit) = 0;

  // Sets the organisation's approvals_required (the organisation must
  // exist), appending `audit` in the same transaction.
  virtual Status SetApprovalsRequired(int64_t organisation_id, int approvals, const AuditEntry& audit) = 0;
};

// Inside the transaction of the post that publishes it: marks the draft
// published with that post, only if it is still in state `from` at
// `version`, the version whose content the post holds. Whether it was
// (false: another request or server published or changed it first, even if
// it came back to `from` since, and the caller must roll back).
Result<bool> MarkDraftPublishedOn(Connection& conn, int64_t draft_id, DraftState from, int64_t version,
                                  int64_t status_id, int64_t now);

// A photo's alt text and focus point (either optional; focus in thousandths,
// both or neither) written on `conn`, as MediaStore::Update writes them.
Status UpdateDraftMediaOn(Connection& conn, int64_t media_id, const std::optional<std::string>& description,
                          std::optional<int> focus_x, std::optional<int> focus_y, int64_t now);

std::unique_ptr<DraftStore> MakeSqlDraftStore(Database& db);

}  // namespace vantage::store
