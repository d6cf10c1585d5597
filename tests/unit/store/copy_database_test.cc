// vantage migrate-data: a populated SQLite instance copied into PostgreSQL,
// then every table compared row by row. The tables come from the SQLite
// schema, and each must hold rows in the seeded instance, so a table added by
// a later migration fails this test until it is seeded here too.
#include "store/copy_database.h"
#include "store/audit_store.h"
#include "store/event_store.h"
#include "store/export_store.h"
#include "store/mail_store.h"
#include "store/second_factor_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "core/id.h"
#include "store/postgres/postgres_database.h"
#include "store/sqlite/sqlite_database.h"
#include "store/store.h"
#include "postgres_test_server.h"
#include "store_backend.h"

namespace vantage::store {
namespace {

using testing::TempDir;
using testing::TestDatabase;

// Every table of the instance with rows in it.
void Seed(Store& store, IdGenerator& ids) {
  int64_t now = NowUnixMs();
  for (int i = 0; i < 3; ++i) {
    Account account;
    account.id = ids.Next();
    account.username = "user_" + std::to_string(i);
    account.email = "user" + std::to_string(i) + "@example.org";
    account.display_name = "User \xc3\xa9 " + std::to_string(i);
    account.note = "line one\nline 'two'";
    account.password_hash = "$argon2id$v=19$fake";
    account.role = i == 0 ? Role::kAdmin : Role::kUser;
    account.locked = i == 1;
    account.approved = i != 2;
    account.created_at = account.updated_at = now + i;
    ASSERT_TRUE(store.accounts().Create(account).ok());

    App app;
    app.id = ids.Next();
    app.name = "App " + std::to_string(i);
    app.redirect_uris = "urn:ietf:wg:oauth:2.0:oob";
    app.scopes = "read write";
    app.client_id = "client-" + std::to_string(i);
    app.client_secret_hash = "secret-hash-" + std::to_string(i);
    app.created_at = now;
    ASSERT_TRUE(store.apps().Create(app).ok());

    AuthorizationCode code;
    code.code_hash = "code-hash-" + std::to_string(i);
    code.app_id = app.id;
    code.account_id = account.id;
    code.redirect_uri = app.redirect_uris;
    code.scopes = "read";
    code.expires_at = now + 600000;
    ASSERT_TRUE(store.authorization_codes().Create(code).ok());

    Token token;
    token.id = ids.Next();
    token.token_hash = "token-hash-" + std::to_string(i);
    token.kind = i == 0 ? TokenKind::kSession : TokenKind::kOAuth;
    if (i != 0) token.app_id = app.id;
    if (i != 2) token.account_id = account.id;  // one app-only token with a NULL account
    token.scopes = "read";
    token.csrf_token = i == 0 ? "csrf" : "";
    token.created_at = token.last_used_at = now;
    ASSERT_TRUE(store.tokens().Create(token).ok());

    MediaAttachment media;
    media.id = ids.Next();
    media.account_id = account.id;
    media.description = "alt \xc3\xa9 " + std::to_string(i);
    if (i == 1) media.focus_x = -250, media.focus_y = 750;
    media.created_at = media.updated_at = now;
    ASSERT_TRUE(store.media().Create(media).ok());
    std::vector<MediaFile> files = {
        {"large", "jpeg", "key-large-" + std::to_string(i), 1080, 720, 12345},
        {"thumb", "webp", "key-thumb-" + std::to_string(i), 320, 320, 2345}};
    ASSERT_TRUE(store.media().MarkReady(media.id, files, "LEHV6nWB2yk8", 4000, 3000, now).ok());
    if (i == 2) {
      ASSERT_TRUE(*store.media().Attach(media.id, account.id, ids.Next(), 1, now));
    }
  }

  // Statuses: a post with a tag and a mention, a comment on it, and an edit
  // (which writes the history rows).
  auto author = store.accounts().FindByUsername("user_0");
  auto commenter = store.accounts().FindByUsername("user_1");
  ASSERT_TRUE(author.ok() && author->has_value() && commenter.ok() && commenter->has_value());
  Post post;
  post.id = ids.Next();
  post.account_id = (*author)->id;
  post.text = "Archive day #Museum @user_1";
  post.content = "<p>Archive day</p>";
  post.language = "en";
  post.idempotency_key = "seed-key";
  post.created_at = post.updated_at = now;
  post.tags = {TagRef{ids.Next(), "Museum", "museum"}};
  ASSERT_TRUE(store.statuses().Create(post, {(*commenter)->id}).ok());
  Post reply;
  reply.id = ids.Next();
  reply.account_id = (*commenter)->id;
  reply.in_reply_to_id = post.id;
  reply.in_reply_to_account_id = post.account_id;
  reply.text = "lovely";
  reply.created_at = reply.updated_at = now + 1;
  ASSERT_TRUE(store.statuses().Create(reply, {}).ok());
  PostChange change;
  change.text = "Archive day, edited #Museum";
  change.content = "<p>Archive day, edited</p>";
  change.tags = post.tags;
  change.mention_account_ids = {(*commenter)->id};
  change.original_edit_id = ids.Next();
  change.edit_id = ids.Next();
  change.now = now + 2;
  ASSERT_TRUE(store.statuses().Edit(post.id, post.account_id, change).ok());
  ASSERT_TRUE(store.statuses().Pin(post.id, post.account_id, 3, now + 3).ok());

  // The social tables, written directly: this test is about the copy.
  int64_t a = (*author)->id, c = (*commenter)->id;
  Status social = store.database().Write([&](Connection& conn) -> Status {
    struct Insert {
      Statement statement;
      std::vector<Value> args;
    };
    const Insert inserts[] = {
        {{"seed_follow", "INSERT INTO follows (id, account_id, target_account_id, created_at) VALUES (?, ?, ?, ?)"},
         {ids.Next(), c, a, now}},
        {{"seed_follow_request",
          "INSERT INTO follow_requests (id, account_id, target_account_id, created_at) VALUES (?, ?, ?, ?)"},
         {ids.Next(), a, c, now}},
        {{"seed_block", "INSERT INTO blocks (id, account_id, target_account_id, created_at) VALUES (?, ?, ?, ?)"},
         {ids.Next(), a, c, now}},
        {{"seed_mute", "INSERT INTO mutes (id, account_id, target_account_id, created_at) VALUES (?, ?, ?, ?)"},
         {ids.Next(), c, a, now}},
        {{"seed_favourite", "INSERT INTO favourites (id, account_id, status_id, created_at) VALUES (?, ?, ?, ?)"},
         {ids.Next(), c, post.id, now}},
        {{"seed_bookmark", "INSERT INTO bookmarks (id, account_id, status_id, created_at) VALUES (?, ?, ?, ?)"},
         {ids.Next(), c, post.id, now}},
        {{"seed_notification",
          "INSERT INTO notifications (id, account_id, from_account_id, type, status_id, created_at) "
          "VALUES (?, ?, ?, 'favourite', ?, ?)"},
         {ids.Next(), a, c, post.id, now}},
        {{"seed_home_feed", "INSERT INTO home_feed (account_id, status_id, author_id) VALUES (?, ?, ?)"},
         {c, post.id, a}},
        {{"seed_secret", "INSERT INTO instance_secrets (name, value) VALUES (?, ?)"},
         {std::string("media_url_key"), std::string("k3y")}},
        {{"seed_follower_counts",
          "INSERT INTO follower_counts_hourly (account_id, hour, followers_count) VALUES (?, ?, ?)"},
         {a, now - now % 3600000, int64_t{1}}},
    };
    for (const Insert& insert : inserts) {
      auto done = conn.Exec(insert.statement, insert.args);
      if (!done) return std::move(done).error();
    }
    return Ok();
  });
  ASSERT_TRUE(social.ok()) << social.error().message;

  // An organisation with a staff member, and audit entries about it.
  auto approver = store.accounts().FindByUsername("user_2");
  ASSERT_TRUE(approver.ok() && approver->has_value());
  int64_t b = (*approver)->id;
  Status organisation = store.database().Write([&](Connection& conn) -> Status {
    const Statement kOrganisation{"seed_organisation",
                                  "INSERT INTO organisations (account_id, approvals_required, created_at) "
                                  "VALUES (?, 2, ?)"};
    const Statement kRole{"seed_organisation_role",
                          "INSERT INTO organisation_roles (organisation_id, account_id, role, created_at) "
                          "VALUES (?, ?, 'editor', ?)"};
    auto done = conn.Exec(kOrganisation, {a, now});
    if (!done) return std::move(done).error();
    done = conn.Exec(kRole, {a, c, now});
    if (!done) return std::move(done).error();
    // A scheduled draft with its photo, editor and approval.
    int64_t photo = ids.Next();
    int64_t draft = ids.Next();
    const Statement kPhoto{"seed_draft_photo",
                           "INSERT INTO media_attachments (id, account_id, state, created_at, updated_at) "
                           "VALUES (?, ?, 'ready', ?, ?)"};
    const Statement kDraft{"seed_draft",
                           "INSERT INTO drafts (id, organisation_id, author_id, state, text, cta_url, cta_label, "
                           "scheduled_at, rejection_reason, version, created_at, updated_at) "
                           "VALUES (?, ?, ?, 'scheduled', ?, 'https://jobs.example.org/', 'Apply', ?, NULL, 3, ?, ?)"};
    const Statement kDraftMedia{"seed_draft_media",
                                "INSERT INTO draft_media (draft_id, position, media_id) VALUES (?, 0, ?)"};
    const Statement kDraftEditor{"seed_draft_editor",
                                 "INSERT INTO draft_editors (draft_id, account_id, created_at) VALUES (?, ?, ?)"};
    const Statement kDraftApproval{"seed_draft_approval",
                                   "INSERT INTO draft_approvals (draft_id, account_id, created_at) VALUES (?, ?, ?)"};
    // A pending invitation, and a session recorded as acting for it.
    const Statement kInvitation{"seed_invitation",
                                "INSERT INTO organisation_invitations (organisation_id, account_id, roles, created_at) "
                                "VALUES (?, ?, 'approver moderator', ?)"};
    const Statement kSession{"seed_organisation_session",
                             "INSERT INTO organisation_sessions (organisation_id, token_id, created_at) "
                             "SELECT ?, id, ? FROM tokens WHERE account_id = ? LIMIT 1"};
    for (auto result : {conn.Exec(kInvitation, {a, b, now}), conn.Exec(kSession, {a, now, c})})
      if (!result) return std::move(result).error();
    for (auto result : {conn.Exec(kPhoto, {photo, a, now, now}),
                        conn.Exec(kDraft, {draft, a, c, std::string("Archive \xc3\xa9 #release"), now + 60000, now,
                                           now}),
                        conn.Exec(kDraftMedia, {draft, photo}), conn.Exec(kDraftEditor, {draft, c, now}),
                        conn.Exec(kDraftApproval, {draft, b, now})}) {
      if (!result) return std::move(result).error();
    }
    return Ok();
  });
  ASSERT_TRUE(organisation.ok()) << organisation.error().message;
  for (const char* action : {"staff.role_added", "staff.sign_in"}) {
    AuditEntry entry;
    entry.created_at = now;
    entry.organisation_id = a;
    entry.actor_id = c;
    entry.action = action;
    entry.target_type = "account";
    entry.target_id = c;
    entry.ip = "192.0.2.7";
    entry.detail = "{\"role\":\"\u00e9diteur\"}";
    ASSERT_TRUE(store.audit().Append(entry).ok());
  }

  // Comment controls: an account's hidden words, and two reports on it, one
  // closed by an admin.
  Status moderation = store.database().Write([&](Connection& conn) -> Status {
    const Statement kHiddenWords{"seed_hidden_words",
                                 "INSERT INTO hidden_words (account_id, words, use_default, updated_at) "
                                 "VALUES (?, ?, 0, ?)"};
    const Statement kReport{"seed_report",
                            "INSERT INTO reports (id, reporter_id, target_account_id, target_key, status_ids, "
                            "question_id, comment, category, state, created_at, updated_at, resolved_at, resolved_by) "
                            "VALUES (?, ?, ?, ?, '', NULL, ?, ?, ?, ?, ?, ?, ?)"};
    for (auto result :
         {conn.Exec(kHiddenWords, {a, std::string("spoiler\nthe butler did it \xc3\xa9"), now}),
          conn.Exec(kReport, {ids.Next(), c, a, std::string("account:1;statuses:"), std::string("Abuse \xc3\xa9"),
                              std::string("violation"), std::string("open"), now, now, Null(), Null()}),
          conn.Exec(kReport, {ids.Next(), c, a, std::string("account:1;statuses:"), std::string(""),
                              std::string("spam"), std::string("resolved"), now, now + 1, now + 1, c})}) {
      if (!result) return std::move(result).error();
    }
    return Ok();
  });
  ASSERT_TRUE(moderation.ok()) << moderation.error().message;

  // Live Q&A: a closed session of the organisation with an answered question
  // (two answer texts), a duplicate merged into it, and the session's events,
  // the first of them pruned: the topic's counter (last_id 2) is then ahead of
  // the newest event left, as on a server that has pruned.
  Status qa = store.database().Write([&](Connection& conn) -> Status {
    int64_t session = ids.Next(), question = ids.Next(), duplicate = ids.Next();
    const Statement kSession{"seed_qa_session",
                             "INSERT INTO qa_sessions (id, organisation_id, title, description, starts_at, ends_at, "
                             "pseudonym, state, version, created_at, updated_at, closed_at, archived_at) "
                             "VALUES (?, ?, ?, '', ?, ?, ?, 'closed', 4, ?, ?, ?, NULL)"};
    const Statement kQuestion{"seed_qa_question",
                              "INSERT INTO qa_questions (id, session_id, account_id, show_name, text, state, "
                              "merged_into, duplicates_count, answer_text, answer_as, answered_at, "
                              "answer_edited_at, created_at, updated_at) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"};
    const Statement kRevision{"seed_qa_revision",
                              "INSERT INTO qa_answer_revisions (question_id, revision, text, created_at) "
                              "VALUES (?, ?, ?, ?)"};
    const Statement kPruneFirst{"seed_prune_first_event", "DELETE FROM events WHERE topic = ? AND id = 1"};
    std::string topic = "qa:" + std::to_string(session);
    for (auto result :
         {conn.Exec(kSession, {session, a, std::string("Ask the archivist Ã©"), now, now + 3600000,
                               std::string("The Archivist"), now, now + 5, now + 5}),
          conn.Exec(kQuestion, {question, session, c, int64_t{1}, std::string("Which box is oldest?"),
                                std::string("approved"), Null(), int64_t{1}, std::string("Box 7, from 1821."),
                                std::string("pseudonym"), now + 2, now + 3, now, now + 3}),
          conn.Exec(kQuestion, {duplicate, session, Null(), int64_t{0}, std::string("oldest box?"),
                                std::string("merged"), question, int64_t{0}, Null(), Null(), Null(), Null(),
                                now + 1, now + 2}),
          conn.Exec(kRevision, {question, int64_t{1}, std::string("Box 7."), now + 2}),
          conn.Exec(kRevision, {question, int64_t{2}, std::string("Box 7, from 1821."), now + 3})}) {
      if (!result) return std::move(result).error();
    }
    for (const char* type : {"answer", "closed"}) {
      auto appended = AppendEventOn(conn, topic, type, "{\"id\":\"" + std::to_string(question) + "\"}", now);
      if (!appended) return std::move(appended).error();
    }
    auto pruned = conn.Exec(kPruneFirst, {topic});
    if (!pruned) return std::move(pruned).error();
    return Ok();
  });
  ASSERT_TRUE(qa.ok()) << qa.error().message;

  // Federation: a remote follower with its actor, a made key, the instance
  // actor's key, an outbox entry, an activity with a delivery waiting, an
  // unavailable host and a domain block.
  int64_t remote = ids.Next(), activity = ids.Next();
  Status federation = store.database().Write([&](Connection& conn) -> Status {
    const Statement kRemote{"seed_remote_account",
                            "INSERT INTO accounts (id, username, display_name, created_at, updated_at, domain, url) "
                            "VALUES (?, 'kite@social.example', 'Kite \xc3\xa9', ?, ?, 'social.example', "
                            "'https://social.example/@kite')"};
    const Statement kActor{"seed_remote_actor",
                           "INSERT INTO remote_actors (account_id, uri, inbox, shared_inbox, followers_uri, key_id, "
                           "public_key_pem, fetched_at) VALUES (?, 'https://social.example/users/kite', "
                           "'https://social.example/users/kite/inbox', 'https://social.example/inbox', "
                           "'https://social.example/users/kite/followers', 'https://social.example/users/kite#main-key', "
                           "'-----BEGIN PUBLIC KEY-----', ?)"};
    const Statement kRemoteFollow{"seed_remote_follow",
                                  "INSERT INTO follows (id, account_id, target_account_id, created_at, uri) "
                                  "VALUES (?, ?, ?, ?, 'https://social.example/follows/1')"};
    const Statement kKey{"seed_actor_key",
                         "UPDATE actor_keys SET public_pem = 'public', private_pem = 'private', created_at = ? "
                         "WHERE account_id = ?"};
    const Statement kInstanceKey{"seed_instance_key",
                                 "INSERT INTO instance_actor_key (id, public_pem, private_pem, created_at) "
                                 "VALUES (1, 'public', 'private', ?)"};
    const Statement kOutbox{"seed_outbox",
                            "INSERT INTO federation_outbox (id, account_id, kind, object_id, detail, created_at) "
                            "VALUES (?, ?, 'post.deleted', 7, '{\"visibility\":\"public\"}', ?)"};
    const Statement kActivity{"seed_activity",
                              "INSERT INTO federation_activities (id, account_id, body, created_at) "
                              "VALUES (?, ?, '{\"type\":\"Delete\"}', ?)"};
    const Statement kDelivery{"seed_delivery",
                              "INSERT INTO deliveries (id, activity_id, inbox, host, attempts, next_attempt_at, "
                              "created_at) VALUES (?, ?, 'https://social.example/inbox', 'social.example', 2, ?, ?)"};
    const Statement kHost{"seed_host",
                          "INSERT INTO federation_hosts (host, unavailable_since) VALUES ('gone.example', ?)"};
    const Statement kAnnounce{"seed_announce",
                              "INSERT INTO announces (id, account_id, status_id, uri, created_at) "
                              "SELECT ?, ?, id, 'https://social.example/users/kite/statuses/9/activity', ? "
                              "FROM statuses ORDER BY id LIMIT 1"};
    const Statement kDomainAllow{"seed_domain_allow",
                                 "INSERT INTO domain_allows (domain, created_at) VALUES ('friends.example', ?)"};
    const Statement kDomainBlock{"seed_domain_block",
                                 "INSERT INTO domain_blocks (domain, severity, reason, created_at) "
                                 "VALUES ('spam.example', 'suspend', 'spam', ?)"};
    const Statement kReblog{"seed_reblog",
                            "INSERT INTO statuses (id, account_id, visibility, created_at, updated_at, uri, "
                            "reblog_of_id, federate) SELECT ?, ?, 'public', ?, ?, "
                            "'https://social.example/users/kite/statuses/10/activity', id, 0 "
                            "FROM statuses ORDER BY id LIMIT 1"};
    const Statement kAccountDomainBlock{"seed_account_domain_block",
                                        "INSERT INTO account_domain_blocks (account_id, domain, created_at) "
                                        "VALUES (?, 'rude.example', ?)"};
    for (auto result : {conn.Exec(kRemote, {remote, now, now}), conn.Exec(kActor, {remote, now}),
                        conn.Exec(kRemoteFollow, {ids.Next(), remote, a, now}), conn.Exec(kKey, {now, a}),
                        conn.Exec(kInstanceKey, {now}), conn.Exec(kOutbox, {ids.Next(), a, now}),
                        conn.Exec(kActivity, {activity, a, now}),
                        conn.Exec(kDelivery, {ids.Next(), activity, now, now}), conn.Exec(kHost, {now}),
                        conn.Exec(kDomainBlock, {now}), conn.Exec(kAnnounce, {ids.Next(), remote, now}),
                        conn.Exec(kDomainAllow, {now}), conn.Exec(kReblog, {ids.Next(), remote, now, now}),
                        conn.Exec(kAccountDomainBlock, {a, now})}) {
      if (!result) return std::move(result).error();
    }
    return Ok();
  });
  ASSERT_TRUE(federation.ok()) << federation.error().message;

  // Second factors, through their store, as the service writes them.
  ASSERT_TRUE(WritePendingTotp(store.database(), a, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", now).ok());
  auto enabled = EnableTotp(store.database(), a, 57000000, {"digest-one", "digest-two"}, now);
  ASSERT_TRUE(enabled.ok() && *enabled);
  ASSERT_TRUE(CreateSignInChallenge(store.database(), "challenge-digest", SignInChallenge{a, "", now + 60000}).ok());
  ASSERT_TRUE(InsertPasskey(store.database(), Passkey{ids.Next(), a, "Y3JlZGVudGlhbA", "cHVibGljIGtleQ", -7, 3,
                                                      "Laptop", now, now})
                  .ok());
  ASSERT_TRUE(WritePasskeyRegistration(store.database(), c, "Y2hhbGxlbmdl", now + 60000).ok());

  // E-mail: a queued message, a link and an address awaiting confirmation.
  ASSERT_TRUE(EnqueueMail(store.database(), OutgoingMail{ids.Next(), "author@example.com", "Subject", "text",
                                                         "<p>html</p>", now, 1, now, "451 later"})
                  .ok());
  ASSERT_TRUE(ReplaceEmailToken(store.database(), "link-digest", EmailToken{c, "reset", "c@example.com", now}).ok());
  ASSERT_TRUE(MarkEmailUnconfirmed(store.database(), c, now).ok());

  // An archive, ready.
  AccountExport archive{ids.Next(), a, ExportState::kPending, now, {}, {}, "", 0};
  ASSERT_TRUE(InsertExportUnlessSince(store.database(), archive, now).ok());
  archive.state = ExportState::kReady;
  archive.completed_at = now + 1;
  archive.expires_at = now + 2;
  archive.file_name = "1-abc.zip";
  archive.size_bytes = 1234;
  auto finished = FinishExport(store.database(), archive);
  ASSERT_TRUE(finished.ok() && *finished);
}

std::string Key(const Row& row) {
  std::string key;
  for (size_t i = 0; i < row.size(); ++i) {
    const Value& v = row.at(i);
    if (std::holds_alternative<std::monostate>(v)) key += "N|";
    else if (std::holds_alternative<int64_t>(v)) key += "I" + std::to_string(std::get<int64_t>(v)) + "|";
    else key += "T" + std::get<std::string>(v) + "|";
  }
  return key;
}

// Every row of a table, in a canonical order, as comparable strings.
std::vector<std::string> Rows(Database& db, const std::string& table, const std::vector<std::string>& columns) {
  std::string list;
  for (const std::string& c : columns) list += (list.empty() ? "" : ", ") + c;
  std::string name = "test_rows_" + table, sql = "SELECT " + list + " FROM " + table;
  std::vector<std::string> out;
  Status status = db.Read([&](Connection& c) -> Status {
    out.clear();
    auto rows = c.Query(Statement{name.c_str(), sql.c_str()}, {});
    if (!rows) return std::move(rows).error();
    for (const Row& row : *rows) out.push_back(Key(row));
    return Ok();
  });
  EXPECT_TRUE(status.ok()) << status.error().message;
  std::sort(out.begin(), out.end());
  return out;
}

struct Engines {
  TempDir dir;
  TestDatabase pg;
  std::shared_ptr<Database> sqlite, postgres;

  void Open() {
    auto s = OpenSqlite(SqliteOptions{(dir.path() / "vantage.db").string()});
    ASSERT_TRUE(s.ok()) << s.error().message;
    sqlite = *s;
    auto conninfo = pg.Conninfo();
    ASSERT_TRUE(conninfo.ok()) << conninfo.error().message;
    PostgresOptions options;
    options.url = *conninfo;
    auto p = OpenPostgres(options);
    ASSERT_TRUE(p.ok()) << p.error().message;
    postgres = *p;
  }
};

TEST(CopyDatabase, CopiesEveryTableRowByRowWithIdsKept) {
  Engines e;
  ASSERT_NO_FATAL_FAILURE(e.Open());
  IdGenerator ids;
  auto store = MakeSqlStore(e.sqlite);
  ASSERT_NO_FATAL_FAILURE(Seed(*store, ids));

  auto tables = SqliteTablesInDependencyOrder(*e.sqlite);
  ASSERT_TRUE(tables.ok()) << tables.error().message;
  ASSERT_FALSE(tables->empty());
  std::map<std::string, std::vector<std::string>> columns;
  for (const std::string& table : *tables) {
    auto found = SqliteColumns(*e.sqlite, table);
    ASSERT_TRUE(found.ok());
    columns[table] = *found;
    EXPECT_FALSE(Rows(*e.sqlite, table, *found).empty())
        << "table " << table << " has no rows in the seeded instance: seed it in Seed() so its copy is tested";
  }

  std::vector<std::string> reported;
  Status copied = CopySqliteDatabase(*e.sqlite, *e.postgres,
                                     [&](const CopyProgress& p) { reported.push_back(p.table); });
  ASSERT_TRUE(copied.ok()) << copied.error().message;
  EXPECT_EQ(reported, *tables);

  for (const std::string& table : *tables) {
    auto source = Rows(*e.sqlite, table, columns[table]);
    auto dest = Rows(*e.postgres, table, columns[table]);
    EXPECT_EQ(source, dest) << "table " << table << " differs after the copy";
  }

  // The copy serves: the stores read the same accounts back from PostgreSQL.
  auto pg_store = MakeSqlStore(e.postgres);
  auto alice = pg_store->accounts().FindByUsername("USER_1");
  ASSERT_TRUE(alice.ok());
  ASSERT_TRUE(alice->has_value());
  EXPECT_EQ((*alice)->note, "line one\nline 'two'");
  EXPECT_TRUE((*alice)->locked);
  // The audit chain hashes values, not an engine's encoding of them: it
  // still verifies after the copy, and appending continues it.
  auto verified = pg_store->audit().Verify();
  ASSERT_TRUE(verified.ok()) << verified.error().message;
  EXPECT_TRUE(verified->intact()) << verified->message;
  EXPECT_EQ(verified->length, 2);
  AuditEntry next;
  next.created_at = NowUnixMs();
  next.action = "instance.copied";
  auto appended = pg_store->audit().Append(next);
  ASSERT_TRUE(appended.ok()) << appended.error().message;
  EXPECT_EQ(appended->seq, 3);

  // Events stay numbered per topic after the copy: the next event of the
  // seeded topic follows its counter (2, the first event pruned), it does not
  // restart at 1 nor reuse the number of the newest event left.
  auto events = MakeSqlEventStore(*e.postgres);
  std::string topic;
  Status found = e.postgres->Read([&](Connection& conn) -> Status {
    auto row = conn.QueryOne(Statement{"test_copied_topic", "SELECT topic FROM event_topics"}, {});
    if (!row) return std::move(row).error();
    if (*row) topic = (*row)->Text(0);
    return Ok();
  });
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_FALSE(topic.empty());
  auto last = events->LastId(topic);
  ASSERT_TRUE(last.ok()) << last.error().message;
  EXPECT_EQ(*last, 2);
  int64_t next_id = 0;
  Status appended_event = e.postgres->Write([&](Connection& conn) -> Status {
    auto id = AppendEventOn(conn, topic, "archived", "{}", NowUnixMs());
    if (!id) return std::move(id).error();
    next_id = *id;
    return Ok();
  });
  ASSERT_TRUE(appended_event.ok()) << appended_event.error().message;
  EXPECT_EQ(next_id, 3);
  auto since = events->Since(topic, 0, 10);
  ASSERT_TRUE(since.ok()) << since.error().message;
  ASSERT_EQ(since->size(), 2u);
  EXPECT_EQ((*since)[0].id, 2);
  EXPECT_EQ((*since)[1].id, 3);
}

TEST(CopyDatabase, RefusesADestinationWithRows) {
  Engines e;
  ASSERT_NO_FATAL_FAILURE(e.Open());
  IdGenerator ids;
  auto store = MakeSqlStore(e.sqlite);
  ASSERT_NO_FATAL_FAILURE(Seed(*store, ids));
  ASSERT_TRUE(CopySqliteDatabase(*e.sqlite, *e.postgres).ok());
  Status again = CopySqliteDatabase(*e.sqlite, *e.postgres);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("not empty"), std::string::npos) << again.error().message;
}

TEST(CopyDatabase, OrdersParentsBeforeChildren) {
  Engines e;
  ASSERT_NO_FATAL_FAILURE(e.Open());
  auto tables = SqliteTablesInDependencyOrder(*e.sqlite);
  ASSERT_TRUE(tables.ok());
  auto at = [&](const std::string& name) {
    return std::find(tables->begin(), tables->end(), name) - tables->begin();
  };
  EXPECT_LT(at("accounts"), at("tokens"));
  EXPECT_LT(at("apps"), at("tokens"));
  EXPECT_LT(at("accounts"), at("authorization_codes"));
  EXPECT_LT(at("accounts"), at("statuses"));
  EXPECT_LT(at("statuses"), at("status_tags"));
  EXPECT_LT(at("tags"), at("status_tags"));
  EXPECT_LT(at("statuses"), at("mentions"));
  EXPECT_LT(at("accounts"), at("media_attachments"));
  EXPECT_LT(at("media_attachments"), at("media_files"));
  EXPECT_EQ(std::count(tables->begin(), tables->end(), "schema_migrations"), 0);
}

}  // namespace
}  // namespace vantage::store
