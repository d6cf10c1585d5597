// What only federation can do for the services: reach other servers
// (docs/federation.md, "Following remote accounts"). src/federation/
// implements it; services reach it through ServiceContext::fediverse, which
// is empty when federation is off.
//
// Every call blocks on the network (bounded by the client's deadline, 10
// seconds): call from a pool thread. A remote server that does not answer,
// or answers what cannot be read, is BadGateway "remote_unavailable"; one
// that answers that there is no such thing is NotFound; a blocked domain is
// Forbidden "domain_blocked".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "store/media_store.h"
#include "store/store.h"

namespace vantage::service {

// What a URL turned out to be: an account, or a status (with its author).
struct ResolvedObject {
  std::optional<store::Account> account;
  std::optional<int64_t> status_id;
};

class Fediverse {
 public:
  virtual ~Fediverse() = default;

  // "user@host" (a leading @ allowed): the account through WebFinger and
  // its actor, stored (or brought up to date).
  virtual Result<store::Account> ResolveAccount(std::string_view acct) = 0;
  // An http(s) URL of an actor, a post or a profile page on another server.
  virtual Result<ResolvedObject> ResolveUrl(std::string_view url) = 0;
  // Reads a remote account's reported counts and the first page of its
  // outbox (its recent public posts, stored), when that was never done or
  // is older than an hour.
  virtual Status RefreshRemotePosts(int64_t account_id) = 0;
  // Fetches a remote post's photo now and runs it through the media
  // pipeline (a no-op when it is ready); the attachment as it now is.
  virtual Result<store::MediaAttachment> FetchRemoteMedia(int64_t media_id) = 0;
};

}  // namespace vantage::service
