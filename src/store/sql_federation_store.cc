// Federation's rows over the backend-neutral SQL layer; runs unchanged on
// SQLite and PostgreSQL (store/federation_store.h).
//
// Claiming deliveries is one conditional UPDATE per batch: a row is taken
// only while its lease is over, so under READ COMMITTED a second worker that
// waited for the first one's row lock re-checks the lease, finds it taken
// and skips the row. On SQLite writers are serialised anyway.
#include <string>

#include "store/federation_store.h"
#include "store/sql_rows.h"

namespace vantage::store {

namespace {

constexpr Statement kSelectActorKey{
    "federation_select_actor_key", "SELECT public_pem, private_pem FROM actor_keys WHERE account_id = ?"};
constexpr Statement kSetPendingActorKey{
    "federation_set_pending_actor_key",
    "UPDATE actor_keys SET public_pem = ?, private_pem = ?, created_at = ? WHERE account_id = ? AND public_pem = ''"};
constexpr Statement kSelectInstanceKey{
    "federation_select_instance_key", "SELECT public_pem, private_pem FROM instance_actor_key WHERE id = 1"};
constexpr Statement kSetPendingInstanceKey{
    "federation_set_pending_instance_key",
    "INSERT INTO instance_actor_key (id, public_pem, private_pem, created_at) VALUES (1, ?, ?, ?) "
    "ON CONFLICT DO NOTHING"};

#define VANTAGE_REMOTE_ACTOR_COLUMNS                                                                       \
  "account_id, uri, inbox, shared_inbox, followers_uri, key_id, public_key_pem, actor_type, avatar_url, " \
  "fetched_at, outbox_uri, posts_fetched_at"
constexpr Statement kSelectRemoteActor{
    "federation_select_remote_actor",
    "SELECT " VANTAGE_REMOTE_ACTOR_COLUMNS " FROM remote_actors WHERE account_id = ?"};
constexpr Statement kSelectRemoteActorByUri{
    "federation_select_remote_actor_by_uri",
    "SELECT " VANTAGE_REMOTE_ACTOR_COLUMNS " FROM remote_actors WHERE uri = ?"};
constexpr Statement kSelectRemoteActorByKeyId{
    "federation_select_remote_actor_by_key_id",
    "SELECT " VANTAGE_REMOTE_ACTOR_COLUMNS " FROM remote_actors WHERE key_id = ? ORDER BY fetched_at DESC LIMIT 1"};
constexpr Statement kInsertRemoteActor{
    "federation_insert_remote_actor",
    "INSERT INTO remote_actors (" VANTAGE_REMOTE_ACTOR_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)"};
constexpr Statement kUpdateRemoteActor{
    "federation_update_remote_actor",
    "UPDATE remote_actors SET inbox = ?, shared_inbox = ?, followers_uri = ?, key_id = ?, public_key_pem = ?, "
    "actor_type = ?, avatar_url = ?, fetched_at = ?, outbox_uri = ? WHERE account_id = ?"};
#undef VANTAGE_REMOTE_ACTOR_COLUMNS
constexpr Statement kInsertRemoteAccount{
    "federation_insert_remote_account",
    "INSERT INTO accounts (id, username, email, display_name, note, password_hash, locked, created_at, updated_at, "
    "fields, domain, url) VALUES (?, ?, NULL, ?, ?, '', ?, ?, ?, ?, ?, ?)"};
constexpr Statement kUpdateRemoteAccount{
    "federation_update_remote_account",
    "UPDATE accounts SET display_name = ?, note = ?, locked = ?, fields = ?, url = ?, updated_at = ? "
    "WHERE id = ? AND domain IS NOT NULL RETURNING " VANTAGE_ACCOUNT_COLUMNS_OF("")};
constexpr Statement kSelectAccount{
    "federation_select_account", "SELECT " VANTAGE_ACCOUNT_COLUMNS_OF("") " FROM accounts WHERE id = ?"};

constexpr Statement kInsertOutbox{
    "federation_insert_outbox",
    "INSERT INTO federation_outbox (id, account_id, kind, object_id, detail, created_at) VALUES (?, ?, ?, ?, ?, ?)"};
constexpr Statement kSelectOutbox{
    "federation_select_outbox",
    "SELECT id, account_id, kind, object_id, detail, created_at FROM federation_outbox ORDER BY id LIMIT ?"};
constexpr Statement kDeleteOutbox{"federation_delete_outbox", "DELETE FROM federation_outbox WHERE id = ?"};
constexpr Statement kInsertActivity{
    "federation_insert_activity",
    "INSERT INTO federation_activities (id, account_id, body, created_at) VALUES (?, ?, ?, ?)"};
constexpr Statement kInsertDelivery{
    "federation_insert_delivery",
    "INSERT INTO deliveries (id, activity_id, inbox, host, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?) "
    "ON CONFLICT DO NOTHING"};
constexpr Statement kDeleteActivityIfDone{
    "federation_delete_activity_if_done",
    "DELETE FROM federation_activities WHERE id = ? AND NOT EXISTS (SELECT 1 FROM deliveries WHERE activity_id = ?)"};

constexpr Statement kClaimDeliveries{
    "federation_claim_deliveries",
    "UPDATE deliveries SET claimed_until = ? WHERE claimed_until <= ? AND id IN ("
    "SELECT id FROM deliveries WHERE next_attempt_at <= ? AND claimed_until <= ? ORDER BY next_attempt_at LIMIT ?) "
    "RETURNING id, activity_id, inbox, host, attempts"};
constexpr Statement kSelectActivity{
    "federation_select_activity", "SELECT account_id, body FROM federation_activities WHERE id = ?"};
constexpr Statement kDeleteDelivery{"federation_delete_delivery", "DELETE FROM deliveries WHERE id = ?"};
constexpr Statement kRetryDelivery{
    "federation_retry_delivery",
    "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ?, claimed_until = 0, last_error = ? "
    "WHERE id = ?"};
constexpr Statement kDeleteHost{"federation_delete_host", "DELETE FROM federation_hosts WHERE host = ?"};
constexpr Statement kInsertHost{
    "federation_insert_host",
    "INSERT INTO federation_hosts (host, unavailable_since) VALUES (?, ?) ON CONFLICT DO NOTHING"};
constexpr Statement kSelectHost{"federation_select_host", "SELECT 1 FROM federation_hosts WHERE host = ?"};
constexpr Statement kCountDeliveries{"federation_count_deliveries", "SELECT COUNT(*) FROM deliveries"};

constexpr Statement kFollowerInboxes{
    "federation_follower_inboxes",
    "SELECT DISTINCT CASE WHEN r.shared_inbox <> '' THEN r.shared_inbox ELSE r.inbox END "
    "FROM follows f JOIN remote_actors r ON r.account_id = f.account_id WHERE f.target_account_id = ?"};
constexpr Statement kFollowersPage{
    "federation_followers_page",
    "SELECT f.id, a.id, a.username, COALESCE(r.uri, '') FROM follows f JOIN accounts a ON a.id = f.account_id "
    "LEFT JOIN remote_actors r ON r.account_id = a.id "
    "WHERE f.target_account_id = ? AND f.id < ? ORDER BY f.id DESC LIMIT ?"};
constexpr Statement kFollowingPage{
    "federation_following_page",
    "SELECT f.id, a.id, a.username, COALESCE(r.uri, '') FROM follows f JOIN accounts a ON a.id = f.target_account_id "
    "LEFT JOIN remote_actors r ON r.account_id = a.id "
    "WHERE f.account_id = ? AND f.id < ? ORDER BY f.id DESC LIMIT ?"};
constexpr Statement kFollowActivityId{
    "federation_follow_activity_id",
    "SELECT uri FROM follows WHERE account_id = ? AND target_account_id = ? AND uri IS NOT NULL "
    "UNION ALL SELECT uri FROM follow_requests WHERE account_id = ? AND target_account_id = ? AND uri IS NOT NULL"};
constexpr Statement kHasLocalFollower{
    "federation_has_local_follower",
    "SELECT 1 FROM follows f JOIN accounts a ON a.id = f.account_id WHERE f.target_account_id = ? "
    "AND a.domain IS NULL UNION ALL SELECT 1 FROM follow_requests r JOIN accounts a ON a.id = r.account_id "
    "WHERE r.target_account_id = ? AND a.domain IS NULL LIMIT 1"};
constexpr Statement kLocalFollowerByActivity{
    "federation_local_follower_by_activity",
    "SELECT account_id FROM follow_requests WHERE target_account_id = ? AND uri = ? "
    "UNION ALL SELECT account_id FROM follows WHERE target_account_id = ? AND uri = ? LIMIT 1"};
constexpr Statement kSetRemoteCounts{
    "federation_set_remote_counts",
    "UPDATE accounts SET followers_count = COALESCE(?, followers_count), "
    "following_count = COALESCE(?, following_count), statuses_count = COALESCE(?, statuses_count), "
    "updated_at = ? WHERE id = ? AND domain IS NOT NULL"};
constexpr Statement kMarkPostsFetched{
    "federation_mark_posts_fetched", "UPDATE remote_actors SET posts_fetched_at = ? WHERE account_id = ?"};
constexpr Statement kPublicPostIds{
    "federation_public_post_ids",
    "SELECT id FROM statuses WHERE account_id = ? AND is_comment = 0 AND visibility = 'public' "
    "AND archived_at IS NULL AND federate = 1 AND id < ? AND (? = 0 OR pinned_at IS NOT NULL) "
    "ORDER BY id DESC LIMIT ?"};
constexpr Statement kAuthoredStatusIds{
    "archive_authored_status_ids",
    "SELECT id FROM statuses WHERE account_id = ? AND reblog_of_id IS NULL AND id > ? ORDER BY id LIMIT ?"};
constexpr Statement kFollowedUsernames{
    "archive_followed_usernames",
    "SELECT a.username FROM follows f JOIN accounts a ON a.id = f.target_account_id WHERE f.account_id = ? "
    "ORDER BY f.id"};
constexpr Statement kInsertAnnounce{
    "federation_insert_announce",
    "INSERT INTO announces (id, account_id, status_id, uri, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"};
constexpr Statement kDeleteAnnounce{
    "federation_delete_announce", "DELETE FROM announces WHERE account_id = ? AND status_id = ?"};
constexpr Statement kAddReblogs{
    "federation_add_reblogs", "UPDATE statuses SET reblogs_count = reblogs_count + ? WHERE id = ?"};
constexpr Statement kDeleteReblogNotification{
    "federation_delete_reblog_notification",
    "DELETE FROM notifications WHERE from_account_id = ? AND status_id = ? AND type = 'reblog'"};
// Boosts shown in home timelines (AddReblog). Arguments of the fan-out: the
// boost, the booster x2, then the boosted status x4.
constexpr Statement kInsertReblog{
    "federation_insert_reblog",
    "INSERT INTO statuses (id, account_id, visibility, created_at, updated_at, uri, reblog_of_id, federate) "
    "VALUES (?, ?, 'public', ?, ?, ?, ?, 0) ON CONFLICT DO NOTHING"};
constexpr Statement kFanOutReblog{
    "federation_fan_out_reblog",
    "INSERT INTO home_feed (account_id, status_id, author_id) "
    "SELECT f.account_id, ?, ? FROM follows f JOIN accounts r ON r.id = f.account_id AND r.domain IS NULL "
    "WHERE f.target_account_id = ? "
    "AND NOT EXISTS (SELECT 1 FROM home_feed h WHERE h.account_id = f.account_id AND h.status_id = ?) "
    "AND NOT EXISTS (SELECT 1 FROM statuses o JOIN home_feed h ON h.status_id = o.id "
    "WHERE o.reblog_of_id = ? AND h.account_id = f.account_id) "
    "AND NOT EXISTS (SELECT 1 FROM statuses p JOIN follows g ON g.target_account_id = p.account_id "
    "WHERE p.id = ? AND g.account_id = f.account_id) "
    "AND NOT EXISTS (SELECT 1 FROM statuses p WHERE p.id = ? AND p.account_id = f.account_id)"};
constexpr Statement kDeleteReblog{
    "federation_delete_reblog", "DELETE FROM statuses WHERE reblog_of_id = ? AND account_id = ?"};

// A remote host name matches a domain (four times the domain): the domain
// itself or a subdomain, whatever the port.
#define VANTAGE_DOMAIN_MATCHES(column)                                                            \
  "(" column " = ? OR " column " LIKE ? || ':%' OR " column " LIKE '%.' || ? OR " column " LIKE '%.' || ? || ':%')"
constexpr Statement kListAccountDomainBlocks{
    "federation_list_account_domain_blocks",
    "SELECT domain FROM account_domain_blocks WHERE account_id = ? ORDER BY created_at DESC, domain LIMIT ?"};
constexpr Statement kInsertAccountDomainBlock{
    "federation_insert_account_domain_block",
    "INSERT INTO account_domain_blocks (account_id, domain, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"};
constexpr Statement kDeleteAccountDomainBlock{
    "federation_delete_account_domain_block",
    "DELETE FROM account_domain_blocks WHERE account_id = ? AND domain = ?"};
// The account's followers and follow requests from the domain: account x2, domain x4 x2.
constexpr Statement kFollowersOfDomain{
    "federation_followers_of_domain",
    "SELECT f.account_id, COALESCE(f.uri, ''), 1 FROM follows f JOIN accounts a ON a.id = f.account_id "
    "WHERE f.target_account_id = ? AND " VANTAGE_DOMAIN_MATCHES("a.domain") " "
    "UNION ALL SELECT r.account_id, COALESCE(r.uri, ''), 0 FROM follow_requests r JOIN accounts a ON a.id = r.account_id "
    "WHERE r.target_account_id = ? AND " VANTAGE_DOMAIN_MATCHES("a.domain")};
constexpr Statement kDropFollowerCount{
    "federation_drop_follower_count",
    "UPDATE accounts SET followers_count = followers_count - 1 WHERE id = ? AND followers_count > 0"};
constexpr Statement kDropFollowingCount{
    "federation_drop_following_count",
    "UPDATE accounts SET following_count = following_count - 1 WHERE id = ? AND following_count > 0"};
constexpr Statement kDeleteFollow{
    "federation_delete_follow", "DELETE FROM follows WHERE account_id = ? AND target_account_id = ?"};
constexpr Statement kDeleteFollowRequest{
    "federation_delete_follow_request", "DELETE FROM follow_requests WHERE account_id = ? AND target_account_id = ?"};
constexpr Statement kHeldRemotePosts{
    "federation_held_remote_posts",
    "SELECT id FROM statuses WHERE comment_state = 1 AND is_comment = 0 AND uri IS NOT NULL AND id < ? "
    "ORDER BY id DESC LIMIT ?"};
constexpr Statement kReleaseHeldPost{
    "federation_release_held_post",
    "UPDATE statuses SET comment_state = 0, updated_at = ? "
    "WHERE id = ? AND comment_state = 1 AND is_comment = 0 AND uri IS NOT NULL"};
constexpr Statement kRemoteAccountsOfDomain{
    "federation_remote_accounts_of_domain",
    "SELECT id FROM accounts WHERE domain IS NOT NULL AND " VANTAGE_DOMAIN_MATCHES("domain")};
#undef VANTAGE_DOMAIN_MATCHES

// A remote account's deletion: every counter its rows moved comes back
// first, each by the rows it really had (a comment counts on its parent
// only while shown).
constexpr Statement kDropFollowedCounts{
    "federation_drop_followed_counts",
    "UPDATE accounts SET followers_count = followers_count - 1 "
    "WHERE id IN (SELECT target_account_id FROM follows WHERE account_id = ?)"};
constexpr Statement kDropFollowingCounts{
    "federation_drop_following_counts",
    "UPDATE accounts SET following_count = following_count - 1 "
    "WHERE id IN (SELECT account_id FROM follows WHERE target_account_id = ?)"};
constexpr Statement kDropFavouriteCounts{
    "federation_drop_favourite_counts",
    "UPDATE statuses SET favourites_count = favourites_count - 1 "
    "WHERE id IN (SELECT status_id FROM favourites WHERE account_id = ?)"};
constexpr Statement kDropReblogCounts{
    "federation_drop_reblog_counts",
    "UPDATE statuses SET reblogs_count = reblogs_count - 1 "
    "WHERE id IN (SELECT status_id FROM announces WHERE account_id = ?)"};
constexpr Statement kDropReplyCounts{
    "federation_drop_reply_counts",
    "UPDATE statuses SET replies_count = replies_count - "
    "(SELECT COUNT(*) FROM statuses c WHERE c.in_reply_to_id = statuses.id AND c.account_id = ? AND c.comment_state = 0) "
    "WHERE id IN (SELECT in_reply_to_id FROM statuses WHERE account_id = ? AND in_reply_to_id IS NOT NULL)"};
constexpr Statement kDeleteRemoteAccount{
    "federation_delete_remote_account", "DELETE FROM accounts WHERE id = ? AND domain IS NOT NULL"};
constexpr Statement kListDomainBlocks{
    "federation_list_domain_blocks", "SELECT domain, severity, reason, created_at FROM domain_blocks ORDER BY domain"};
constexpr Statement kSelectDomainBlock{
    "federation_select_domain_block", "SELECT 1 FROM domain_blocks WHERE domain = ?"};
constexpr Statement kUpsertDomainBlock{
    "federation_upsert_domain_block",
    "INSERT INTO domain_blocks (domain, severity, reason, created_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (domain) DO UPDATE SET severity = excluded.severity, reason = excluded.reason"};
constexpr Statement kDeleteDomainBlock{"federation_delete_domain_block", "DELETE FROM domain_blocks WHERE domain = ?"};
constexpr Statement kListDomainAllows{
    "federation_list_domain_allows", "SELECT domain, created_at FROM domain_allows ORDER BY domain"};
constexpr Statement kInsertDomainAllow{
    "federation_insert_domain_allow",
    "INSERT INTO domain_allows (domain, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING"};
constexpr Statement kDeleteDomainAllow{"federation_delete_domain_allow", "DELETE FROM domain_allows WHERE domain = ?"};
constexpr Statement kStatusIdByUri{"federation_status_id_by_uri", "SELECT id FROM statuses WHERE uri = ?"};
constexpr Statement kCountInstance{
    "federation_count_instance",
    "SELECT (SELECT COUNT(*) FROM accounts WHERE domain IS NULL AND approved = 1 AND password_hash <> ''), "
    "(SELECT COUNT(*) FROM statuses s WHERE s.is_comment = 0 AND s.uri IS NULL AND s.archived_at IS NULL)"};

RemoteActor DecodeRemoteActor(const Row& r) {
  RemoteActor a;
  a.account_id = r.Int(0);
  a.uri = r.Text(1);
  a.inbox = r.Text(2);
  a.shared_inbox = r.Text(3);
  a.followers_uri = r.Text(4);
  a.key_id = r.Text(5);
  a.public_key_pem = r.Text(6);
  a.actor_type = r.Text(7);
  a.avatar_url = r.Text(8);
  a.fetched_at = r.Int(9);
  a.outbox_uri = r.Text(10);
  a.posts_fetched_at = r.OptInt(11);
  return a;
}

Result<std::optional<RemoteActor>> ReadRemoteActor(Database& db, const Statement& st, Value key) {
  std::optional<RemoteActor> out;
  VANTAGE_TRY(db.Read([&](Connection& conn) -> Status {
    auto row = conn.QueryOne(st, {key});
    if (!row) return std::move(row).error();
    out.reset();
    if (*row) out = DecodeRemoteActor(**row);
    return Ok();
  }));
  return out;
}

Value TextOrNull(const std::string& text) { return text.empty() ? Null() : Value(text); }

// The host part of an inbox URL, for the per-host cap ("" when malformed;
// such URLs never get this far).
std::string HostOf(const std::string& url) {
  size_t start = url.find("://");
  if (start == std::string::npos) return "";
  start += 3;
  size_t end = url.find_first_of("/?#", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

Status InsertActivityAndDeliveries(Connection& conn, const ActivityToDeliver& activity,
                                   const std::vector<NewDelivery>& deliveries, int64_t now) {
  if (deliveries.empty()) return Ok();
  VANTAGE_TRY(conn.Exec(kInsertActivity, {activity.id, Opt(activity.account_id), activity.body, now}));
  for (const NewDelivery& d : deliveries)
    VANTAGE_TRY(conn.Exec(kInsertDelivery, {d.id, activity.id, d.inbox, HostOf(d.inbox), now, now}));
  return Ok();
}

}  // namespace

Result<std::optional<ActorKeyPair>> FindActorKey(Database& db, int64_t account_id) {
  std::optional<ActorKeyPair> out;
  VANTAGE_TRY(db.Read([&](Connection& conn) -> Status {
    auto row = account_id == kInstanceActor ? conn.QueryOne(kSelectInstanceKey, {})
                                            : conn.QueryOne(kSelectActorKey, {account_id});
    if (!row) return std::move(row).error();
    out.reset();
    if (*row) out = ActorKeyPair{(**row).Text(0), (**row).Text(1)};
    return Ok();
  }));
  return out;
}

Result<ActorKeyPair> SetPendingActorKey(Database& db, int64_t account_id, const ActorKeyPair& key, int64_t now) {
  std::optional<ActorKeyPair> stored;
  VANTAGE_TRY(db.Write([&](Connection& conn) -> Status {
    if (account_id == kInstanceActor) {
      VANTAGE_TRY(conn.Exec(kSetPendingInstanceKey, {key.public_pem, key.private_pem, now}));
    } else {
      VANTAGE_TRY(conn.Exec(kSetPendingActorKey, {key.public_pem, key.private_pem, now, account_id}));
    }
    auto row = account_id == kInstanceActor ? conn.QueryOne(kSelectInstanceKey, {})
                                            : conn.QueryOne(kSelectActorKey, {account_id});
    if (!row) return std::move(row).error();
    stored.reset();
    if (*row) stored = ActorKeyPair{(**row).Text(0), (**row).Text(1)};
    return Ok();
  }));
  if (!stored) return Error::NotFound("account " + std::to_string(account_id) + " has no actor key row");
  return *stored;
}

Result<std::optional<RemoteActor>> FindRemoteActor(Database& db, int64_t account_id) {
  return ReadRemoteActor(db, kSelectRemoteActor, account_id);
}

Result<std::optional<RemoteActor>> FindRemoteActorByUri(Database& db, const std::string& uri) {
  return ReadRemoteActor(db, kSelectRemoteActorByUri, uri);
}

Result<std::optional<RemoteActor>> FindRemoteActorByKeyId(Database& db, const std::string& key_id) {
  return ReadRemoteActor(db, kSelectRemoteActorByKeyId, key_id);
}

Result<Account> SaveRemoteActor(Database& db, const Account& account, const RemoteActor& actor) {
  std::optional<Account> saved;
  Status status = db.Write([&](Connection& conn) -> Status {
    saved.reset();
    auto existing = conn.QueryOne(kSelectRemoteActorByUri, {actor.uri});
    if (!existing) return std::move(existing).error();
    int64_t id = *existing ? (**existing).Int(0) : account.id;
    if (*existing) {
      VANTAGE_TRY(conn.Exec(kUpdateRemoteActor, {actor.inbox, actor.shared_inbox, actor.followers_uri, actor.key_id,
                                                 actor.public_key_pem, actor.actor_type, actor.avatar_url,
                                                 actor.fetched_at, actor.outbox_uri, id}));
      auto row = conn.QueryOne(kUpdateRemoteAccount, {account.display_name, account.note, int64_t{account.locked ? 1 : 0},
                                                      account.fields_json, TextOrNull(account.url),
                                                      account.updated_at, id});
      if (!row) return std::move(row).error();
      if (!*row) return Error::Internal("remote actor " + actor.uri + " has a local account");
      auto decoded = DecodeAccount(**row);
      if (!decoded) return std::move(decoded).error();
      saved = std::move(*decoded);
      return Ok();
    }
    auto inserted = conn.Exec(kInsertRemoteAccount,
                              {id, account.username, account.display_name, account.note, int64_t{account.locked ? 1 : 0},
                               account.created_at, account.updated_at, account.fields_json, account.domain,
                               TextOrNull(account.url)});
    if (!inserted) {
      Error error = std::move(inserted).error();
      if (error.code == "unique_violation")
        return Error::Conflict("actor_username_taken", account.username + " is held by another actor");
      return error;
    }
    RemoteActor row = actor;
    row.account_id = id;
    VANTAGE_TRY(conn.Exec(kInsertRemoteActor, {id, row.uri, row.inbox, row.shared_inbox, row.followers_uri,
                                               row.key_id, row.public_key_pem, row.actor_type, row.avatar_url,
                                               row.fetched_at, row.outbox_uri}));
    auto read = conn.QueryOne(kSelectAccount, {id});
    if (!read) return std::move(read).error();
    if (!*read) return Error::Internal("remote account vanished");
    auto decoded = DecodeAccount(**read);
    if (!decoded) return std::move(decoded).error();
    saved = std::move(*decoded);
    return Ok();
  });
  if (!status) return std::move(status).error();
  return std::move(*saved);
}

Status AppendOutbox(Connection& conn, const OutboxEntry& e) {
  VANTAGE_TRY(conn.Exec(kInsertOutbox, {e.id, e.account_id, e.kind, e.object_id, e.detail, e.created_at}));
  return Ok();
}

Status AppendOutbox(Database& db, const OutboxEntry& entry) {
  return db.Write([&](Connection& conn) { return AppendOutbox(conn, entry); });
}

Result<std::vector<OutboxEntry>> PendingOutbox(Database& db, int limit) {
  std::vector<OutboxEntry> out;
  VANTAGE_TRY(db.Read([&](Connection& conn) -> Status {
    out.clear();
    auto rows = conn.Query(kSelectOutbox, {int64_t{limit}});
    if (!rows) return std::move(rows).error();
    for (const Row& r : *rows)
      out.push_back(OutboxEntry{r.Int(0), r.Int(1), r.Text(2), r.Int(3), r.Text(4), r.Int(5)});
    return Ok();
  }));
  return out;
}

Result<bool> ExpandOutbox(Database& db, int64_t outbox_id, const std::optional<ActivityToDeliver>& activity,
                          const std::vector<NewDelivery>& deliveries, int64_t now) {
  bool expanded = false;
  VANTAGE_TRY(db.Write([&](Connection& conn) -> Status {
    auto removed = conn.Exec(kDeleteOutbox, {outbox_id});
    if (!removed) return std::move(removed).error();
    expanded = *removed > 0;
    if (!expanded || !activity) return Ok();
    return InsertActivityAndDeliveries(conn, *activity, deliveries, now);
  }));
  return expanded;
}

Status EnqueueActivity(Database& db, const ActivityToDeliver& activity, const std::vector<NewDelivery>& deliveries,
                       int64_t now) {
  return db.Write([&](Connection& conn) { return InsertActivityAndDeliveries(conn, activity, deliveries, now); });
}

Result<std::vector<Delivery>> ClaimDeliveries(Database& db, int64_t now, int64_t lease_ms, int limit) {
  std::vector<Delivery> out;
  VANTAGE_TRY(db.Write([&](Connection& conn) -> Status {
    out.clear();
    auto rows = conn.Query(kClaimDeliveries, {now + lease_ms, now, now, now, int64_t{limit}});
    if (!rows) return std::move(rows).error();
    for (const Row& r : *rows) {
      Delivery d;
      d.id = r.Int(0);
      d.activity_id = r.Int(1);
      d.inbox = r.Text(2);
      d.host = r.Text(3);
      d.attempts = static_cast<int>(r.Int(4));
      auto activity = conn.QueryOne(kSelectActivity, {d.activity_id});
      if (!activity) return std::move(activity).error();
      if (!*activity) continue;
      d.account_id = (**activity).OptInt(0);
      d.body = (**activity).Text(1);
      out.push_back(std::move(d));
    }
    return Ok();
  }));
  return out;
}

Status CompleteDelivery(Database& db, const Delivery& d) {
  return db.Write([&](Connection& conn) -> Status {
    VANTAGE_TRY(conn.Exec(kDeleteDelivery, {d.id}));
    VANTAGE_TRY(conn.Exec(kDeleteActivityIfDone, {d.activity_id, d.activity_id}));
    VANTAGE_TRY(conn.Exec(kDeleteHost, {d.host}));
    return Ok();
  });
}

Status FailDelivery(Database& db, const Delivery& d, std::optional<int64_t> next_attempt_at,
                    const std::string& error, int64_t now) {
  return db.Write([&](Connection& conn) -> Status {
    if (next_attempt_at) {
      VANTAGE_TRY(conn.Exec(kRetryDelivery, {*next_attempt_at, error, d.id}));
      return Ok();
    }
    VANTAGE_TRY(conn.Exec(kDeleteDelivery, {d.id}));
    VANTAGE_TRY(conn.Exec(kDeleteActivityIfDone, {d.activity_id, d.activity_id}));
    VANTAGE_TRY(conn.Exec(kInsertHost, {d.host, now}));
    return Ok();
  });
}

Status DropDelivery(Database& db, const Delivery& d) {
  return db.Write([&](Connection& conn) -> Status {
    VANTAGE_TRY(conn.Exec(kDeleteDelivery, {d.id}));
    VANTAGE_TRY(conn.Exec(kDeleteActivityIfDone, {d.activity_id, d.activity_id}));
    return Ok();
  });
}

Result<bool> HostUnavailable(Database& db, const std::string& host) {
  bool found = false;
  VANTAGE_TRY(db.Read([&](Connection& conn) -> Status {
    auto row = conn.QueryOne(kSelectHost, {host});
    if (!row) return std::move(row).error();
    found = row->has_value();
    return Ok();
  }));
  return found;
}

Status MarkHostAvailable(Database& db, const std::string& host) {
  // Nearly always available already: a read, and a write only when not.
  auto unavailable = HostUnavailable(db, host);
  if (!unavailable) return std::move(unavailable).error();
  if (!*unavailable) return Ok();
  return db.Write([&](Connection& conn) -> Status {
    VANTAGE_TRY(conn.Exec(kDeleteHost, {host}));
    return Ok();
  });
}

Result<int64_t> CountDeliveries(Database& db) {
  int64_t n = 0;
  VANTAGE_TRY(db.Read([&](Connection& conn) -> Status {
    auto row = conn.QueryOne(kCountDeliveries, {});
    if (!row) return std::move(row).error();
    n = *row ? (**row).Int(0) : 0;
    return Ok();
  }));
  return n;
}

Result<std::vector<std::string>> FollowerInboxes(Database& db, int64_t account_id) {
  std::vector<std::string> out;
  VANTAGE_TRY(db.Read([&](Connection& conn) -> Status {
    out.clear();
    auto rows = conn.Query(kFollowerInboxes, {account_id});
    if (!rows) return std::move(rows).error();
    for (const Row& r : *rows) out.push_back(r.Text(0));
    return Ok();
  }));
  return out;
}

namespace {

Result<std::vector<CollectionItem>> ReadCollection(Database& db, const Statement& st, int64_t account_id,
                                                   int64_t below, int limit) {
  std::vector<CollectionItem> out;
  VANTAGE_TRY(db.Read([&](Connection& conn) -> Status {
    out.clear();
    auto rows = conn.Query(st, {account_id, below > 0 ? below : INT64_MAX, int64_t{limit}});
    if (!rows) return std::move(rows).error();
    for (const Row& r : *rows) out.push_back(CollectionItem{r.Int(0), r.Int(1), r.Text(2), r.Text(3)});
    return Ok();
  }));
  return out;
}

}  // namespace

Result<std::vector<CollectionItem>> FollowersPage(Database& db, int64_t account_id, int64_t below, int limit) {
  return ReadCollection(db, kFollowersPage, account_id, below, limit);
}

Result<std::vector<CollectionItem>> FollowingPage(Database& db, int64_t account_id, int64_t below, int limit) {
  return ReadCollection(db, kFollowingPage, account_id, below, limit);
}

Result<std::string> FollowActivityId(Database& db, int64_t follower_id, int64_t target_id) {
  std::string uri;
  VANTAGE_TRY(db.Read([&](Connection& conn) -> Status {
    auto row = conn.QueryOne(kFollowActivityId, {follower_id, target_id, follower_id, target_id});
    if (!row) return std::move(row).error();
    uri = *row ? (**row).Text(0) : "";
    return Ok();
  }));
  return uri;
}

Result<bool> HasLocalFollower(Database& db, int64_t account_id) {
  bool found = false;
  VANTAGE_TRY(db.Read([&](Connection& conn) -> Status {
    auto row = conn.QueryOne(kHasLocalFollower, {account_id, account_id});
    if (!row) return std::move(row).error();
    found = row->has_value();
    return Ok();
  }));
  return found;
}

Result<std::optional<int64_t>> LocalFollowerByActivity(Database& db, int64_t target_id, const std::string& follow_uri) {
  std::optional<int64_t> found;
  VANTAGE_TRY(db.Read([&](Connection& conn) -> Status {
    auto row = conn.QueryOne(kLocalFollowerByActivity, {target_id, follow_uri, target_id, follow_uri});
    if (!row) return std::move(row).error();
    found.reset();
    if (*row) found = (**row).Int(0);
    return Ok();
  }));
  return found;
}

Status SetRemoteCounts(Database& db, int64_t account_id, const ReportedCounts& counts, int64_t now) {
  auto opt = [](const std::optional<int64_t>& v) { return v ? Value(*v) : Null(); };
  return db.Write([&](Connection& conn) -> Status {
    VANTAGE_TRY(conn.Exec(kSetRemoteCounts, {opt(counts.followers), opt(counts.following), opt(counts.statuses), now,
                                             account_id}));
    VANTAGE_TRY(conn.Exec(kMarkPostsFetched, {now, account_id}));
    return Ok();
  });
}

Result<std::vector<int64_t>> AuthoredStatusIds(Database& db, int64_t account_id, int64_t above, int limit) {
  std::vector<int64_t> out;
  VANTAGE_TRY(db.Read([&](Connection& conn) -> Status {
    out.clear();
    auto rows = conn.Query(kAuthoredStatusIds, {account_id, above, int64_t{limit}});
    if (!rows) return std::move(rows).error();
    for (const Row& r : *rows) out.push_back(r.Int(0));
    return Ok();
  }));
  return out;
}

Result<std::vector<std::string>> FollowedUsernames(Database& db, int64_t account_id) {
  std::vector<std::string> out;
  VANTAGE_TRY(db.Read([&](Connection& conn) -> Status {
    out.clear();
    auto rows = conn.Query(kFollowedUsernames, {account_id});
    if (!rows) return std::move(rows).error();
    for (const Row& r : *rows) out.push_back(r.Text(0));
    return Ok();
  }));
  return out;
}

Result<std::vector<int64_t>> PublicPostIds(Database& db, int64_t account_id, int64_t below, int limit, bool pinned) {
  std::vector<int64_t> out;
  VANTAGE_TRY(db.Read([&](Connection& conn) -> Status {
    out.clear();
    auto rows = conn.Query(kPublicPostIds, {account_id, below > 0 ? below : INT64_MAX, int64_t{pinned ? 1 : 0},
                                            int64_t{limit}});
    if (!rows) return std::move(rows).error();
    for (const Row& r : *rows) out.push_back(r.Int(0));
    return Ok();
  }));
  return out;
}

Result<bool> AddAnnounce(Database& db, int64_t id, int64_t account_id, int64_t status_id, const std::string& uri,
                         int64_t now, const std::optional<Notification>& notification) {
  bool added = false;
  VANTAGE_TRY(db.Write([&](Connection& conn) -> Status {
    auto inserted = conn.Exec(kInsertAnnounce, {id, account_id, status_id, uri, now});
    if (!inserted) return std::move(inserted).error();
    added = *inserted > 0;
    if (!added) return Ok();
    VANTAGE_TRY(conn.Exec(kAddReblogs, {int64_t{1}, status_id}));
    if (notification) VANTAGE_TRY(InsertNotification(conn, *notification));
    return Ok();
  }));
  return added;
}

Result<bool> RemoveAnnounce(Database& db, int64_t account_id, int64_t status_id) {
  bool removed = false;
  VANTAGE_TRY(db.Write([&](Connection& conn) -> Status {
    auto deleted = conn.Exec(kDeleteAnnounce, {account_id, status_id});
    if (!deleted) return std::move(deleted).error();
    removed = *deleted > 0;
    if (!removed) return Ok();
    VANTAGE_TRY(conn.Exec(kAddReblogs, {int64_t{-1}, status_id}));
    VANTAGE_TRY(conn.Exec(kDeleteReblogNotification, {account_id, status_id}));
    return Ok();
  }));
  return removed;
}

namespace {

Result<bool> ChangeOne(Database& db, const Statement& st, std::vector<Value> args) {
  bool changed = false;
  VANTAGE_TRY(db.Write([&](Connection& conn) -> Status {
    auto n = conn.Exec(st, args);
    if (!n) return std::move(n).error();
    changed = *n > 0;
    return Ok();
  }));
  return changed;
}

}  // namespace

Result<bool> AddReblog(Database& db, int64_t id, int64_t account_id, int64_t status_id, const std::string& uri,
                       int64_t now) {
  bool added = false;
  VANTAGE_TRY(db.Write([&](Connection& conn) -> Status {
    auto inserted = conn.Exec(kInsertReblog, {id, account_id, now, now, uri, status_id});
    if (!inserted) return std::move(inserted).error();
    added = *inserted > 0;
    if (!added) return Ok();
    VANTAGE_TRY(conn.Exec(kFanOutReblog, {id, account_id, account_id, status_id, status_id, status_id, status_id}));
    return Ok();
  }));
  return added;
}

Result<bool> RemoveReblog(Database& db, int64_t account_id, int64_t status_id) {
  return ChangeOne(db, kDeleteReblog, {status_id, account_id});
}

Result<std::vector<std::string>> ListAccountDomainBlocks(Database& db, int64_t account_id, int limit) {
  std::vector<std::string> out;
  VANTAGE_TRY(db.Read([&](Connection& conn) -> Status {
    out.clear();
    auto rows = conn.Query(kListAccountDomainBlocks, {account_id, int64_t{limit}});
    if (!rows) return std::move(rows).error();
    for (const Row& r : *rows) out.push_back(r.Text(0));
    return Ok();
  }));
  return out;
}

Result<std::vector<EndedFollow>> AddAccountDomainBlock(Database& db, int64_t account_id, const std::string& domain,
                                                       int64_t now) {
  std::vector<EndedFollow> ended;
  VANTAGE_TRY(db.Write([&](Connection& conn) -> Status {
    ended.clear();
    VANTAGE_TRY(conn.Exec(kInsertAccountDomainBlock, {account_id, domain, now}));
    auto rows = conn.Query(kFollowersOfDomain, {account_id, domain, domain, domain, domain, account_id, domain, domain,
                                                domain, domain});
    if (!rows) return std::move(rows).error();
    for (const Row& r : *rows) {
      int64_t follower = r.Int(0);
      if (r.Int(2) == 1) {
        auto deleted = conn.Exec(kDeleteFollow, {follower, account_id});
        if (!deleted) return std::move(deleted).error();
        if (*deleted > 0) {
          VANTAGE_TRY(conn.Exec(kDropFollowerCount, {account_id}));
          VANTAGE_TRY(conn.Exec(kDropFollowingCount, {follower}));
        }
      } else {
        VANTAGE_TRY(conn.Exec(kDeleteFollowRequest, {follower, account_id}));
      }
      ended.push_back(EndedFollow{follower, r.Text(1)});
    }
    return Ok();
  }));
  return ended;
}

Result<bool> RemoveAccountDomainBlock(Database& db, int64_t account_id, const std::string& domain) {
  return ChangeOne(db, kDeleteAccountDomainBlock, {account_id, domain});
}

Result<std::vector<int64_t>> HeldRemotePosts(Database& db, int64_t below, int limit) {
  std::vector<int64_t> out;
  VANTAGE_TRY(db.Read([&](Connection& conn) -> Status {
    out.clear();
    auto rows = conn.Query(kHeldRemotePosts, {below > 0 ? below : INT64_MAX, int64_t{limit}});
    if (!rows) return std::move(rows).error();
    for (const Row& r : *rows) out.push_back(r.Int(0));
    return Ok();
  }));
  return out;
}

Result<bool> ReleaseHeldPost(Database& db, int64_t id, int64_t now) {
  return ChangeOne(db, kReleaseHeldPost, {now, id});
}

Result<std::vector<int64_t>> RemoteAccountsOfDomain(Database& db, const std::string& domain) {
  std::vector<int64_t> out;
  VANTAGE_TRY(db.Read([&](Connection& conn) -> Status {
    out.clear();
    auto rows = conn.Query(kRemoteAccountsOfDomain, {domain, domain, domain, domain});
    if (!rows) return std::move(rows).error();
    for (const Row& r : *rows) out.push_back(r.Int(0));
    return Ok();
  }));
  return out;
}

Status DeleteRemoteAccount(Database& db, int64_t account_id) {
  return db.Write([&](Connection& conn) -> Status {
    for (const Statement* st : {&kDropFollowedCounts, &kDropFollowingCounts, &kDropFavouriteCounts, &kDropReblogCounts})
      VANTAGE_TRY(conn.Exec(*st, {account_id}));
    VANTAGE_TRY(conn.Exec(kDropReplyCounts, {account_id, account_id}));
    auto deleted = conn.Exec(kDeleteRemoteAccount, {account_id});
    if (!deleted) return std::move(deleted).error();
    if (*deleted == 0) return Error::NotFound("no remote account " + std::to_string(account_id));
    return Ok();
  });
}

Result<std::optional<int64_t>> FindStatusIdByUri(Database& db, const std::string& uri) {
  std::optional<int64_t> id;
  VANTAGE_TRY(db.Read([&](Connection& conn) -> Status {
    auto row = conn.QueryOne(kStatusIdByUri, {uri});
    if (!row) return std::move(row).error();
    id.reset();
    if (*row) id = (**row).Int(0);
    return Ok();
  }));
  return id;
}

Result<std::vector<DomainBlock>> ListDomainBlocks(Database& db) {
  std::vector<DomainBlock> out;
  VANTAGE_TRY(db.Read([&](Connection& conn) -> Status {
    out.clear();
    auto rows = conn.Query(kListDomainBlocks, {});
    if (!rows) return std::move(rows).error();
    for (const Row& r : *rows) out.push_back(DomainBlock{r.Text(0), r.Text(1), r.Text(2), r.Int(3)});
    return Ok();
  }));
  return out;
}

Result<bool> SaveDomainBlock(Database& db, const DomainBlock& block) {
  bool created = false;
  VANTAGE_TRY(db.Write([&](Connection& conn) -> Status {
    auto existing = conn.QueryOne(kSelectDomainBlock, {block.domain});
    if (!existing) return std::move(existing).error();
    created = !existing->has_value();
    VANTAGE_TRY(conn.Exec(kUpsertDomainBlock, {block.domain, block.severity, block.reason, block.created_at}));
    return Ok();
  }));
  return created;
}


Result<bool> RemoveDomainBlock(Database& db, const std::string& domain) {
  return ChangeOne(db, kDeleteDomainBlock, {domain});
}

Result<std::vector<DomainAllow>> ListDomainAllows(Database& db) {
  std::vector<DomainAllow> out;
  VANTAGE_TRY(db.Read([&](Connection& conn) -> Status {
    out.clear();
    auto rows = conn.Query(kListDomainAllows, {});
    if (!rows) return std::move(rows).error();
    for (const Row& r : *rows) out.push_back(DomainAllow{r.Text(0), r.Int(1)});
    return Ok();
  }));
  return out;
}

Result<bool> AddDomainAllow(Database& db, const std::string& domain, int64_t now) {
  return ChangeOne(db, kInsertDomainAllow, {domain, now});
}

Result<bool> RemoveDomainAllow(Database& db, const std::string& domain) {
  return ChangeOne(db, kDeleteDomainAllow, {domain});
}

Result<InstanceCounts> CountInstance(Database& db) {
  InstanceCounts counts;
  VANTAGE_TRY(db.Read([&](Connection& conn) -> Status {
    auto row = conn.QueryOne(kCountInstance, {});
    if (!row) return std::move(row).error();
    if (*row) counts = InstanceCounts{(**row).Int(0), (**row).Int(1)};
    return Ok();
  }));
  return counts;
}

}  // namespace vantage::store
