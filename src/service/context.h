// What every service needs: the stores, an id source, settings and throttles.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "core/id.h"
#include "service/rate_limiter.h"
#include "store/store.h"

namespace vantage::store {
class EventNotifier;
}  // namespace vantage::store

namespace vantage::service {

class QaEventRenderer;  // service/qa.h
class Fediverse;        // service/fediverse.h

enum class RegistrationMode { kOpen, kApproval, kClosed };
const char* RegistrationModeName(RegistrationMode mode);

struct Settings {
  std::string domain = "localhost";  // the instance's domain, as in acct and URLs
  std::string base_url = "http://localhost:8080";
  std::string title = "Vantage";
  RegistrationMode registrations = RegistrationMode::kOpen;
  bool secure_cookies = false;  // when served over TLS
  int sign_in_limit_ip = 30;         // attempts per IP per 5 minutes
  int sign_in_limit_account = 10;    // failures per account per 5 minutes
  int second_factor_limit_account = 5;  // wrong second-factor codes per account per 5 minutes
  int password_reset_limit_ip = 10;     // password reset requests per IP per hour
  // Accounts that signed up cannot sign in or use their tokens until they
  // follow the link sent to their address (service/mail.h).
  bool require_email_confirmation = false;
  int registration_limit_ip = 10;    // registrations per IP per hour
  int question_limit_account = 10;   // Q&A questions per account per 10 minutes
  int question_limit_ip = 30;        // Q&A questions per IP per 10 minutes
  // An account with this many followers has its posts pulled into home
  // timelines at read time instead of written into every follower's inbox
  // (docs/architecture.md, "Home timelines").
  int64_t feed_pull_followers = 10000;
  // Signs media URLs of files that not everyone may see (api/media_json.h).
  // Shared by every server on one database: read from it at start-up.
  std::string media_url_key;
};

struct ServiceContext {
  ServiceContext(store::Store& store_, Settings settings_, int shard = 0);

  store::Store& store;
  Settings settings;
  IdGenerator ids;
  RateLimiter sign_in_by_ip;
  RateLimiter sign_in_by_account;
  RateLimiter second_factor_failures;
  RateLimiter password_resets_by_ip;
  RateLimiter confirmation_links_by_ip;  // asked for by address; the same allowance as resets
  RateLimiter registrations_by_ip;
  RateLimiter questions_by_account;
  RateLimiter questions_by_ip;
  // Live events (docs/architecture.md): tells every server's event bus that
  // a topic has new events; none: events are written and nobody is told.
  store::EventNotifier* events = nullptr;
  // Renders the Q&A's live events as its REST reads do (api/qa.cc sets it);
  // none: the Q&A writes no events.
  std::shared_ptr<const QaEventRenderer> qa_events;
  // Wakes the federation worker when the outbox has new entries
  // (service/federation_events.h); none: it finds them at its next poll.
  std::function<void()> federation_wake;
  // Wakes the mail sender when a message is queued (mail/sender.h); none:
  // it finds it at its next poll.
  std::function<void()> mail_wake;
  // Other servers, reached through federation (service/fediverse.h); none:
  // federation is off, and nothing remote is resolved or fetched.
  Fediverse* fediverse = nullptr;
};

// After a change that took someone's right to read away has committed (it
// appended its revocation to store::kAccessTopic, store/access_events.h):
// tells every server's event bus to read the access topic now, so the
// streams it names end at once rather than at the next poll.
void TellAccessRevoked(ServiceContext& ctx);

}  // namespace vantage::service
