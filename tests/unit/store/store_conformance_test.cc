// The store contract (store/store.h, store/sql.h), checked through the public
// surface only, on every backend that instantiates StoreConformanceTest.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "store_backend.h"

namespace vantage::store::testing {
namespace {

// --- accounts ---------------------------------------------------------------

TEST_P(StoreConformanceTest, AccountRoundTripsEveryField) {
  Account a = NewAccount("Alice_01", "Alice@Example.org");
  a.note = "Official account of the archive.\nSecond line.";
  a.role = Role::kModerator;
  a.locked = true;
  a.approved = false;
  a.verified = true;
  a.registration_reason = "I work here";
  a.created_at = 1700000000123;
  a.updated_at = 1700000000456;
  a.followers_count = 12;
  a.following_count = 34;
  a.statuses_count = 56;
  auto created = store_->accounts().Create(a);
  ASSERT_TRUE(created.ok()) << Describe(created);

  auto found = store_->accounts().FindById(a.id);
  ASSERT_TRUE(found.ok()) << Describe(found);
  ASSERT_TRUE(found->has_value());
  const Account& f = **found;
  EXPECT_EQ(f.id, a.id);
  EXPECT_EQ(f.username, "Alice_01");
  EXPECT_EQ(f.email, "Alice@Example.org");
  EXPECT_EQ(f.display_name, a.display_name);
  EXPECT_EQ(f.note, a.note);
  EXPECT_EQ(f.password_hash, a.password_hash);
  EXPECT_EQ(f.role, Role::kModerator);
  EXPECT_TRUE(f.locked);
  EXPECT_FALSE(f.approved);
  EXPECT_TRUE(f.verified);
  EXPECT_EQ(f.registration_reason, "I work here");
  EXPECT_EQ(f.created_at, 1700000000123);
  EXPECT_EQ(f.updated_at, 1700000000456);
  EXPECT_EQ(f.followers_count, 12);
  EXPECT_EQ(f.following_count, 34);
  EXPECT_EQ(f.statuses_count, 56);
}

TEST_P(StoreConformanceTest, TextRoundTripsByteForByte) {
  Account a = NewAccount("unicode", "u@example.org");
  a.display_name = "Polizei 🚓 — «Ärger» 'quoted' \"double\" ; DROP TABLE accounts; --";
  a.note = std::string(100000, 'x');
  ASSERT_TRUE(store_->accounts().Create(a).ok());
  auto found = store_->accounts().FindById(a.id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->display_name, a.display_name);
  EXPECT_EQ((*found)->note, a.note);
}

TEST_P(StoreConformanceTest, FindsAccountsByUsernameAndEmailIgnoringCase) {
  Account a = CreateAccount("MuseumArchive");
  for (const char* name : {"MuseumArchive", "museumarchive", "MUSEUMARCHIVE"}) {
    auto found = store_->accounts().FindByUsername(name);
    ASSERT_TRUE(found.ok()) << Describe(found);
    ASSERT_TRUE(found->has_value()) << name;
    EXPECT_EQ((*found)->id, a.id);
    EXPECT_EQ((*found)->username, "MuseumArchive");  // as chosen, not as asked
  }
  auto by_email = store_->accounts().FindByEmail("MUSEUMARCHIVE@EXAMPLE.ORG");
  ASSERT_TRUE(by_email.ok()) << Describe(by_email);
  ASSERT_TRUE(by_email->has_value());
  EXPECT_EQ((*by_email)->id, a.id);
}

TEST_P(StoreConformanceTest, FindingUnknownAccountsGivesNothing) {
  CreateAccount("someone");
  auto by_id = store_->accounts().FindById(ids_.Next());
  auto by_name = store_->accounts().FindByUsername("nobody");
  auto by_email = store_->accounts().FindByEmail("nobody@example.org");
  auto by_empty_email = store_->accounts().FindByEmail("");
  for (const auto* r : {&by_id, &by_name, &by_email, &by_empty_email}) {
    ASSERT_TRUE(r->ok()) << Describe(*r);
    EXPECT_FALSE(r->value().has_value());
  }
}

TEST_P(StoreConformanceTest, UsernameIsTakenIgnoringCase) {
  CreateAccount("police");
  auto second = store_->accounts().Create(NewAccount("POLICE", "other@example.org"));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(second.error().code, "taken");
  EXPECT_EQ(second.error().field, "username");
  EXPECT_NE(second.error().message.find("username"), std::string::npos);
  auto count = store_->accounts().CountLocal();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 1);
}

TEST_P(StoreConformanceTest, EmailIsTakenIgnoringCase) {
  CreateAccount("first");  // first@example.org
  auto second = store_->accounts().Create(NewAccount("second", "First@Example.ORG"));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(second.error().code, "taken");
  EXPECT_EQ(second.error().field, "email");
  EXPECT_NE(second.error().message.find("email"), std::string::npos);
}

TEST_P(StoreConformanceTest, AccountsWithoutEmailDoNotConflict) {
  ASSERT_TRUE(store_->accounts().Create(NewAccount("no_mail_1", "")).ok());
  auto second = store_->accounts().Create(NewAccount("no_mail_2", ""));
  ASSERT_TRUE(second.ok()) << Describe(second);
  auto found = store_->accounts().FindById(second->id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->email, "");
}

TEST_P(StoreConformanceTest, CreatingAnAccountWithATakenIdFails) {
  Account a = CreateAccount("original");
  Account copy = NewAccount("copy", "copy@example.org");
  copy.id = a.id;
  auto second = store_->accounts().Create(copy);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(second.error().code, "unique_violation");
}

TEST_P(StoreConformanceTest, UpdateChangesOnlyThePatchedFields) {
  Account a = CreateAccount("patchme");
  AccountPatch patch;
  patch.note = "New bio";
  patch.locked = true;
  auto updated = store_->accounts().Update(a.id, patch, 1800000000000);
  ASSERT_TRUE(updated.ok()) << Describe(updated);
  EXPECT_EQ(updated->note, "New bio");
  EXPECT_TRUE(updated->locked);
  EXPECT_EQ(updated->display_name, a.display_name);
  EXPECT_EQ(updated->updated_at, 1800000000000);
  EXPECT_EQ(updated->created_at, a.created_at);

  AccountPatch second;
  second.display_name = "";  // set to empty is a change, not "absent"
  second.locked = false;
  updated = store_->accounts().Update(a.id, second, 1800000000001);
  ASSERT_TRUE(updated.ok()) << Describe(updated);
  EXPECT_EQ(updated->display_name, "");
  EXPECT_EQ(updated->note, "New bio");
  EXPECT_FALSE(updated->locked);

  auto found = store_->accounts().FindById(a.id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->display_name, "");
  EXPECT_EQ((*found)->note, "New bio");
  EXPECT_EQ((*found)->updated_at, 1800000000001);
}

TEST_P(StoreConformanceTest, UpdatingAnUnknownAccountIsNotFound) {
  AccountPatch patch;
  patch.note = "x";
  auto updated = store_->accounts().Update(ids_.Next(), patch, 1);
  ASSERT_FALSE(updated.ok());
  EXPECT_EQ(updated.error().kind, ErrorKind::kNotFound);
}

TEST_P(StoreConformanceTest, SettersChangeTheirField) {
  Account a = CreateAccount("setters");
  ASSERT_TRUE(store_->accounts().SetPasswordHash(a.id, "$argon2id$new", 1800000000000).ok());
  ASSERT_TRUE(store_->accounts().SetRole(a.id, Role::kAdmin, 1800000000001).ok());
  ASSERT_TRUE(store_->accounts().SetApproved(a.id, false, 1800000000002).ok());
  auto found = store_->accounts().FindById(a.id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->password_hash, "$argon2id$new");
  EXPECT_EQ((*found)->role, Role::kAdmin);
  EXPECT_FALSE((*found)->approved);
  EXPECT_EQ((*found)->updated_at, 1800000000002);
}

TEST_P(StoreConformanceTest, SettersOnAnUnknownAccountAreNotFound) {
  int64_t id = ids_.Next();
  EXPECT_EQ(store_->accounts().SetPasswordHash(id, "h", 1).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(store_->accounts().SetRole(id, Role::kAdmin, 1).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(store_->accounts().SetApproved(id, true, 1).error().kind, ErrorKind::kNotFound);
  EXPECT_EQ(store_->accounts().SetVerified(id, true, 1).error().kind, ErrorKind::kNotFound);
}

TEST_P(StoreConformanceTest, ListsVerifiedAccountsOnly) {
  CreateAccount("plain");
  Account museum = CreateAccount("museum");
  Account police = CreateAccount("police");
  auto none = store_->accounts().ListVerified();
  ASSERT_TRUE(none.ok()) << Describe(none);
  EXPECT_TRUE(none->empty());

  ASSERT_TRUE(store_->accounts().SetVerified(police.id, true, 1800000000000).ok());
  ASSERT_TRUE(store_->accounts().SetVerified(museum.id, true, 1800000000001).ok());
  auto both = store_->accounts().ListVerified();
  ASSERT_TRUE(both.ok()) << Describe(both);
  ASSERT_EQ(both->size(), 2u);
  EXPECT_EQ((*both)[0].id, museum.id);  // oldest account first
  EXPECT_EQ((*both)[1].id, police.id);
  EXPECT_TRUE((*both)[1].verified);
  EXPECT_EQ((*both)[1].updated_at, 1800000000000);

  ASSERT_TRUE(store_->accounts().SetVerified(museum.id, false, 1800000000002).ok());
  auto one = store_->accounts().ListVerified();
  ASSERT_TRUE(one.ok()) << Describe(one);
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].username, "police");
  auto found = store_->accounts().FindById(museum.id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_FALSE((*found)->verified);
  EXPECT_EQ((*found)->updated_at, 1800000000002);
}

TEST_P(StoreConformanceTest, CountsAccounts) {
  auto count = store_->accounts().CountLocal();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 0);
  CreateAccount("one");
  CreateAccount("two");
  count = store_->accounts().CountLocal();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 2);
}

TEST(RoleTest, NamesRoundTrip) {
  for (Role role : {Role::kUser, Role::kModerator, Role::kAdmin}) {
    EXPECT_EQ(ParseRole(RoleName(role)), role);
  }
  EXPECT_STREQ(RoleName(Role::kModerator), "moderator");
  EXPECT_EQ(ParseRole("Admin"), std::nullopt);
  EXPECT_EQ(ParseRole(""), std::nullopt);
}

// --- apps -------------------------------------------------------------------

TEST_P(StoreConformanceTest, AppsAreFoundByClientIdAndId) {
  App app = CreateApp("client-abc");
  for (auto found : {store_->apps().FindByClientId("client-abc"), store_->apps().FindById(app.id)}) {
    ASSERT_TRUE(found.ok()) << Describe(found);
    ASSERT_TRUE(found->has_value());
    const App& f = **found;
    EXPECT_EQ(f.id, app.id);
    EXPECT_EQ(f.name, app.name);
    EXPECT_EQ(f.website, app.website);
    EXPECT_EQ(f.redirect_uris, app.redirect_uris);
    EXPECT_EQ(f.scopes, app.scopes);
    EXPECT_EQ(f.client_id, "client-abc");
    EXPECT_EQ(f.client_secret_hash, app.client_secret_hash);
    EXPECT_EQ(f.created_at, app.created_at);
  }
  // Client ids are secrets' neighbours: matched exactly, case included.
  auto other_case = store_->apps().FindByClientId("CLIENT-ABC");
  ASSERT_TRUE(other_case.ok());
  EXPECT_FALSE(other_case->has_value());
  auto unknown = store_->apps().FindById(ids_.Next());
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->has_value());
}

TEST_P(StoreConformanceTest, DuplicateClientIdIsAUniqueViolation) {
  CreateApp("same");
  App again;
  again.id = ids_.Next();
  again.name = "Other";
  again.client_id = "same";
  again.client_secret_hash = "x";
  auto created = store_->apps().Create(again);
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(created.error().code, "unique_violation");
  EXPECT_EQ(created.error().field, "apps.client_id");
}

// --- authorization codes ----------------------------------------------------

AuthorizationCode MakeCode(const std::string& hash, const App& app, const Account& account,
                           int64_t expires_at) {
  AuthorizationCode code;
  code.code_hash = hash;
  code.app_id = app.id;
  code.account_id = account.id;
  code.redirect_uri = "https://app.example/callback";
  code.scopes = "read write";
  code.code_challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
  code.expires_at = expires_at;
  return code;
}

TEST_P(StoreConformanceTest, AuthorizationCodeIsConsumedExactlyOnce) {
  App app = CreateApp("c1");
  Account account = CreateAccount("owner");
  ASSERT_TRUE(store_->authorization_codes().Create(MakeCode("hash-1", app, account, 42)).ok());

  auto first = store_->authorization_codes().Consume("hash-1");
  ASSERT_TRUE(first.ok()) << Describe(first);
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ((*first)->code_hash, "hash-1");
  EXPECT_EQ((*first)->app_id, app.id);
  EXPECT_EQ((*first)->account_id, account.id);
  EXPECT_EQ((*first)->redirect_uri, "https://app.example/callback");
  EXPECT_EQ((*first)->scopes, "read write");
  EXPECT_EQ((*first)->code_challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  EXPECT_EQ((*first)->expires_at, 42);

  auto second = store_->authorization_codes().Consume("hash-1");
  ASSERT_TRUE(second.ok()) << Describe(second);
  EXPECT_FALSE(second->has_value());
  auto unknown = store_->authorization_codes().Consume("never-issued");
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->has_value());
}

TEST_P(StoreConformanceTest, ConcurrentConsumersOfOneCodeHaveOneWinner) {
  App app = CreateApp("c2");
  Account account = CreateAccount("racer");
  constexpr int kThreads = 8;
  constexpr int kRounds = 25;
  for (int round = 0; round < kRounds; ++round) {
    std::string hash = "race-" + std::to_string(round);
    ASSERT_TRUE(store_->authorization_codes().Create(MakeCode(hash, app, account, 1)).ok());
    std::atomic<int> ready{0}, winners{0}, failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&] {
        ready.fetch_add(1);
        while (ready.load() < kThreads) std::this_thread::yield();
        auto consumed = store_->authorization_codes().Consume(hash);
        if (!consumed.ok()) {
          failures.fetch_add(1);
        } else if (consumed->has_value()) {
          winners.fetch_add(1);
        }
      });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(failures.load(), 0) << "round " << round;
    EXPECT_EQ(winners.load(), 1) << "round " << round;
  }
}

TEST_P(StoreConformanceTest, DeleteExpiredRemovesOnlyExpiredCodes) {
  App app = CreateApp("c3");
  Account account = CreateAccount("expiry");
  ASSERT_TRUE(store_->authorization_codes().Create(MakeCode("old", app, account, 100)).ok());
  ASSERT_TRUE(store_->authorization_codes().Create(MakeCode("edge", app, account, 200)).ok());
  ASSERT_TRUE(store_->authorization_codes().Create(MakeCode("new", app, account, 300)).ok());
  auto deleted = store_->authorization_codes().DeleteExpired(200);
  ASSERT_TRUE(deleted.ok()) << Describe(deleted);
  EXPECT_EQ(*deleted, 2);
  EXPECT_FALSE(store_->authorization_codes().Consume("old")->has_value());
  EXPECT_FALSE(store_->authorization_codes().Consume("edge")->has_value());
  EXPECT_TRUE(store_->authorization_codes().Consume("new")->has_value());
}

TEST_P(StoreConformanceTest, DuplicateAuthorizationCodeIsRejected) {
  App app = CreateApp("c4");
  Account account = CreateAccount("dup");
  ASSERT_TRUE(store_->authorization_codes().Create(MakeCode("same", app, account, 1)).ok());
  auto again = store_->authorization_codes().Create(MakeCode("same", app, account, 1));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "unique_violation");
}

// --- tokens -----------------------------------------------------------------

void ExpectSameToken(const Token& a, const Token& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.token_hash, b.token_hash);
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.app_id, b.app_id);
  EXPECT_EQ(a.account_id, b.account_id);
  EXPECT_EQ(a.scopes, b.scopes);
  EXPECT_EQ(a.csrf_token, b.csrf_token);
  EXPECT_EQ(a.user_agent, b.user_agent);
  EXPECT_EQ(a.ip, b.ip);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.last_used_at, b.last_used_at);
}

TEST_P(StoreConformanceTest, TokensRoundTripEveryKind) {
  App app = CreateApp("t1");
  Account account = CreateAccount("holder");
  Token oauth = NewToken("h-oauth", TokenKind::kOAuth, account.id, app.id);
  Token client = NewToken("h-client", TokenKind::kOAuth, std::nullopt, app.id);
  Token session = NewToken("h-session", TokenKind::kSession, account.id, std::nullopt);
  for (const Token& t : {oauth, client, session}) {
    auto created = store_->tokens().Create(t);
    ASSERT_TRUE(created.ok()) << Describe(created);
    auto found = store_->tokens().FindByHash(t.token_hash);
    ASSERT_TRUE(found.ok()) << Describe(found);
    ASSERT_TRUE(found->has_value()) << t.token_hash;
    ExpectSameToken(**found, t);
  }
  auto unknown = store_->tokens().FindByHash("h-unknown");
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->has_value());
}

TEST_P(StoreConformanceTest, FindsATokenWithItsAccountAndApp) {
  App app = CreateApp("t3");
  Account account = CreateAccount("owner");
  Token oauth = NewToken("w-oauth", TokenKind::kOAuth, account.id, app.id);
  Token client = NewToken("w-client", TokenKind::kOAuth, std::nullopt, app.id);
  Token session = NewToken("w-session", TokenKind::kSession, account.id, std::nullopt);
  for (const Token& t : {oauth, client, session}) {
    ASSERT_TRUE(store_->tokens().Create(t).ok());
    auto found = store_->tokens().FindWithOwnersByHash(t.token_hash);
    ASSERT_TRUE(found.ok()) << Describe(found);
    ASSERT_TRUE(found->has_value()) << t.token_hash;
    const TokenOwners& owners = **found;
    ExpectSameToken(owners.token, t);
    ASSERT_EQ(owners.account.has_value(), t.account_id.has_value()) << t.token_hash;
    if (owners.account) {
      EXPECT_EQ(owners.account->id, account.id);
      EXPECT_EQ(owners.account->username, account.username);
      EXPECT_EQ(owners.account->email, account.email);
      EXPECT_EQ(owners.account->followers_count, account.followers_count);
    }
    ASSERT_EQ(owners.app.has_value(), t.app_id.has_value()) << t.token_hash;
    if (owners.app) {
      EXPECT_EQ(owners.app->id, app.id);
      EXPECT_EQ(owners.app->name, app.name);
      EXPECT_EQ(owners.app->client_id, app.client_id);
      EXPECT_EQ(owners.app->client_secret_hash, app.client_secret_hash);
    }
  }
  auto unknown = store_->tokens().FindWithOwnersByHash("w-unknown");
  ASSERT_TRUE(unknown.ok());
  EXPECT_FALSE(unknown->has_value());
}

TEST_P(StoreConformanceTest, DuplicateTokenHashIsRejected) {
  Account account = CreateAccount("dup_token");
  ASSERT_TRUE(store_->tokens().Create(NewToken("same", TokenKind::kSession, account.id, {})).ok());
  auto again = store_->tokens().Create(NewToken("same", TokenKind::kSession, account.id, {}));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "unique_violation");
  EXPECT_EQ(again.error().field, "tokens.token_hash");
}

TEST_P(StoreConformanceTest, TokenOfUnknownAccountIsRejected) {
  auto created = store_->tokens().Create(NewToken("orphan", TokenKind::kSession, ids_.Next(), {}));
  EXPECT_FALSE(created.ok());
  auto found = store_->tokens().FindByHash("orphan");
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST_P(StoreConformanceTest, ListsAnAccountsTokensOfOneKindNewestFirst) {
  App app = CreateApp("t2");
  Account account = CreateAccount("lister");
  Account other = CreateAccount("other");
  Token s1 = NewToken("s1", TokenKind::kSession, account.id, {});
  Token s2 = NewToken("s2", TokenKind::kSession, account.id, {});
  Token o1 = NewToken("o1", TokenKind::kOAuth, account.id, app.id);
  Token foreign = NewToken("s3", TokenKind::kSession, other.id, {});
  for (const Token& t : {s1, s2, o1, foreign}) ASSERT_TRUE(store_->tokens().Create(t).ok());

  auto sessions = store_->tokens().ListForAccount(account.id, TokenKind::kSession);
  ASSERT_TRUE(sessions.ok()) << Describe(sessions);
  ASSERT_EQ(sessions->size(), 2u);
  EXPECT_EQ((*sessions)[0].id, s2.id);
  EXPECT_EQ((*sessions)[1].id, s1.id);
  ExpectSameToken((*sessions)[1], s1);

  auto oauth = store_->tokens().ListForAccount(account.id, TokenKind::kOAuth);
  ASSERT_TRUE(oauth.ok());
  ASSERT_EQ(oauth->size(), 1u);
  EXPECT_EQ((*oauth)[0].id, o1.id);

  auto none = store_->tokens().ListForAccount(ids_.Next(), TokenKind::kSession);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(StoreConformanceTest, RevokeSaysWhetherThereWasATokenToRevoke) {
  Account account = CreateAccount("revoker");
  Token a = NewToken("ra", TokenKind::kSession, account.id, {});
  Token b = NewToken("rb", TokenKind::kSession, account.id, {});
  ASSERT_TRUE(store_->tokens().Create(a).ok());
  ASSERT_TRUE(store_->tokens().Create(b).ok());

  auto revoked = store_->tokens().Revoke(a.id);
  ASSERT_TRUE(revoked.ok());
  EXPECT_TRUE(*revoked);
  EXPECT_FALSE(store_->tokens().FindByHash("ra")->has_value());
  revoked = store_->tokens().Revoke(a.id);
  ASSERT_TRUE(revoked.ok());
  EXPECT_FALSE(*revoked);

  revoked = store_->tokens().RevokeByHash("rb");
  ASSERT_TRUE(revoked.ok());
  EXPECT_TRUE(*revoked);
  EXPECT_FALSE(store_->tokens().FindByHash("rb")->has_value());
  revoked = store_->tokens().RevokeByHash("rb");
  ASSERT_TRUE(revoked.ok());
  EXPECT_FALSE(*revoked);
}

TEST_P(StoreConformanceTest, RevokeAllKeepsOnlyTheGivenToken) {
  App app = CreateApp("t3");
  Account account = CreateAccount("signout");
  Account bystander = CreateAccount("bystander");
  Token keep = NewToken("keep", TokenKind::kSession, account.id, {});
  Token s = NewToken("drop-session", TokenKind::kSession, account.id, {});
  Token o = NewToken("drop-oauth", TokenKind::kOAuth, account.id, app.id);
  Token other = NewToken("other", TokenKind::kSession, bystander.id, {});
  for (const Token& t : {keep, s, o, other}) ASSERT_TRUE(store_->tokens().Create(t).ok());

  auto revoked = store_->tokens().RevokeAllForAccount(account.id, keep.id);
  ASSERT_TRUE(revoked.ok()) << Describe(revoked);
  EXPECT_EQ(*revoked, 2);
  EXPECT_TRUE(store_->tokens().FindByHash("keep")->has_value());
  EXPECT_FALSE(store_->tokens().FindByHash("drop-session")->has_value());
  EXPECT_FALSE(store_->tokens().FindByHash("drop-oauth")->has_value());
  EXPECT_TRUE(store_->tokens().FindByHash("other")->has_value());

  revoked = store_->tokens().RevokeAllForAccount(account.id, 0);
  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(*revoked, 1);
  EXPECT_FALSE(store_->tokens().FindByHash("keep")->has_value());
  EXPECT_TRUE(store_->tokens().FindByHash("other")->has_value());
}

TEST_P(StoreConformanceTest, TouchOnlyMovesLastUsedForward) {
  Account account = CreateAccount("toucher");
  Token t = NewToken("touch", TokenKind::kSession, account.id, {});
  ASSERT_TRUE(store_->tokens().Create(t).ok());
  ASSERT_TRUE(store_->tokens().Touch(t.id, t.last_used_at + 5000).ok());
  EXPECT_EQ((*store_->tokens().FindByHash("touch"))->last_used_at, t.last_used_at + 5000);
  ASSERT_TRUE(store_->tokens().Touch(t.id, t.last_used_at + 10).ok());
  EXPECT_EQ((*store_->tokens().FindByHash("touch"))->last_used_at, t.last_used_at + 5000);
  // A token revoked in the meantime is no error for the request that used it.
  EXPECT_TRUE(store_->tokens().Touch(ids_.Next(), t.last_used_at).ok());
}

// --- schema -----------------------------------------------------------------

TEST_P(StoreConformanceTest, DeletingAnAccountRemovesItsTokensAndCodes) {
  constexpr Statement kDeleteAccount{"test_delete_account", "DELETE FROM accounts WHERE id = ?"};
  App app = CreateApp("cascade");
  Account account = CreateAccount("leaver");
  ASSERT_TRUE(store_->tokens().Create(NewToken("gone", TokenKind::kOAuth, account.id, app.id)).ok());
  ASSERT_TRUE(store_->authorization_codes().Create(MakeCode("gone", app, account, 1)).ok());
  Status deleted = db_->Write([&](Connection& conn) -> Status {
    auto n = conn.Exec(kDeleteAccount, {account.id});
    if (!n) return std::move(n).error();
    EXPECT_EQ(*n, 1);
    return Ok();
  });
  ASSERT_TRUE(deleted.ok()) << Describe(deleted);
  EXPECT_FALSE(store_->tokens().FindByHash("gone")->has_value());
  EXPECT_FALSE(store_->authorization_codes().Consume("gone")->has_value());
}

TEST_P(StoreConformanceTest, SchemaIsAtTheLatestVersion) {
  auto version = backend_->SchemaVersion();
  ASSERT_TRUE(version.ok()) << Describe(version);
  EXPECT_EQ(*version, backend_->LatestSchemaVersion());
  EXPECT_GE(*version, 1);
}

TEST_P(StoreConformanceTest, ReopeningKeepsDataAndSchema) {
  Account a = CreateAccount("persistent");
  Reopen();
  auto version = backend_->SchemaVersion();
  ASSERT_TRUE(version.ok()) << Describe(version);
  EXPECT_EQ(*version, backend_->LatestSchemaVersion());
  Reopen();
  auto found = store_->accounts().FindByUsername("persistent");
  ASSERT_TRUE(found.ok()) << Describe(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, a.id);
  CreateAccount("after_reopen");
  EXPECT_EQ(*store_->accounts().CountLocal(), 2);
}

// --- transactions -----------------------------------------------------------

constexpr Statement kInsertBareAccount{
    "test_insert_bare_account",
    "INSERT INTO accounts (id, username, created_at, updated_at) VALUES (?, ?, 0, 0)"};

TEST_P(StoreConformanceTest, AFailedWriteLeavesNothingBehind) {
  int64_t id = ids_.Next();
  Status status = db_->Write([&](Connection& conn) -> Status {
    auto inserted = conn.Exec(kInsertBareAccount, {id, std::string("ghost")});
    if (!inserted) return std::move(inserted).error();
    return Error::Invalid("x", "changed my mind");
  });
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "changed my mind");
  auto found = store_->accounts().FindById(id);
  ASSERT_TRUE(found.ok());
  EXPECT_FALSE(found->has_value());
}

TEST_P(StoreConformanceTest, ReadTransactionsCannotWrite) {
  Status status = db_->Read([&](Connection& conn) -> Status {
    auto inserted = conn.Exec(kInsertBareAccount, {ids_.Next(), std::string("sneaky")});
    if (!inserted) return std::move(inserted).error();
    return Ok();
  });
  EXPECT_FALSE(status.ok());
  EXPECT_FALSE(store_->accounts().FindByUsername("sneaky")->has_value());
}

TEST_P(StoreConformanceTest, ConcurrentWritersAndReadersNeverSeeBusy) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  std::atomic<int> failures{0};
  std::string first_failure;
  std::mutex failure_mu;
  auto fail = [&](const Error& e) {
    std::lock_guard lock(failure_mu);
    if (failures.fetch_add(1) == 0) first_failure = Describe(e);
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string name = "w" + std::to_string(t) + "_" + std::to_string(i);
        auto created = store_->accounts().Create(NewAccount(name, name + "@example.org"));
        if (!created.ok()) {
          fail(created.error());
          continue;
        }
        auto found = store_->accounts().FindByUsername(name);
        if (!found.ok()) fail(found.error());
        else if (!found->has_value()) fail(Error::Internal("own write not visible: " + name));
        auto touched = store_->accounts().Update(created->id, AccountPatch{.note = "n"}, i);
        if (!touched.ok()) fail(touched.error());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0) << first_failure;
  EXPECT_EQ(*store_->accounts().CountLocal(), kThreads * kPerThread);
}

TEST_P(StoreConformanceTest, BackupWhileWritingIsAConsistentCopy) {
  for (int i = 0; i < 50; ++i) CreateAccount("before" + std::to_string(i));
  std::atomic<bool> stop{false};
  std::atomic<int> written{0}, failures{0};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      std::string name = "during" + std::to_string(i);
      if (store_->accounts().Create(NewAccount(name, name + "@example.org")).ok()) {
        written.fetch_add(1);
      } else {
        failures.fetch_add(1);
      }
    }
  });
  while (written.load() < 20) std::this_thread::yield();
  auto copy = backend_->BackupAndOpenCopy();
  int written_after_backup = written.load();
  while (written.load() < written_after_backup + 20) std::this_thread::yield();
  stop = true;
  writer.join();
  ASSERT_TRUE(copy.ok()) << Describe(copy);
  EXPECT_EQ(failures.load(), 0);

  auto copy_store = MakeSqlStore(*copy);
  auto copied = copy_store->accounts().CountLocal();
  ASSERT_TRUE(copied.ok()) << Describe(copied);
  auto live = store_->accounts().CountLocal();
  ASSERT_TRUE(live.ok());
  EXPECT_GE(*copied, 50 + 20);
  EXPECT_LT(*copied, *live);  // writes went on after the snapshot
  // Every account in the copy is the same as the live one.
  for (int i = 0; i < *copied - 50; ++i) {
    std::string name = "during" + std::to_string(i);
    auto in_copy = copy_store->accounts().FindByUsername(name);
    auto in_live = store_->accounts().FindByUsername(name);
    ASSERT_TRUE(in_copy.ok() && in_live.ok());
    ASSERT_TRUE(in_copy->has_value()) << name << " is missing from the copy";
    EXPECT_EQ((*in_copy)->id, (*in_live)->id);
    EXPECT_EQ((*in_copy)->email, (*in_live)->email);
  }
  EXPECT_TRUE(copy_store->accounts().FindByUsername("before49")->has_value());
  // The copy is a database of its own: it takes writes.
  Account extra = NewAccount("only_in_copy", "copy@example.org");
  EXPECT_TRUE(copy_store->accounts().Create(extra).ok());
  EXPECT_FALSE(store_->accounts().FindById(extra.id)->has_value());
  (*copy)->Close();
}

TEST_P(StoreConformanceTest, CountsTimeSpentInTheDatabase) {
  double before = db_->SecondsInDatabase();
  for (int i = 0; i < 10; ++i) CreateAccount("timed" + std::to_string(i));
  EXPECT_GT(db_->SecondsInDatabase(), before);
}

TEST_P(StoreConformanceTest, ClosedDatabaseRefusesWork) {
  CreateAccount("closing");
  db_->Close();
  db_->Close();  // idempotent
  auto found = store_->accounts().FindByUsername("closing");
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().kind, ErrorKind::kUnavailable);
  auto created = store_->accounts().Create(NewAccount("late", "late@example.org"));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().kind, ErrorKind::kUnavailable);
  Reopen();
  EXPECT_TRUE(store_->accounts().FindByUsername("closing")->has_value());
}

}  // namespace
}  // namespace vantage::store::testing
