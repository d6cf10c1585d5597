// DraftStore over the backend-neutral SQL layer; runs unchanged on SQLite
// and PostgreSQL.
//
// Isolation: every change starts with an UPDATE of the draft's row (its
// version), so on PostgreSQL a concurrent change of the same draft waits for
// this one and then reads what it left; SQLite's single writer serialises
// them anyway. Publishing marks the draft with a conditional UPDATE (WHERE
// state = the state it was published from) in the post's own transaction:
// of two servers publishing one draft, the second finds no row to change and
// rolls its post back.
#include <utility>

#include "store/draft_store.h"

namespace vantage::store {

namespace {

#define VANTAGE_DRAFT_COLUMNS                                                                              \
  "d.id, d.organisation_id, d.author_id, d.state, d.text, d.spoiler_text, d.sensitive, d.visibility, "     \
  "d.language, d.cta_url, d.cta_label, d.scheduled_at, d.rejection_reason, d.rejected_by, d.publish_error, " \
  "d.status_id, d.published_at, d.version, d.created_at, d.updated_at, o.approvals_required, "          \
  "d.content_version, d.federate"

constexpr Statement kInsertDraft{
    "draft_insert",
    "INSERT INTO drafts (id, organisation_id, author_id, state, text, spoiler_text, sensitive, visibility, "
    "language, cta_url, cta_label, scheduled_at, created_at, updated_at, federate) "
    "VALUES (?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"};
constexpr Statement kSelectDraft{
    "draft_select",
    "SELECT " VANTAGE_DRAFT_COLUMNS " FROM drafts d JOIN organisations o ON o.account_id = d.organisation_id "
    "WHERE d.id = ? AND d.organisation_id = ?"};
constexpr Statement kListDrafts{
    "draft_list",
    "SELECT " VANTAGE_DRAFT_COLUMNS " FROM drafts d JOIN organisations o ON o.account_id = d.organisation_id "
    "WHERE d.organisation_id = ? AND (? = '' OR d.state = ?) ORDER BY d.updated_at DESC, d.id DESC LIMIT ?"};
// After a draft: below it in (updated_at, id) order, wherever it is now.
constexpr Statement kListDraftsAfter{
    "draft_list_after",
    "SELECT " VANTAGE_DRAFT_COLUMNS " FROM drafts d JOIN organisations o ON o.account_id = d.organisation_id "
    "JOIN drafts c ON c.id = ? AND c.organisation_id = d.organisation_id "
    "WHERE d.organisation_id = ? AND (? = '' OR d.state = ?) "
    "AND (d.updated_at < c.updated_at OR (d.updated_at = c.updated_at AND d.id < c.id)) "
    "ORDER BY d.updated_at DESC, d.id DESC LIMIT ?"};
constexpr Statement kLockDraft{
    "draft_lock", "UPDATE drafts SET version = version + 1 WHERE id = ? AND organisation_id = ?"};
constexpr Statement kSelectDraftMedia{
    "draft_select_media", "SELECT media_id FROM draft_media WHERE draft_id = ? ORDER BY position"};
constexpr Statement kSelectDraftApprovals{
    "draft_select_approvals",
    "SELECT account_id, created_at FROM draft_approvals WHERE draft_id = ? ORDER BY created_at, account_id"};
constexpr Statement kSelectDraftEditors{
    "draft_select_editors",
    "SELECT account_id FROM draft_editors WHERE draft_id = ? ORDER BY created_at, account_id"};
// The organisation's own ready upload, attached to no post; a media id in
// another draft changes nothing (the unique media_id).
constexpr Statement kInsertDraftMedia{
    "draft_insert_media",
    "INSERT INTO draft_media (draft_id, position, media_id) "
    "SELECT ?, ?, id FROM media_attachments WHERE id = ? AND account_id = ? AND state = 'ready' "
    "AND status_id IS NULL ON CONFLICT DO NOTHING"};
constexpr Statement kDiagnoseDraftMedia{
    "draft_diagnose_media",
    "SELECT m.account_id, m.state, m.status_id, "
    "CASE WHEN d.media_id IS NULL THEN 0 ELSE 1 END FROM media_attachments m "
    "LEFT JOIN draft_media d ON d.media_id = m.id WHERE m.id = ?"};
constexpr Statement kSelectDraftOfMedia{
    "draft_of_media",
    "SELECT d.organisation_id, d.id FROM draft_media m JOIN drafts d ON d.id = m.draft_id WHERE m.media_id = ?"};
constexpr Statement kUpdateDraftPhoto{
    "draft_update_photo",
    "UPDATE media_attachments SET description = COALESCE(?, description), "
    "focus_x = CASE WHEN ? = 1 THEN ? ELSE focus_x END, "
    "focus_y = CASE WHEN ? = 1 THEN ? ELSE focus_y END, updated_at = ? WHERE id = ?"};
constexpr Statement kDeleteDraftMedia{"draft_delete_media", "DELETE FROM draft_media WHERE draft_id = ?"};
constexpr Statement kInsertEditor{
    "draft_insert_editor",
    "INSERT INTO draft_editors (draft_id, account_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"};
constexpr Statement kInsertApproval{
    "draft_insert_approval", "INSERT INTO draft_approvals (draft_id, account_id, created_at) VALUES (?, ?, ?)"};
constexpr Statement kClearApprovals{"draft_clear_approvals", "DELETE FROM draft_approvals WHERE draft_id = ?"};
constexpr Statement kUpdateContent{
    "draft_update_content",
    "UPDATE drafts SET text = ?, spoiler_text = ?, sensitive = ?, visibility = ?, language = ?, cta_url = ?, "
    "cta_label = ?, federate = ? WHERE id = ?"};
constexpr Statement kUpdateState{
    "draft_update_state",
    "UPDATE drafts SET state = ?, scheduled_at = ?, rejection_reason = ?, rejected_by = ?, publish_error = ?, "
    "updated_at = ?, content_version = content_version + ? WHERE id = ?"};
constexpr Statement kDeleteDraft{"draft_delete", "DELETE FROM drafts WHERE id = ?"};
constexpr Statement kSelectDue{
    "draft_select_due",
    "SELECT organisation_id, id FROM drafts WHERE state = 'scheduled' AND scheduled_at <= ? "
    "ORDER BY scheduled_at, id LIMIT ?"};
constexpr Statement kMarkPublished{
    "draft_mark_published",
    "UPDATE drafts SET state = 'published', status_id = ?, published_at = ?, publish_error = NULL, "
    "updated_at = ?, version = version + 1 WHERE id = ? AND state = ? AND version = ?"};
constexpr Statement kSetApprovalsRequired{
    "organisation_set_approvals_required",
    "UPDATE organisations SET approvals_required = ? WHERE account_id = ?"};

#undef VANTAGE_DRAFT_COLUMNS

Value OptText(const std::optional<std::string>& v) { return v ? Value(*v) : Null(); }

Result<Draft> DecodeDraft(const Row& row) {
  Draft d;
  d.id = row.Int(0);
  d.organisation_id = row.Int(1);
  d.author_id = row.OptInt(2);
  auto state = ParseDraftState(row.Text(3));
  if (!state) return Error::Internal("drafts.state holds an unknown state: " + row.Text(3));
  d.state = *state;
  d.content.text = row.Text(4);
  d.content.spoiler_text = row.Text(5);
  d.content.sensitive = row.Bool(6);
  d.content.visibility = row.Text(7);
  d.content.language = row.Text(8);
  d.content.cta_url = row.Text(9);
  d.content.cta_label = row.Text(10);
  d.scheduled_at = row.OptInt(11);
  d.rejection_reason = row.OptText(12);
  d.rejected_by = row.OptInt(13);
  d.publish_error = row.OptText(14);
  d.status_id = row.OptInt(15);
  d.published_at = row.OptInt(16);
  d.version = row.Int(17);
  d.created_at = row.Int(18);
  d.updated_at = row.Int(19);
  d.approvals_required = static_cast<int>(row.Int(20));
  d.content_version = row.Int(21);
  d.content.federate = row.Bool(22);
  return d;
}

// The draft's media, approvals and editors.
Status ReadParts(Connection& conn, Draft& d) {
  auto media = conn.Query(kSelectDraftMedia, {d.id});
  if (!media) return std::move(media).error();
  for (const Row& row : *media) d.content.media_ids.push_back(row.Int(0));
  auto approvals = conn.Query(kSelectDraftApprovals, {d.id});
  if (!approvals) return std::move(approvals).error();
  for (const Row& row : *approvals) d.approvals.push_back(DraftApproval{row.Int(0), row.Int(1)});
  auto editors = conn.Query(kSelectDraftEditors, {d.id});
  if (!editors) return std::move(editors).error();
  for (const Row& row : *editors) d.editor_ids.push_back(row.Int(0));
  return Ok();
}

Result<std::optional<Draft>> LoadOn(Connection& conn, int64_t organisation_id, int64_t id) {
  auto row = conn.QueryOne(kSelectDraft, {id, organisation_id});
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<Draft>();
  auto draft = DecodeDraft(**row);
  if (!draft) return std::move(draft).error();
  VANTAGE_TRY(ReadParts(conn, *draft));
  return std::optional<Draft>(std::move(*draft));
}

// Writes the draft's media in order, or says which one cannot be and why.
Status WriteMedia(Connection& conn, int64_t draft_id, int64_t organisation_id, const std::vector<int64_t>& ids) {
  int64_t position = 0;
  for (int64_t media_id : ids) {
    auto inserted = conn.Exec(kInsertDraftMedia, {draft_id, position++, media_id, organisation_id});
    if (!inserted) return std::move(inserted).error();
    if (*inserted == 1) continue;
    auto row = conn.QueryOne(kDiagnoseDraftMedia, {media_id});
    if (!row) return std::move(row).error();
    std::string id = std::to_string(media_id);
    if (!*row || (*row)->Int(0) != organisation_id)
      return Error::Invalid("media_ids", "media_ids: media " + id + " was not found", "media_not_found");
    if (!(*row)->IsNull(2))
      return Error::Invalid("media_ids", "media_ids: media " + id + " is already attached to a post",
                            "media_attached");
    if ((*row)->Bool(3))
      return Error::Invalid("media_ids", "media_ids: media " + id + " is already in another draft",
                            "media_attached");
    if ((*row)->Text(1) == "processing")
      return Error::Invalid("media_ids", "media_ids: media " + id + " is still processing; try again shortly",
                            "media_processing");
    return Error::Invalid("media_ids", "media_ids: media " + id + " failed processing and cannot be posted",
                          "media_failed");
  }
  return Ok();
}

Status WriteContent(Connection& conn, int64_t draft_id, const DraftContent& c) {
  auto updated = conn.Exec(kUpdateContent, {c.text, c.spoiler_text, int64_t{c.sensitive ? 1 : 0}, c.visibility,
                                            c.language, c.cta_url, c.cta_label, int64_t{c.federate ? 1 : 0},
                                            draft_id});
  if (!updated) return std::move(updated).error();
  return Ok();
}

Status AppendFor(Connection& conn, const Draft& d, AuditEntry entry, int64_t now) {
  entry.organisation_id = d.organisation_id;
  entry.target_type = "draft";
  entry.target_id = d.id;
  if (entry.created_at == 0) entry.created_at = now;
  auto appended = AppendAuditEntryOn(conn, std::move(entry));
  if (!appended) return std::move(appended).error();
  return Ok();
}

class SqlDraftStore final : public DraftStore {
 public:
  explicit SqlDraftStore(Database& db) : db_(db) {}

  Result<Draft> Create(const Draft& d, const AuditEntry& audit) override {
    if (d.id <= 0) return Error::Internal("A new draft needs an id from the IdGenerator");
    std::optional<Draft> out;
    Status status = db_.Write([&](Connection& conn) -> Status {
      const DraftContent& c = d.content;
      auto inserted = conn.Exec(kInsertDraft, {d.id, d.organisation_id, Opt(d.author_id), c.text, c.spoiler_text,
                                               int64_t{c.sensitive ? 1 : 0}, c.visibility, c.language, c.cta_url,
                                               c.cta_label, Opt(d.scheduled_at), d.created_at, d.updated_at,
                                               int64_t{c.federate ? 1 : 0}});
      if (!inserted) return std::move(inserted).error();
      VANTAGE_TRY(WriteMedia(conn, d.id, d.organisation_id, c.media_ids));
      if (d.author_id) {
        auto editor = conn.Exec(kInsertEditor, {d.id, *d.author_id, d.created_at});
        if (!editor) return std::move(editor).error();
      }
      VANTAGE_TRY(AppendFor(conn, d, audit, d.created_at));
      auto loaded = LoadOn(conn, d.organisation_id, d.id);
      if (!loaded) return std::move(loaded).error();
      out = std::move(*loaded);
      return Ok();
    });
    if (!status) return std::move(status).error();
    if (!out) return Error::Internal("The new draft is gone");
    return std::move(*out);
  }

  Result<std::optional<Draft>> Find(int64_t organisation_id, int64_t id) override {
    std::optional<Draft> out;
    Status status = db_.Read([&](Connection& conn) -> Status {
      auto loaded = LoadOn(conn, organisation_id, id);
      if (!loaded) return std::move(loaded).error();
      out = std::move(*loaded);
      return Ok();
    });
    if (!status) return std::move(status).error();
    return out;
  }

  Result<std::vector<Draft>> List(int64_t organisation_id, std::optional<DraftState> state,
                                  std::optional<int64_t> after_id, int limit) override {
    std::vector<Draft> out;
    std::string state_name = state ? DraftStateName(*state) : "";
    Status status = db_.Read([&](Connection& conn) -> Status {
      out.clear();
      auto rows = after_id ? conn.Query(kListDraftsAfter, {*after_id, organisation_id, state_name, state_name,
                                                           int64_t{limit}})
                           : conn.Query(kListDrafts, {organisation_id, state_name, state_name, int64_t{limit}});
      if (!rows) return std::move(rows).error();
      for (const Row& row : *rows) {
        auto draft = DecodeDraft(row);
        if (!draft) return std::move(draft).error();
        VANTAGE_TRY(ReadParts(conn, *draft));
        out.push_back(std::move(*draft));
      }
      return Ok();
    });
    if (!status) return std::move(status).error();
    return out;
  }

  Result<Draft> Change(int64_t organisation_id, int64_t id, const DecideDraftChange& decide, int64_t now) override {
    std::optional<Draft> out;
    Status status = db_.Write([&](Connection& conn) -> Status {
      auto current = Lock(conn, organisation_id, id);
      if (!current) return std::move(current).error();
      auto change = decide(*current);
      if (!change) return std::move(change).error();
      if (change->content) {
        VANTAGE_TRY(WriteContent(conn, id, *change->content));
        auto cleared = conn.Exec(kDeleteDraftMedia, {id});
        if (!cleared) return std::move(cleared).error();
        VANTAGE_TRY(WriteMedia(conn, id, organisation_id, change->content->media_ids));
      }
      if (change->editor_id) {
        auto editor = conn.Exec(kInsertEditor, {id, *change->editor_id, now});
        if (!editor) return std::move(editor).error();
      }
      if (change->clear_approvals) {
        auto cleared = conn.Exec(kClearApprovals, {id});
        if (!cleared) return std::move(cleared).error();
      }
      if (change->add_approval) {
        auto approved = conn.Exec(kInsertApproval, {id, *change->add_approval, now});
        if (!approved) return std::move(approved).error();
      }
      auto updated = conn.Exec(kUpdateState, {std::string(DraftStateName(change->state)), Opt(change->scheduled_at),
                                              OptText(change->rejection_reason), Opt(change->rejected_by),
                                              OptText(change->publish_error), now,
                                              int64_t{change->content_changed ? 1 : 0}, id});
      if (!updated) return std::move(updated).error();
      for (AuditEntry& entry : change->audit) VANTAGE_TRY(AppendFor(conn, *current, std::move(entry), now));
      if (change->in_transaction) VANTAGE_TRY(change->in_transaction(conn));
      auto loaded = LoadOn(conn, organisation_id, id);
      if (!loaded) return std::move(loaded).error();
      out = std::move(*loaded);
      return Ok();
    });
    if (!status) return std::move(status).error();
    if (!out) return Error::NotFound();
    return std::move(*out);
  }

  Status Delete(int64_t organisation_id, int64_t id,
                const std::function<Result<AuditEntry>(const Draft& current)>& decide) override {
    return db_.Write([&](Connection& conn) -> Status {
      auto current = Lock(conn, organisation_id, id);
      if (!current) return std::move(current).error();
      auto entry = decide(*current);
      if (!entry) return std::move(entry).error();
      auto deleted = conn.Exec(kDeleteDraft, {id});
      if (!deleted) return std::move(deleted).error();
      int64_t at = entry->created_at;
      return AppendFor(conn, *current, std::move(*entry), at);
    });
  }

  Result<std::optional<std::pair<int64_t, int64_t>>> FindByMedia(int64_t media_id) override {
    std::optional<std::pair<int64_t, int64_t>> out;
    Status status = db_.Read([&](Connection& conn) -> Status {
      auto row = conn.QueryOne(kSelectDraftOfMedia, {media_id});
      if (!row) return std::move(row).error();
      out.reset();
      if (*row) out.emplace((*row)->Int(0), (*row)->Int(1));
      return Ok();
    });
    if (!status) return std::move(status).error();
    return out;
  }

  Result<std::vector<std::pair<int64_t, int64_t>>> Due(int64_t now, int limit) override {
    std::vector<std::pair<int64_t, int64_t>> out;
    Status status = db_.Read([&](Connection& conn) -> Status {
      out.clear();
      auto rows = conn.Query(kSelectDue, {now, int64_t{limit}});
      if (!rows) return std::move(rows).error();
      for (const Row& row : *rows) out.emplace_back(row.Int(0), row.Int(1));
      return Ok();
    });
    if (!status) return std::move(status).error();
    return out;
  }

  Status SetApprovalsRequired(int64_t organisation_id, int approvals, const AuditEntry& audit) override {
    return db_.Write([&](Connection& conn) -> Status {
      auto updated = conn.Exec(kSetApprovalsRequired, {int64_t{approvals}, organisation_id});
      if (!updated) return std::move(updated).error();
      if (*updated == 0) return Error::NotFound();
      AuditEntry entry = audit;
      entry.organisation_id = organisation_id;
      entry.target_type = "organisation";
      entry.target_id = organisation_id;
      auto appended = AppendAuditEntryOn(conn, std::move(entry));
      if (!appended) return std::move(appended).error();
      return Ok();
    });
  }

 private:
  // Locks the draft's row, then reads it as the lock left it.
  static Result<Draft> Lock(Connection& conn, int64_t organisation_id, int64_t id) {
    auto locked = conn.Exec(kLockDraft, {id, organisation_id});
    if (!locked) return std::move(locked).error();
    if (*locked == 0) return Error::NotFound();
    auto current = LoadOn(conn, organisation_id, id);
    if (!current) return std::move(current).error();
    if (!*current) return Error::NotFound();
    return std::move(**current);
  }

  Database& db_;
};

}  // namespace

const char* DraftStateName(DraftState state) {
  switch (state) {
    case DraftState::kDraft:
      return "draft";
    case DraftState::kSubmitted:
      return "submitted";
    case DraftState::kApproved:
      return "approved";
    case DraftState::kScheduled:
      return "scheduled";
    case DraftState::kPublished:
      return "published";
    case DraftState::kRejected:
      return "rejected";
  }
  return "draft";
}

std::optional<DraftState> ParseDraftState(std::string_view name) {
  for (DraftState state : {DraftState::kDraft, DraftState::kSubmitted, DraftState::kApproved, DraftState::kScheduled,
                           DraftState::kPublished, DraftState::kRejected})
    if (name == DraftStateName(state)) return state;
  return std::nullopt;
}

DraftChange DraftChange::Keep(const Draft& current) {
  DraftChange change;
  change.state = current.state;
  change.scheduled_at = current.scheduled_at;
  change.rejection_reason = current.rejection_reason;
  change.rejected_by = current.rejected_by;
  change.publish_error = current.publish_error;
  return change;
}

Result<bool> MarkDraftPublishedOn(Connection& conn, int64_t draft_id, DraftState from, int64_t version,
                                  int64_t status_id, int64_t now) {
  auto changed =
      conn.Exec(kMarkPublished, {status_id, now, now, draft_id, std::string(DraftStateName(from)), version});
  if (!changed) return std::move(changed).error();
  return *changed == 1;
}

Status UpdateDraftMediaOn(Connection& conn, int64_t media_id, const std::optional<std::string>& description,
                          std::optional<int> focus_x, std::optional<int> focus_y, int64_t now) {
  bool focus = focus_x && focus_y;
  auto changed = conn.Exec(kUpdateDraftPhoto, {OptText(description), int64_t{focus},
                                               int64_t{focus_x.value_or(0)}, int64_t{focus},
                                               int64_t{focus_y.value_or(0)}, now, media_id});
  if (!changed) return std::move(changed).error();
  if (*changed == 0) return Error::NotFound();
  return Ok();
}

std::unique_ptr<DraftStore> MakeSqlDraftStore(Database& db) { return std::make_unique<SqlDraftStore>(db); }

}  // namespace vantage::store
