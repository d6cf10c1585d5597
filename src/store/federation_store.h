// What federation keeps (migration 0017, docs/federation.md): local actors'
// keys, remote actors, the outbox of local changes that federate and the
// delivery queue. Rows only: what they mean in ActivityPub is
// src/federation/'s. The conventions of store.h hold here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "store/notification_store.h"
#include "store/sql.h"
#include "store/store.h"

namespace vantage::store {

// An actor's key pair as PEM text (PKCS#8 private, SubjectPublicKeyInfo
// public). Both empty: pending, not made yet.
struct ActorKeyPair {
  std::string public_pem;
  std::string private_pem;
  bool pending() const { return public_pem.empty(); }
};

// The instance actor's key is account 0 here.
inline constexpr int64_t kInstanceActor = 0;

// The key of a local account (or kInstanceActor); nullopt when the account
// has no key row at all (the instance actor: not made yet).
Result<std::optional<ActorKeyPair>> FindActorKey(Database& db, int64_t account_id);
// Stores `key` if the account's key is still pending (the instance actor:
// not made yet), and answers the key now stored: `key`, or the one a racing
// caller stored first. NotFound when an account has no key row.
Result<ActorKeyPair> SetPendingActorKey(Database& db, int64_t account_id, const ActorKeyPair& key, int64_t now);

// A remote account's actor, as its document said when last fetched.
struct RemoteActor {
  int64_t account_id = 0;
  std::string uri;
  std::string inbox;
  std::string shared_inbox;  // empty: none
  std::string followers_uri;
  std::string key_id;
  std::string public_key_pem;
  std::string actor_type = "Person";
  std::string avatar_url;  // the remote icon's URL, empty: none
  int64_t fetched_at = 0;
  std::string outbox_uri;  // its posts; empty: none given
  // When the first page of its outbox was last read here (nullopt: never).
  std::optional<int64_t> posts_fetched_at;
  // Where deliveries to it go: its host's shared inbox, else its own.
  const std::string& delivery_inbox() const { return shared_inbox.empty() ? inbox : shared_inbox; }
};

Result<std::optional<RemoteActor>> FindRemoteActor(Database& db, int64_t account_id);
Result<std::optional<RemoteActor>> FindRemoteActorByUri(Database& db, const std::string& uri);
// The actor holding a key id (the actor's own id when the key id is it).
Result<std::optional<RemoteActor>> FindRemoteActorByKeyId(Database& db, const std::string& key_id);

// Creates the remote account and its actor row, or brings an existing one
// (by actor uri) up to date: display name, bio, fields, lock, url and the
// actor row. `account.id` is used only for a new account. Answers the
// account as stored. Conflict "actor_username_taken" when another actor
// holds the same name@domain (an actor that moved its id).
Result<Account> SaveRemoteActor(Database& db, const Account& account, const RemoteActor& actor);

// A local change that federates (migration 0017, federation_outbox).
struct OutboxEntry {
  int64_t id = 0;
  int64_t account_id = 0;  // the local actor
  std::string kind;        // service/federation_events.h names them
  int64_t object_id = 0;
  std::string detail = "{}";
  int64_t created_at = 0;
};

// Appends inside the change's own transaction.
Status AppendOutbox(Connection& conn, const OutboxEntry& entry);
Status AppendOutbox(Database& db, const OutboxEntry& entry);
// The oldest entries, at most `limit`.
Result<std::vector<OutboxEntry>> PendingOutbox(Database& db, int limit);

struct ActivityToDeliver {
  int64_t id = 0;
  std::optional<int64_t> account_id;  // whose key signs it; none: the instance actor
  std::string body;
};

// A delivery to queue: its row id (from the caller's IdGenerator) and inbox.
struct NewDelivery {
  int64_t id = 0;
  std::string inbox;
};

// Replaces outbox entry `outbox_id` by `activity` and its deliveries (each
// due now), in one transaction; with no activity or no deliveries the entry
// just goes. Nothing happens when the entry is gone (another worker took
// it), and the answer is then false.
Result<bool> ExpandOutbox(Database& db, int64_t outbox_id, const std::optional<ActivityToDeliver>& activity,
                          const std::vector<NewDelivery>& deliveries, int64_t now);

// Queues `activity` directly (answers to remote requests that wait for no
// local change).
Status EnqueueActivity(Database& db, const ActivityToDeliver& activity, const std::vector<NewDelivery>& deliveries,
                       int64_t now);

struct Delivery {
  int64_t id = 0;
  int64_t activity_id = 0;
  std::optional<int64_t> account_id;
  std::string body;
  std::string inbox;
  std::string host;
  int attempts = 0;
};

// Claims up to `limit` due deliveries (next_attempt_at <= now, unclaimed or
// their lease over) for `lease_ms`; a claimed row is
// no other worker's until the lease ends. Oldest due first.
Result<std::vector<Delivery>> ClaimDeliveries(Database& db, int64_t now, int64_t lease_ms, int limit);
// Delivered: the row goes, and the host is available again.
Status CompleteDelivery(Database& db, const Delivery& delivery);
// Failed: tried again at `next_attempt_at`, or (nullopt) dropped and its
// host marked unavailable since `now`.
Status FailDelivery(Database& db, const Delivery& delivery, std::optional<int64_t> next_attempt_at,
                    const std::string& error, int64_t now);
// Refused for good (the inbox answered 4xx): the row goes, its host stays
// available.
Status DropDelivery(Database& db, const Delivery& delivery);
// Whether the host is marked unavailable; a host reaching us again (a
// verified request) clears it.
Result<bool> HostUnavailable(Database& db, const std::string& host);
Status MarkHostAvailable(Database& db, const std::string& host);
// Deliveries waiting (due or not), for metrics and tests.
Result<int64_t> CountDeliveries(Database& db);

// The inboxes where `account_id`'s followers on other servers get its
// activities: each remote follower's shared inbox, else its own, once.
Result<std::vector<std::string>> FollowerInboxes(Database& db, int64_t account_id);
// Remote followers and the local ones, for collections: one page of the
// followers' actor ids (remote: their uri; local: none, the caller builds
// them), newest first, below `below` (0: from the newest).
struct CollectionItem {
  int64_t row_id = 0;
  int64_t account_id = 0;
  std::string username;    // local accounts
  std::string remote_uri;  // remote accounts
};
Result<std::vector<CollectionItem>> FollowersPage(Database& db, int64_t account_id, int64_t below, int limit);
Result<std::vector<CollectionItem>> FollowingPage(Database& db, int64_t account_id, int64_t below, int limit);

// An account's public posts that federate (not comments, not archived),
// newest first, below `below` (0: from the newest); with `pinned`, only its
// pinned ones.
Result<std::vector<int64_t>> PublicPostIds(Database& db, int64_t account_id, int64_t below, int limit, bool pinned);

// An account's archive (federation/archive.h): every status it wrote (posts
// and comments, any visibility, archived ones too; boosts not), oldest
// first, ids above `above`; and the accounts it follows, as usernames
// ("name", or "name@host" for remote ones).
Result<std::vector<int64_t>> AuthoredStatusIds(Database& db, int64_t account_id, int64_t above, int limit);
Result<std::vector<std::string>> FollowedUsernames(Database& db, int64_t account_id);

// A remote account's Announce (boost) of a status: the row, the status's
// reblogs_count and `notification` (when given), in one transaction. False
// when the account had boosted it already.
Result<bool> AddAnnounce(Database& db, int64_t id, int64_t account_id, int64_t status_id, const std::string& uri,
                         int64_t now, const std::optional<Notification>& notification);
// Its Undo: the row, the count and the notification go. Whether there was one.
Result<bool> RemoveAnnounce(Database& db, int64_t account_id, int64_t status_id);

// A remote account's boost shown in home timelines (docs/federation.md,
// "Boosts"): a status of the booster's (`id`, uri: the Announce's id)
// naming `status_id`, put in the home timelines of the booster's local
// followers that do not have that status there already (as a post of an
// account they follow, their own, or boosted by another), in one
// transaction. False when the account had boosted it already.
Result<bool> AddReblog(Database& db, int64_t id, int64_t account_id, int64_t status_id, const std::string& uri,
                       int64_t now);
// Its Undo: the boost goes from every home timeline. Whether there was one.
Result<bool> RemoveReblog(Database& db, int64_t account_id, int64_t status_id);

// Servers a user blocks (/api/v1/domain_blocks; docs/federation.md,
// "Moderation of remote content"), newest first, at most `limit`.
Result<std::vector<std::string>> ListAccountDomainBlocks(Database& db, int64_t account_id, int limit);
// Adds the block (nothing when it was there); the accounts of that server
// that followed `account_id` or asked to stop doing so, in the same
// transaction (their counters with them). Answers those followers' ids
// with their Follow activities' ids, for the Rejects their servers are sent.
struct EndedFollow {
  int64_t follower_id = 0;
  std::string follow_uri;
};
Result<std::vector<EndedFollow>> AddAccountDomainBlock(Database& db, int64_t account_id, const std::string& domain,
                                                       int64_t now);
// Whether there was one.
Result<bool> RemoveAccountDomainBlock(Database& db, int64_t account_id, const std::string& domain);

// Remote posts held for the moderators (from silenced servers), newest
// first, below `below` (0: from the newest).
Result<std::vector<int64_t>> HeldRemotePosts(Database& db, int64_t below, int limit);
// Shows a held remote post; false when `id` is none.
Result<bool> ReleaseHeldPost(Database& db, int64_t id, int64_t now);

// The remote accounts of `domain` and its subdomains, whatever their port
// (for a suspension).
Result<std::vector<int64_t>> RemoteAccountsOfDomain(Database& db, const std::string& domain);

// A remote account deleted by its server (Delete of the actor): its
// follows, likes, boosts, comments (with the counters they moved) and the
// account go, in one transaction. NotFound when it is no remote account.
Status DeleteRemoteAccount(Database& db, int64_t account_id);

// Following remote accounts (docs/federation.md, "Following remote
// accounts").
//
// Whether a local account follows the remote account (or asked to): what
// makes its posts worth keeping here.
Result<bool> HasLocalFollower(Database& db, int64_t account_id);
// The local account whose pending request to follow `target_id` is the
// Follow activity `follow_uri`, or that follows it by that activity
// already; nullopt when none.
Result<std::optional<int64_t>> LocalFollowerByActivity(Database& db, int64_t target_id, const std::string& follow_uri);
// The counts a remote account's server reports (its collections'
// totalItems), shown as its own; nullopt leaves one as it is. The outbox's
// first page read at `now`.
struct ReportedCounts {
  std::optional<int64_t> followers;
  std::optional<int64_t> following;
  std::optional<int64_t> statuses;
};
Status SetRemoteCounts(Database& db, int64_t account_id, const ReportedCounts& counts, int64_t now);

// The status holding a remote ActivityPub id.
Result<std::optional<int64_t>> FindStatusIdByUri(Database& db, const std::string& uri);

// The remote Follow activity's id a follow or a pending request came from
// ("" when none: a local follow).
Result<std::string> FollowActivityId(Database& db, int64_t follower_id, int64_t target_id);

// Domain blocks (docs/federation.md, "Control"). `severity`: "suspend"
// (nothing in or out), "silence" (their comments held for review, their
// media not fetched) or "reject_media".
struct DomainBlock {
  std::string domain;
  std::string severity;
  std::string reason;
  int64_t created_at = 0;
};
Result<std::vector<DomainBlock>> ListDomainBlocks(Database& db);
// Creates or changes the block; whether it was new.
Result<bool> SaveDomainBlock(Database& db, const DomainBlock& block);
// Whether there was one.
Result<bool> RemoveDomainBlock(Database& db, const std::string& domain);
// The domains an allowlisted instance federates with.
struct DomainAllow {
  std::string domain;
  int64_t created_at = 0;
};
Result<std::vector<DomainAllow>> ListDomainAllows(Database& db);
Result<bool> AddDomainAllow(Database& db, const std::string& domain, int64_t now);
Result<bool> RemoveDomainAllow(Database& db, const std::string& domain);

// Counts for NodeInfo: local accounts that may sign in (no organisations
// counted twice) and local posts (not comments).
struct InstanceCounts {
  int64_t users = 0;
  int64_t posts = 0;
};
Result<InstanceCounts> CountInstance(Database& db);

}  // namespace vantage::store
