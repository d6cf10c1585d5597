// MediaStore over the backend-neutral SQL layer; the statements run unchanged
// on SQLite and PostgreSQL.
//
// Transactions, per use case:
// - Create, MarkReady and Delete change the attachment and its file rows in
//   one Write, so nobody sees a ready attachment without its files.
// - MarkReady/MarkFailed are conditional UPDATEs (`WHERE state =
//   'processing'`): a job finishing after the media was deleted changes
//   nothing and reports it, and its files become orphans for the sweep.
// - Attach is one conditional UPDATE (owner, ready, unattached), so two posts
//   racing for one attachment end with one of them owning it.
#include <algorithm>
#include <set>
#include <utility>

#include "store/media_store.h"
#include "store/sql.h"
#include "store/sql_rows.h"

namespace vantage::store {

const char* MediaStateName(MediaState state) {
  switch (state) {
    case MediaState::kProcessing: return "processing";
    case MediaState::kReady: return "ready";
    case MediaState::kFailed: return "failed";
  }
  return "processing";
}

static Result<MediaState> ParseState(const std::string& name, int64_t id) {
  if (name == "processing") return MediaState::kProcessing;
  if (name == "ready") return MediaState::kReady;
  if (name == "failed") return MediaState::kFailed;
  return Error::Internal("Media " + std::to_string(id) + " has unknown state " + name);
}

Result<MediaAttachment> DecodeMedia(const Row& row) {
  MediaAttachment m;
  m.id = row.Int(0);
  m.account_id = row.Int(1);
  auto state = ParseState(row.Text(2), m.id);
  if (!state) return std::move(state).error();
  m.state = *state;
  m.error_code = row.Text(3);
  m.description = row.Text(4);
  if (!row.IsNull(5) && !row.IsNull(6)) {
    m.focus_x = static_cast<int>(row.Int(5));
    m.focus_y = static_cast<int>(row.Int(6));
  }
  m.blurhash = row.Text(7);
  m.original_width = static_cast<int>(row.Int(8));
  m.original_height = static_cast<int>(row.Int(9));
  m.status_id = row.OptInt(10);
  m.position = static_cast<int>(row.Int(11));
  m.created_at = row.Int(12);
  m.updated_at = row.Int(13);
  m.remote_url = row.Text(14);
  return m;
}

namespace {

#define VANTAGE_MEDIA_COLUMNS VANTAGE_MEDIA_COLUMNS_OF("")
#define VANTAGE_MEDIA_FILE_COLUMNS "variant, format, file_key, width, height, size_bytes"

constexpr Statement kInsertMedia{
    "insert_media",
    "INSERT INTO media_attachments (" VANTAGE_MEDIA_COLUMNS ") "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"};
constexpr Statement kInsertMediaFile{
    "insert_media_file",
    "INSERT INTO media_files (media_id, " VANTAGE_MEDIA_FILE_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?)"};
constexpr Statement kSelectMedia{
    "select_media", "SELECT " VANTAGE_MEDIA_COLUMNS " FROM media_attachments WHERE id = ?"};
constexpr Statement kSelectMediaFiles{
    "select_media_files",
    "SELECT " VANTAGE_MEDIA_FILE_COLUMNS " FROM media_files WHERE media_id = ? "
    "ORDER BY variant, format"};
constexpr Statement kMarkMediaReady{
    "mark_media_ready",
    "UPDATE media_attachments SET state = 'ready', blurhash = ?, original_width = ?, "
    "original_height = ?, updated_at = ?, viewed_at = ? WHERE id = ? AND state = 'processing'"};
constexpr Statement kMarkMediaFailed{
    "mark_media_failed",
    "UPDATE media_attachments SET state = 'failed', error_code = ?, updated_at = ? "
    "WHERE id = ? AND state = 'processing'"};
constexpr Statement kMediaExists{"media_exists", "SELECT 1 FROM media_attachments WHERE id = ?"};
constexpr Statement kUpdateMedia{
    "update_media",
    "UPDATE media_attachments SET description = COALESCE(?, description), "
    "focus_x = CASE WHEN ? = 1 THEN ? ELSE focus_x END, "
    "focus_y = CASE WHEN ? = 1 THEN ? ELSE focus_y END, updated_at = ? WHERE id = ?"};
constexpr Statement kAttachMedia{
    "attach_media",
    "UPDATE media_attachments SET status_id = ?, position = ?, updated_at = ? "
    "WHERE id = ? AND account_id = ? AND state = 'ready' AND status_id IS NULL"};
// Only while unattached: a post that attached the media between the cleanup's
// listing and this delete keeps it (the attach is conditional the same way).
// A draft's photos (draft_media) are kept for it however long it takes.
constexpr Statement kDeleteMedia{
    "delete_media",
    "DELETE FROM media_attachments WHERE id = ? AND status_id IS NULL "
    "AND NOT EXISTS (SELECT 1 FROM draft_media d WHERE d.media_id = media_attachments.id)"};
constexpr Statement kSelectUnattachedMedia{
    "select_unattached_media",
    "SELECT id FROM media_attachments m WHERE status_id IS NULL AND created_at < ? "
    "AND NOT EXISTS (SELECT 1 FROM draft_media d WHERE d.media_id = m.id) "
    "ORDER BY created_at, id LIMIT ?"};
// Profile pictures share the blob store (accounts.avatar_key, migration 0010).
constexpr Statement kKeyReferenced{"media_key_referenced",
                                   "SELECT 1 FROM media_files WHERE file_key = ? "
                                   "UNION ALL SELECT 1 FROM accounts WHERE avatar_key = ? "
                                   "UNION ALL SELECT 1 FROM accounts WHERE avatar_small_key = ? LIMIT 1"};
// Stops at the first such status, also for a file thousands of posts share.
constexpr Statement kFileIsPublic{
    "media_file_is_public",
    "SELECT 1 FROM media_files f JOIN media_attachments m ON m.id = f.media_id "
    "JOIN statuses s ON s.id = m.status_id "
    "WHERE f.file_key = ? AND s.visibility IN ('public', 'unlisted') AND s.archived_at IS NULL LIMIT 1"};
// The remote media cache (docs/federation.md, "Following remote accounts").
constexpr Statement kRemoteMediaBytes{
    "remote_media_bytes",
    "SELECT COALESCE(SUM(f.size_bytes), 0) FROM media_files f JOIN media_attachments m ON m.id = f.media_id "
    "WHERE m.remote_url IS NOT NULL"};
constexpr Statement kLeastViewedRemoteMedia{
    "least_viewed_remote_media",
    "SELECT id FROM media_attachments WHERE remote_url IS NOT NULL AND viewed_at IS NOT NULL AND state = 'ready' "
    "AND viewed_at < ? ORDER BY viewed_at, id LIMIT ?"};
constexpr Statement kEvictRemoteMedia{
    "evict_remote_media",
    "UPDATE media_attachments SET state = 'processing', viewed_at = NULL, updated_at = ? "
    "WHERE id = ? AND remote_url IS NOT NULL AND state = 'ready'"};
constexpr Statement kDeleteMediaFiles{"delete_media_files", "DELETE FROM media_files WHERE media_id = ?"};
constexpr Statement kTouchRemoteMedia{
    "touch_remote_media",
    "UPDATE media_attachments SET viewed_at = ? WHERE remote_url IS NOT NULL AND state = 'ready' "
    "AND viewed_at < ? AND id IN (SELECT media_id FROM media_files WHERE file_key = ?)"};
constexpr Statement kInsertSecret{"insert_instance_secret",
                                  "INSERT INTO instance_secrets (name, value) VALUES (?, ?) ON CONFLICT DO NOTHING"};
constexpr Statement kSelectSecret{"select_instance_secret", "SELECT value FROM instance_secrets WHERE name = ?"};
constexpr Statement kAllMediaKeys{"all_media_keys",
                                  "SELECT file_key FROM media_files "
                                  "UNION SELECT avatar_key FROM accounts WHERE avatar_key IS NOT NULL "
                                  "UNION SELECT avatar_small_key FROM accounts WHERE avatar_small_key IS NOT NULL"};

#undef VANTAGE_MEDIA_COLUMNS
#undef VANTAGE_MEDIA_FILE_COLUMNS

Value OptInt(const std::optional<int>& v) { return v ? Value(int64_t{*v}) : Null(); }


// The attachment and its files, read on `conn`.
Result<std::optional<MediaAttachment>> LoadOn(Connection& conn, int64_t id) {
  auto row = conn.QueryOne(kSelectMedia, {id});
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<MediaAttachment>();
  auto media = DecodeMedia(**row);
  if (!media) return std::move(media).error();
  auto files = conn.Query(kSelectMediaFiles, {id});
  if (!files) return std::move(files).error();
  for (const Row& f : *files) {
    media->files.push_back(MediaFile{f.Text(0), f.Text(1), f.Text(2), static_cast<int>(f.Int(3)),
                                     static_cast<int>(f.Int(4)), f.Int(5)});
  }
  return std::optional<MediaAttachment>(std::move(*media));
}

Status InsertFiles(Connection& conn, int64_t id, const std::vector<MediaFile>& files) {
  for (const MediaFile& f : files) {
    auto inserted = conn.Exec(kInsertMediaFile, {id, f.variant, f.format, f.key, int64_t{f.width},
                                                 int64_t{f.height}, f.size_bytes});
    if (!inserted) return std::move(inserted).error();
  }
  return Ok();
}

// NotFound or Conflict "not_processing" for a conditional update that changed nothing.
Status ExplainUnchanged(Connection& conn, int64_t id) {
  auto exists = conn.QueryOne(kMediaExists, {id});
  if (!exists) return std::move(exists).error();
  if (!*exists) return Error::NotFound();
  return Error::Conflict("not_processing", "media " + std::to_string(id) + " is no longer processing");
}

class SqlMediaStore final : public MediaStore {
 public:
  explicit SqlMediaStore(Database& db) : db_(db) {}

  Result<MediaAttachment> Create(const MediaAttachment& m) override {
    if (m.id <= 0) return Error::Internal("A new media attachment needs an id from the IdGenerator");
    if (m.focus_x.has_value() != m.focus_y.has_value())
      return Error::Internal("focus_x and focus_y must be set together");
    VANTAGE_TRY(db_.Write([&](Connection& conn) -> Status {
      auto inserted = conn.Exec(
          kInsertMedia, {m.id, m.account_id, std::string(MediaStateName(m.state)), m.error_code,
                         m.description, OptInt(m.focus_x), OptInt(m.focus_y), m.blurhash,
                         int64_t{m.original_width}, int64_t{m.original_height}, Opt(m.status_id),
                         int64_t{m.position}, m.created_at, m.updated_at,
                         m.remote_url.empty() ? Null() : Value(m.remote_url)});
      if (!inserted) return std::move(inserted).error();
      return InsertFiles(conn, m.id, m.files);
    }));
    return m;
  }

  Result<std::optional<MediaAttachment>> FindById(int64_t id) override {
    std::optional<MediaAttachment> found;
    VANTAGE_TRY(db_.Read([&](Connection& conn) -> Status {
      auto loaded = LoadOn(conn, id);
      if (!loaded) return std::move(loaded).error();
      found = std::move(*loaded);
      return Ok();
    }));
    return found;
  }

  Result<MediaAttachment> MarkReady(int64_t id, const std::vector<MediaFile>& files,
                                    const std::string& blurhash, int original_width,
                                    int original_height, int64_t now) override {
    std::optional<MediaAttachment> updated;
    VANTAGE_TRY(db_.Write([&](Connection& conn) -> Status {
      auto changed = conn.Exec(kMarkMediaReady, {blurhash, int64_t{original_width},
                                                 int64_t{original_height}, now, now, id});
      if (!changed) return std::move(changed).error();
      if (*changed == 0) return ExplainUnchanged(conn, id);
      VANTAGE_TRY(InsertFiles(conn, id, files));
      auto loaded = LoadOn(conn, id);
      if (!loaded) return std::move(loaded).error();
      updated = std::move(*loaded);
      return Ok();
    }));
    if (!updated) return Error::NotFound();
    return std::move(*updated);
  }

  Status MarkFailed(int64_t id, const std::string& error_code, int64_t now) override {
    return db_.Write([&](Connection& conn) -> Status {
      auto changed = conn.Exec(kMarkMediaFailed, {error_code, now, id});
      if (!changed) return std::move(changed).error();
      if (*changed == 0) return ExplainUnchanged(conn, id);
      return Ok();
    });
  }

  Result<MediaAttachment> Update(int64_t id, const MediaPatch& patch, int64_t now) override {
    if (patch.focus_x.has_value() != patch.focus_y.has_value())
      return Error::Internal("focus_x and focus_y must be set together");
    int64_t set_focus = patch.focus_x ? 1 : 0;
    std::optional<MediaAttachment> updated;
    VANTAGE_TRY(db_.Write([&](Connection& conn) -> Status {
      auto changed = conn.Exec(kUpdateMedia, {Opt(patch.description), set_focus, OptInt(patch.focus_x),
                                              set_focus, OptInt(patch.focus_y), now, id});
      if (!changed) return std::move(changed).error();
      if (*changed == 0) return Error::NotFound();
      auto loaded = LoadOn(conn, id);
      if (!loaded) return std::move(loaded).error();
      updated = std::move(*loaded);
      return Ok();
    }));
    if (!updated) return Error::NotFound();
    return std::move(*updated);
  }

  Result<bool> Attach(int64_t id, int64_t account_id, int64_t status_id, int position,
                      int64_t now) override {
    int64_t changed = 0;
    VANTAGE_TRY(db_.Write([&](Connection& conn) -> Status {
      auto result = conn.Exec(kAttachMedia, {status_id, int64_t{position}, now, id, account_id});
      if (!result) return std::move(result).error();
      changed = *result;
      return Ok();
    }));
    return changed > 0;
  }

  Result<std::optional<std::vector<std::string>>> Delete(int64_t id) override {
    std::optional<std::vector<std::string>> keys;
    VANTAGE_TRY(db_.Write([&](Connection& conn) -> Status {
      keys.reset();
      auto files = conn.Query(kSelectMediaFiles, {id});
      if (!files) return std::move(files).error();
      // The file rows go with the attachment (ON DELETE CASCADE).
      auto deleted = conn.Exec(kDeleteMedia, {id});
      if (!deleted) return std::move(deleted).error();
      if (*deleted == 0) return Ok();
      std::set<std::string> unique;
      for (const Row& f : *files) unique.insert(f.Text(2));
      keys.emplace(unique.begin(), unique.end());
      return Ok();
    }));
    return keys;
  }

  Result<std::vector<int64_t>> ListUnattachedBefore(int64_t created_before, int limit) override {
    std::vector<int64_t> ids;
    VANTAGE_TRY(db_.Read([&](Connection& conn) -> Status {
      ids.clear();
      auto rows = conn.Query(kSelectUnattachedMedia, {created_before, int64_t{limit}});
      if (!rows) return std::move(rows).error();
      for (const Row& row : *rows) ids.push_back(row.Int(0));
      return Ok();
    }));
    return ids;
  }

  Result<std::vector<std::string>> UnreferencedKeys(const std::vector<std::string>& keys) override {
    std::vector<std::string> unused;
    VANTAGE_TRY(db_.Read([&](Connection& conn) -> Status {
      unused.clear();
      for (const std::string& key : keys) {
        auto row = conn.QueryOne(kKeyReferenced, {key, key, key});
        if (!row) return std::move(row).error();
        if (!*row) unused.push_back(key);
      }
      return Ok();
    }));
    return unused;
  }

  Result<bool> FileIsPublic(const std::string& key) override {
    bool found = false;
    VANTAGE_TRY(db_.Read([&](Connection& conn) -> Status {
      auto row = conn.QueryOne(kFileIsPublic, {key});
      if (!row) return std::move(row).error();
      found = row->has_value();
      return Ok();
    }));
    return found;
  }

  Result<int64_t> RemoteMediaBytes() override {
    int64_t bytes = 0;
    VANTAGE_TRY(db_.Read([&](Connection& conn) -> Status {
      auto row = conn.QueryOne(kRemoteMediaBytes, {});
      if (!row) return std::move(row).error();
      bytes = *row ? (**row).Int(0) : 0;
      return Ok();
    }));
    return bytes;
  }

  Result<std::vector<int64_t>> LeastViewedRemoteMedia(int64_t viewed_before, int limit) override {
    std::vector<int64_t> ids;
    VANTAGE_TRY(db_.Read([&](Connection& conn) -> Status {
      ids.clear();
      auto rows = conn.Query(kLeastViewedRemoteMedia, {viewed_before, int64_t{limit}});
      if (!rows) return std::move(rows).error();
      for (const Row& row : *rows) ids.push_back(row.Int(0));
      return Ok();
    }));
    return ids;
  }

  Result<std::optional<EvictedMedia>> EvictRemoteMedia(int64_t id, int64_t now) override {
    std::optional<EvictedMedia> evicted;
    VANTAGE_TRY(db_.Write([&](Connection& conn) -> Status {
      evicted.reset();
      auto changed = conn.Exec(kEvictRemoteMedia, {now, id});
      if (!changed) return std::move(changed).error();
      if (*changed == 0) return Ok();
      auto files = conn.Query(kSelectMediaFiles, {id});
      if (!files) return std::move(files).error();
      VANTAGE_TRY(conn.Exec(kDeleteMediaFiles, {id}));
      EvictedMedia out;
      std::set<std::string> unique;
      for (const Row& f : *files) {
        unique.insert(f.Text(2));
        out.bytes += f.Int(5);
      }
      out.keys.assign(unique.begin(), unique.end());
      evicted = std::move(out);
      return Ok();
    }));
    return evicted;
  }

  Status TouchRemoteMedia(const std::vector<std::string>& keys, int64_t now, int64_t older_than) override {
    if (keys.empty()) return Ok();
    return db_.Write([&](Connection& conn) -> Status {
      for (const std::string& key : keys) VANTAGE_TRY(conn.Exec(kTouchRemoteMedia, {now, older_than, key}));
      return Ok();
    });
  }

  Result<std::string> SharedSecret(const std::string& name, const std::string& fresh) override {
    std::string value;
    VANTAGE_TRY(db_.Write([&](Connection& conn) -> Status {
      auto inserted = conn.Exec(kInsertSecret, {name, fresh});
      if (!inserted) return std::move(inserted).error();
      auto row = conn.QueryOne(kSelectSecret, {name});
      if (!row) return std::move(row).error();
      if (!*row) return Error::Internal("secret " + name + " vanished");
      value = (*row)->Text(0);
      return Ok();
    }));
    return value;
  }

  Result<std::vector<std::string>> AllKeys() override {
    std::vector<std::string> keys;
    VANTAGE_TRY(db_.Read([&](Connection& conn) -> Status {
      keys.clear();
      auto rows = conn.Query(kAllMediaKeys, {});
      if (!rows) return std::move(rows).error();
      for (const Row& row : *rows) keys.push_back(row.Text(0));
      return Ok();
    }));
    std::sort(keys.begin(), keys.end());
    return keys;
  }

 private:
  Database& db_;
};

}  // namespace

std::unique_ptr<MediaStore> MakeSqlMediaStore(Database& db) {
  return std::make_unique<SqlMediaStore>(db);
}

}  // namespace vantage::store
