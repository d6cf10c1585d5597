// vantage seed: a synthetic network written straight into an empty database,
// for benchmarks and demos.
//
// The network (defaults in parentheses):
//   - accounts (100k), created over 10 days, 30 days before the first post;
//     `official` (verified, feed_pull) is followed by every account; `typical`
//     follows 20 accounts and `heavy` 5,000, picked by popularity.
//   - follows (2M in all): besides those, in-degrees follow a Zipf law over a
//     random ranking of the ordinary accounts, followers drawn uniformly, no
//     duplicates, no self-follows. Every follow happens in the 20 days before
//     the first post (each account's in one sitting), so each inbox holds
//     every post of its followees, exactly as fan-out on write leaves it.
//     Accounts reaching the fan-out limit are feed_pull.
//   - posts (1M) over the last 60 days, 1-3 photos each from a pool of real
//     processed images (8) stored once; captions with hashtags on some;
//     `official` posts max(100, posts/1000) of them.
//   - comments (1 per post) and likes (5 per post) on posts drawn by the
//     square root of their author's followers; a quarter of the comments
//     answer an earlier comment of the same post.
//   - notifications for every follow, like and reply, and the home-feed
//     inboxes, as the server writes them.
// Every counter column is computed from the rows written. Ids are built from
// each row's created_at (core/id.h layout, the command-line shard), so paging
// by id is paging by time.
//
// Speed: rows are generated in memory, then written table by table through
// the SQL layer with multi-row INSERTs, one transaction per table. Secondary
// indexes that would take random-order inserts are dropped first and rebuilt
// from their own definitions at the end (a sort instead of millions of random
// B-tree inserts); the tables are ANALYZEd last. On SQLite the writer runs
// without fsync or foreign-key lookups meanwhile (--verify checks what those
// would have). Nearly all of the time is SQLite's B-tree work.
#include <sys/resource.h>

#include <boost/program_options.hpp>

#include <glib.h>
#include <vips/vips8>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "cli/config.h"
#include "cli/data.h"
#include "cli/seed.h"
#include "core/id.h"
#include "media/blob_store.h"
#include "media/libvips.h"
#include "media/process.h"
#include "service/crypto.h"
#include "service/media.h"
#include "service/status_text.h"
#include "store/media_store.h"
#include "store/sql.h"

namespace vantage::cli {

namespace po = boost::program_options;

namespace {

using store::Connection;
using store::Null;
using store::Value;
using Clock = std::chrono::steady_clock;

constexpr int64_t kDayMs = 86'400'000;
// Accounts sign up over 10 days, then follow over these 20, then post.
constexpr int64_t kFollowDaysMs = 20 * kDayMs;
constexpr int32_t kOfficial = 0, kTypical = 1, kHeavy = 2, kFirstOrdinary = 3;
// Measured on the default network: bigger transactions (up to one per
// table) cost more CPU, not less.
constexpr int64_t kRowsPerTransaction = 250'000;
// Bound parameters per INSERT statement: well inside SQLite's 32766 and
// PostgreSQL's 65535.
constexpr int kParamsPerStatement = 8'000;
constexpr int64_t kLikeDelayMs = 6 * 3'600'000;
constexpr int64_t kCommentDelayMs = 3 * 3'600'000;

struct SeedOptions {
  int64_t accounts = 100'000;
  int64_t posts = 1'000'000;
  int64_t follows = 2'000'000;
  int64_t likes = -1;     // default: 5 per post
  int64_t comments = -1;  // default: 1 per post
  int64_t typical_follows = -1;  // default: 20, or every ordinary account when fewer
  int64_t heavy_follows = -1;    // default: 5000, likewise
  int64_t images = 8;
  int64_t days = 60;
  uint64_t seed = 1;
  std::string password = "vantage-seed";
  std::string public_url = "http://127.0.0.1:8080";
  bool verify = false;
};

// splitmix64: fast, and good enough to shape synthetic data.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n).
  int64_t Below(int64_t n) {
    return static_cast<int64_t>((static_cast<unsigned __int128>(Next()) * static_cast<uint64_t>(n)) >> 64);
  }
  // Uniform in (0, 1].
  double Unit() { return (static_cast<double>(Next() >> 11) + 1.0) * 0x1.0p-53; }
  double Exponential(double mean) { return -std::log(Unit()) * mean; }

 private:
  uint64_t state_;
};

// A stream of its own for each item, so that what an item looks like does not
// depend on the order things are generated in.
Rng ItemRng(uint64_t seed, uint64_t stream, uint64_t item) {
  Rng mix(seed ^ (stream * 0x632be59bd9b4e019ULL));
  return Rng(mix.Next() ^ (item * 0x9e3779b97f4a7c15ULL));
}

// Vose's alias method: O(1) draws from a fixed discrete distribution.
class AliasTable {
 public:
  explicit AliasTable(const std::vector<double>& weights) : prob_(weights.size()), alias_(weights.size()) {
    size_t n = weights.size();
    double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
    std::vector<double> scaled(n);
    std::vector<uint32_t> small, large;
    for (size_t i = 0; i < n; ++i) {
      scaled[i] = weights[i] * static_cast<double>(n) / sum;
      (scaled[i] < 1.0 ? small : large).push_back(static_cast<uint32_t>(i));
    }
    while (!small.empty() && !large.empty()) {
      uint32_t s = small.back(), l = large.back();
      small.pop_back();
      prob_[s] = scaled[s];
      alias_[s] = l;
      scaled[l] -= 1.0 - scaled[s];
      if (scaled[l] < 1.0) {
        large.pop_back();
        small.push_back(l);
      }
    }
    for (uint32_t i : large) prob_[i] = 1.0;
    for (uint32_t i : small) prob_[i] = 1.0;
  }
  uint32_t Draw(Rng& rng) const {
    auto i = static_cast<uint32_t>(rng.Below(static_cast<int64_t>(prob_.size())));
    return rng.Unit() <= prob_[i] ? i : alias_[i];
  }

 private:
  std::vector<double> prob_;
  std::vector<uint32_t> alias_;
};

// Distinct values of [0, range), by Floyd's algorithm; membership by stamp,
// so a draw costs O(count) whatever the range.
class DistinctSampler {
 public:
  explicit DistinctSampler(size_t range) : mark_(range, 0) {}
  const std::vector<int32_t>& Draw(Rng& rng, int64_t range, int64_t count) {
    ++stamp_;
    out_.clear();
    for (int64_t j = range - count; j < range; ++j) {
      int64_t pick = rng.Below(j + 1);
      if (mark_[pick] == stamp_) pick = j;  // every value taken so far is below j
      mark_[pick] = stamp_;
      out_.push_back(static_cast<int32_t>(pick));
    }
    return out_;
  }

 private:
  std::vector<uint32_t> mark_;
  uint32_t stamp_ = 0;
  std::vector<int32_t> out_;
};

// Ids as IdGenerator builds them, but for given times: fed times in
// non-decreasing order, it returns ascending, unique ids whose millisecond
// part is the time (or, past 4096 ids in one millisecond, the next ones).
class TimeIds {
 public:
  int64_t At(int64_t unix_ms) {
    int64_t t = (unix_ms - IdGenerator::kEpochMs) << 12;
    last_ = t > last_ ? t : last_ + 1;
    return ((last_ >> 12) << 22) | (int64_t{kCliShard} << 12) | (last_ & 0xfff);
  }

 private:
  int64_t last_ = 0;
};

// Splits `total` into integers proportional to `weights`, none above its cap;
// the largest remainders take the rounding. Fails when the caps cannot hold it.
Result<std::vector<int64_t>> Apportion(int64_t total, const std::vector<double>& weights, int64_t cap) {
  size_t n = weights.size();
  std::vector<int64_t> out(n, 0);
  std::vector<bool> capped(n, false);
  int64_t remaining = total;
  double sum = 0;
  for (;;) {
    sum = 0;
    for (size_t i = 0; i < n; ++i)
      if (!capped[i]) sum += weights[i];
    bool changed = false;
    for (size_t i = 0; i < n && sum > 0; ++i) {
      if (capped[i] || static_cast<double>(remaining) * weights[i] / sum < static_cast<double>(cap)) continue;
      out[i] = cap;
      capped[i] = true;
      remaining -= cap;
      changed = true;
    }
    if (!changed) break;
  }
  if (remaining > 0 && sum <= 0) return Error::Invalid("follows", "--follows is more than the accounts can hold");
  std::vector<std::pair<double, size_t>> fractions;
  int64_t assigned = 0;
  for (size_t i = 0; i < n; ++i) {
    if (capped[i]) continue;
    double share = static_cast<double>(remaining) * weights[i] / sum;
    out[i] = static_cast<int64_t>(share);
    assigned += out[i];
    fractions.emplace_back(share - static_cast<double>(out[i]), i);
  }
  std::sort(fractions.begin(), fractions.end(), std::greater<>());
  for (int64_t k = 0; k < remaining - assigned && k < static_cast<int64_t>(fractions.size()); ++k)
    ++out[fractions[k].second];
  return out;
}

// ---------------------------------------------------------------------------
// Content

constexpr const char* kCaptions[] = {
    "Morning light over the old harbour",  "Quiet street after the rain",
    "The archive reading room, before opening", "Golden hour on the ridge",
    "First snow in the park",              "Market day",
    "Looking up",                          "Fog rolling in over the bridge",
    "Lunch with a view",                   "Spring in the botanical garden",
    "Night shift",                         "Stairs, shadows and a cat",
    "Low tide",                            "Behind the scenes at the exhibition",
    "A very long walk, worth every step",  "Window seat",
    "Café terrace, late afternoon",        "Rooftops",
    "Colours of the season",               "On the way home",
    "Old maps, new eyes",                  "Still life with coffee",
    "Weekend in the hills",                "Blue hour",
    "Reflections",                         "The last train",
    "Somewhere north",                     "Open day at headquarters",
    "Summer evening by the lake",          "Found this corner today",
    "Sunday bakery run",                   "Lines and light",
};
constexpr const char* kComments[] = {
    "Stunning!",                        "What a view.",
    "Love the colours here.",           "Where is this?",
    "Great shot 👏",                    "This made my day.",
    "The light is perfect.",            "I was there last summer!",
    "Beautiful composition.",           "Wow.",
    "So calm.",                         "Which camera did you use?",
    "Adding this to my list.",          "Gorgeous.",
    "Thanks for sharing this.",         "Incredible detail.",
    "Such a mood.",                     "Frame-worthy.",
    "Agreed, it is even better in person.", "Ha, I know exactly where that is.",
};
// Spelled as every post writes them; a few upper-case ones exercise the
// case-folded key.
constexpr const char* kTags[] = {
    "photography", "sunset",   "travel",    "nature",      "city",       "streetphotography",
    "architecture", "NoFilter", "archive",  "history",     "portrait",   "landscape",
    "blackandwhite", "coffee", "food",      "mountains",   "sea",        "winter",
    "spring",      "summer",   "autumn",    "night",       "museum",     "TBT",
    "weekend",     "art",      "light",     "clouds",      "rain",       "bridge",
    "garden",      "flowers",  "cats",      "dogs",        "books",      "design",
    "OpenDay",     "recruitment", "community", "heritage", "maps",       "trains",
    "lake",        "forest",   "snow",      "harbour",     "market",     "rooftops",
};
constexpr int kTagCount = static_cast<int>(std::size(kTags));
constexpr int kMaxTagsPerSeedPost = 3;

// ---------------------------------------------------------------------------
// The network in memory

struct PostRow {
  int64_t time = 0;
  int64_t id = 0;
  int32_t author = 0;
  int32_t replies = 0;
  int32_t favourites = 0;
  uint8_t media = 1;
  uint8_t caption = 0;
  uint8_t tag_count = 0;
  uint8_t tags[kMaxTagsPerSeedPost] = {};
};

struct CommentRow {
  int64_t time = 0;
  int64_t id = 0;
  int32_t author = 0;
  int32_t post = 0;
  int32_t parent = -1;  // the comment it answers, or -1 for the post
  int32_t replies = 0;
};

struct FollowRow {
  int64_t time = 0;
  int32_t account = 0;
  int32_t target = 0;
};

struct LikeRow {
  int64_t time = 0;
  int32_t post = 0;
  int32_t account = 0;
};

struct PoolImage {
  std::string blurhash;
  int width = 0;
  int height = 0;
  std::vector<store::MediaFile> files;
};

struct Network {
  int64_t now = 0;
  int64_t start = 0;  // first post
  int64_t end = 0;    // nothing after this
  int32_t accounts = 0;
  std::vector<int64_t> account_id, account_created, followers, following, statuses;
  std::vector<uint8_t> feed_pull;
  std::vector<FollowRow> follows;  // by time
  std::vector<int64_t> following_offsets;
  std::vector<int32_t> following_list;
  std::vector<PostRow> posts;  // by time
  std::vector<int64_t> posts_by_author_offsets;
  std::vector<int32_t> posts_by_author;  // post indices, by time within an author
  std::vector<CommentRow> comments;
  std::vector<int32_t> comment_order;  // comment indices by time
  std::vector<LikeRow> likes;          // by time
  std::vector<int64_t> tag_id, tag_created;  // 0 when unused
  std::vector<std::string> tag_key;
  std::vector<PoolImage> images;
  std::string password_hash;
};

std::string Username(int32_t index) {
  if (index == kOfficial) return "official";
  if (index == kTypical) return "typical";
  if (index == kHeavy) return "heavy";
  return "user" + std::to_string(index);
}

std::string DisplayName(int32_t index) {
  if (index == kOfficial) return "Official";
  if (index == kTypical) return "Typical Reader";
  if (index == kHeavy) return "Heavy Reader";
  return "User " + std::to_string(index);
}

std::string PostText(const PostRow& post) {
  std::string text = kCaptions[post.caption];
  for (int i = 0; i < post.tag_count; ++i) {
    text += i == 0 ? "\n\n#" : " #";
    text += kTags[post.tags[i]];
  }
  return text;
}

// Builds the follow graph: everyone -> official, the bench accounts'
// follows, then Zipf in-degrees over ordinary accounts.
Status BuildGraph(const SeedOptions& o, Network& net) {
  const int32_t n = net.accounts;
  Rng rng = ItemRng(o.seed, 1, 0);
  // Popularity: a random ranking of the ordinary accounts, weight 1/(rank+5).
  std::vector<int32_t> ranking(n - kFirstOrdinary);
  std::iota(ranking.begin(), ranking.end(), kFirstOrdinary);
  for (size_t i = ranking.size(); i > 1; --i) std::swap(ranking[i - 1], ranking[rng.Below(static_cast<int64_t>(i))]);
  std::vector<double> popularity(n, 0.0);
  for (size_t rank = 0; rank < ranking.size(); ++rank) popularity[ranking[rank]] = 1.0 / (static_cast<double>(rank) + 6.0);

  std::vector<std::pair<int32_t, int32_t>> edges;
  edges.reserve(static_cast<size_t>(o.follows));
  for (int32_t a = 1; a < n; ++a) edges.emplace_back(a, kOfficial);
  // typical and heavy follow by popularity, without replacement
  // (Efraimidis-Spirakis: the k largest log(u)/w).
  for (auto [who, count] : {std::pair{kTypical, o.typical_follows}, std::pair{kHeavy, o.heavy_follows}}) {
    std::vector<std::pair<double, int32_t>> keys;
    keys.reserve(ranking.size());
    for (int32_t t = kFirstOrdinary; t < n; ++t) keys.emplace_back(std::log(rng.Unit()) / popularity[t], t);
    std::nth_element(keys.begin(), keys.begin() + count, keys.end(), std::greater<>());
    for (int64_t i = 0; i < count; ++i) edges.emplace_back(who, keys[i].second);
  }
  int64_t random_follows = o.follows - static_cast<int64_t>(edges.size());
  // Followers of an ordinary account: ordinary accounts but itself.
  std::vector<double> weights(popularity.begin() + kFirstOrdinary, popularity.end());
  auto degrees = Apportion(random_follows, weights, n - kFirstOrdinary - 1);
  if (!degrees) return std::move(degrees).error();
  DistinctSampler sampler(n);
  for (int32_t t = kFirstOrdinary; t < n; ++t) {
    int64_t degree = (*degrees)[t - kFirstOrdinary];
    if (degree == 0) continue;
    for (int32_t k : sampler.Draw(rng, n - kFirstOrdinary - 1, degree)) {
      int32_t follower = kFirstOrdinary + k;
      if (follower >= t) ++follower;
      edges.emplace_back(follower, t);
    }
  }

  // Every account exists before the first follow, and every follow comes
  // before the first post. Each account follows its accounts in one sitting,
  // in sign-up order: rows in time order are then in (account, target) order
  // too, so the unique constraint on the pair grows at its end.
  std::sort(edges.begin(), edges.end());
  const int64_t first = net.start - kFollowDaysMs, span = kFollowDaysMs - 60'000;
  net.follows.reserve(edges.size());
  for (size_t k = 0; k < edges.size(); ++k) {
    auto [a, t] = edges[k];
    auto offset = static_cast<int64_t>(static_cast<double>(span) * static_cast<double>(k) / static_cast<double>(edges.size()));
    net.follows.push_back(FollowRow{first + offset, a, t});
    ++net.following[a];
    ++net.followers[t];
  }

  net.following_offsets.assign(n + 1, 0);
  for (const FollowRow& f : net.follows) ++net.following_offsets[f.account + 1];
  for (int32_t a = 0; a < n; ++a) net.following_offsets[a + 1] += net.following_offsets[a];
  net.following_list.resize(net.follows.size());
  std::vector<int64_t> fill(net.following_offsets.begin(), net.following_offsets.end() - 1);
  for (const FollowRow& f : net.follows) net.following_list[fill[f.account]++] = f.target;
  return Ok();
}

void BuildPosts(const SeedOptions& o, Network& net) {
  const int32_t n = net.accounts;
  Rng rng = ItemRng(o.seed, 2, 0);
  int64_t official_posts = o.posts >= 10'000 ? std::max<int64_t>(100, o.posts / 1000) : std::max<int64_t>(1, o.posts / 10);
  // How much each account posts: exponentially distributed, so most post a
  // little and a few a lot (independent of how many follow them).
  std::vector<double> activity(n, 0.0);
  for (int32_t a = 1; a < n; ++a) activity[a] = rng.Exponential(1.0);
  AliasTable authors(activity);

  std::vector<int64_t> times(static_cast<size_t>(o.posts));
  for (int64_t& t : times) t = net.start + rng.Below(net.end - 60'000 - net.start);
  std::sort(times.begin(), times.end());
  std::vector<int32_t> author_of(static_cast<size_t>(o.posts), kOfficial);
  for (int64_t i = official_posts; i < o.posts; ++i) author_of[i] = static_cast<int32_t>(authors.Draw(rng));
  for (size_t i = author_of.size(); i > 1; --i) std::swap(author_of[i - 1], author_of[rng.Below(static_cast<int64_t>(i))]);

  // Tags: 40% of posts carry 1-3, by a Zipf law over the list.
  std::vector<double> tag_weights(kTagCount);
  for (int i = 0; i < kTagCount; ++i) tag_weights[i] = 1.0 / (i + 1.0);
  AliasTable tags(tag_weights);

  net.posts.resize(static_cast<size_t>(o.posts));
  for (int64_t i = 0; i < o.posts; ++i) {
    PostRow& p = net.posts[i];
    p.time = times[i];
    p.author = author_of[i];
    double r = rng.Unit();
    p.media = r <= 0.75 ? 1 : r <= 0.9 ? 2 : 3;
    p.caption = static_cast<uint8_t>(rng.Below(static_cast<int64_t>(std::size(kCaptions))));
    if (rng.Unit() <= 0.4) {
      int want = 1 + static_cast<int>(rng.Below(kMaxTagsPerSeedPost));
      for (int k = 0; k < want; ++k) {
        auto tag = static_cast<uint8_t>(tags.Draw(rng));
        if (std::find(p.tags, p.tags + p.tag_count, tag) == p.tags + p.tag_count) p.tags[p.tag_count++] = tag;
      }
    }
    ++net.statuses[p.author];
  }

  net.posts_by_author_offsets.assign(n + 1, 0);
  for (const PostRow& p : net.posts) ++net.posts_by_author_offsets[p.author + 1];
  for (int32_t a = 0; a < n; ++a) net.posts_by_author_offsets[a + 1] += net.posts_by_author_offsets[a];
  net.posts_by_author.resize(net.posts.size());
  std::vector<int64_t> fill(net.posts_by_author_offsets.begin(), net.posts_by_author_offsets.end() - 1);
  for (size_t i = 0; i < net.posts.size(); ++i) net.posts_by_author[fill[net.posts[i].author]++] = static_cast<int32_t>(i);

  net.tag_id.assign(kTagCount, 0);
  net.tag_created.assign(kTagCount, 0);
}

// A time after `after` (drawn with the given mean delay) and before the end.
int64_t Later(Rng& rng, int64_t after, int64_t mean_delay, int64_t end) {
  auto t = after + 1 + static_cast<int64_t>(rng.Exponential(static_cast<double>(mean_delay)));
  return t < end ? t : after + 1 + rng.Below(std::max<int64_t>(1, end - after - 1));
}

// Likes and comments land on posts by the square root of their author's
// followers: popular accounts get more, without taking everything.
void BuildInteractions(const SeedOptions& o, Network& net) {
  const int32_t n = net.accounts;
  std::vector<double> weights(net.posts.size());
  for (size_t i = 0; i < net.posts.size(); ++i)
    weights[i] = std::sqrt(static_cast<double>(net.followers[net.posts[i].author]) + 1.0);
  AliasTable pick(weights);

  Rng rng = ItemRng(o.seed, 3, 0);
  std::vector<int32_t> per_post(net.posts.size(), 0);
  for (int64_t i = 0; i < o.comments; ++i) ++per_post[pick.Draw(rng)];
  net.comments.reserve(static_cast<size_t>(o.comments));
  std::vector<int64_t> times;
  for (size_t p = 0; p < net.posts.size(); ++p) {
    if (per_post[p] == 0) continue;
    times.clear();
    for (int32_t k = 0; k < per_post[p]; ++k) times.push_back(Later(rng, net.posts[p].time, kCommentDelayMs, net.end));
    std::sort(times.begin(), times.end());
    auto first = static_cast<int32_t>(net.comments.size());
    for (int32_t k = 0; k < per_post[p]; ++k) {
      CommentRow c;
      c.time = times[k];
      c.author = static_cast<int32_t>(rng.Below(n));
      c.post = static_cast<int32_t>(p);
      // A reply to an earlier comment comes after it (times are sorted).
      if (k > 0 && rng.Unit() <= 0.25) c.parent = first + static_cast<int32_t>(rng.Below(k));
      if (c.parent >= 0) ++net.comments[c.parent].replies;
      else ++net.posts[p].replies;
      ++net.statuses[c.author];
      net.comments.push_back(c);
    }
  }
  net.comment_order.resize(net.comments.size());
  std::iota(net.comment_order.begin(), net.comment_order.end(), 0);
  std::stable_sort(net.comment_order.begin(), net.comment_order.end(),
                   [&](int32_t x, int32_t y) { return net.comments[x].time < net.comments[y].time; });

  std::fill(per_post.begin(), per_post.end(), 0);
  for (int64_t i = 0; i < o.likes; ++i) {
    uint32_t p = pick.Draw(rng);
    if (per_post[p] < n - 1) ++per_post[p];  // everyone but the author has liked it already
  }
  net.likes.reserve(static_cast<size_t>(o.likes));
  DistinctSampler sampler(n);
  for (size_t p = 0; p < net.posts.size(); ++p) {
    if (per_post[p] == 0) continue;
    int32_t author = net.posts[p].author;
    for (int32_t k : sampler.Draw(rng, n - 1, per_post[p])) {
      int32_t liker = k >= author ? k + 1 : k;
      net.likes.push_back(LikeRow{Later(rng, net.posts[p].time, kLikeDelayMs, net.end), static_cast<int32_t>(p), liker});
    }
    net.posts[p].favourites = per_post[p];
  }
  std::sort(net.likes.begin(), net.likes.end(), [](const LikeRow& x, const LikeRow& y) { return x.time < y.time; });
}

// Ids for statuses (posts and comments share the table, so one sequence in
// time order), and tags by first use.
void AssignIds(Network& net) {
  TimeIds ids;
  size_t c = 0;
  for (PostRow& p : net.posts) {
    while (c < net.comment_order.size() && net.comments[net.comment_order[c]].time < p.time) {
      CommentRow& comment = net.comments[net.comment_order[c++]];
      comment.id = ids.At(comment.time);
    }
    p.id = ids.At(p.time);
  }
  for (; c < net.comment_order.size(); ++c) {
    CommentRow& comment = net.comments[net.comment_order[c]];
    comment.id = ids.At(comment.time);
  }
  TimeIds tag_ids;
  for (const PostRow& p : net.posts) {
    for (int i = 0; i < p.tag_count; ++i) {
      if (net.tag_id[p.tags[i]] != 0) continue;
      net.tag_id[p.tags[i]] = tag_ids.At(p.time);
      net.tag_created[p.tags[i]] = p.time;
    }
  }
}

// ---------------------------------------------------------------------------
// Images

// A picture with something to look at: a vertical gradient between two
// colours, a soft disc, and grain, so every variant encodes like a photo.
std::string SyntheticJpeg(Rng& rng, int width, int height) {
  auto channel = [&] { return 40.0 + static_cast<double>(rng.Below(200)); };
  double top[3] = {channel(), channel(), channel()}, bottom[3] = {channel(), channel(), channel()};
  double cx = width * (0.2 + 0.6 * rng.Unit()), cy = height * (0.2 + 0.5 * rng.Unit());
  double radius = std::min(width, height) * (0.08 + 0.15 * rng.Unit());
  std::vector<uint8_t> pixels(static_cast<size_t>(width) * height * 3);
  for (int y = 0; y < height; ++y) {
    double v = static_cast<double>(y) / height;
    for (int x = 0; x < width; ++x) {
      double d = std::hypot(x - cx, y - cy) / radius;
      double glow = d < 1 ? 1.0 : std::exp(-(d - 1) * 3);
      for (int ch = 0; ch < 3; ++ch) {
        double value = top[ch] * (1 - v) + bottom[ch] * v + glow * (255 - top[ch]) * 0.8 +
                       (static_cast<double>(rng.Below(17)) - 8);
        pixels[(static_cast<size_t>(y) * width + x) * 3 + ch] =
            static_cast<uint8_t>(std::clamp(value, 0.0, 255.0));
      }
    }
  }
  vips::VImage image = vips::VImage::new_from_memory(pixels.data(), pixels.size(), width, height, 3,
                                                     VIPS_FORMAT_UCHAR);
  void* buffer = nullptr;
  size_t size = 0;
  image.write_to_buffer(".jpg", &buffer, &size, vips::VImage::option()->set("Q", 90));
  std::string jpeg(static_cast<const char*>(buffer), size);
  g_free(buffer);
  return jpeg;
}

// Runs the pool through the real pipeline and stores its files, once.
Status BuildImages(const SeedOptions& o, media::BlobStore& blobs, Network& net) {
  VANTAGE_TRY(media::InitLibvips());
  // Instagram's three shapes: square, portrait 4:5, landscape 1.91:1.
  constexpr int kShapes[][2] = {{1440, 1440}, {1440, 1800}, {1800, 942}};
  for (int64_t i = 0; i < o.images; ++i) {
    Rng rng = ItemRng(o.seed, 4, static_cast<uint64_t>(i));
    const auto& shape = kShapes[i % 3];
    std::string jpeg;
    try {
      jpeg = SyntheticJpeg(rng, shape[0], shape[1]);
    } catch (const vips::VError& e) {
      return Error::Internal(std::string("cannot draw a seed image: ") + e.what());
    }
    auto processed = media::ProcessImage(jpeg);
    if (!processed) return std::move(processed).error();
    PoolImage image;
    image.blurhash = processed->blurhash;
    image.width = processed->original_width;
    image.height = processed->original_height;
    for (const media::Variant& variant : processed->variants) {
      for (std::string_view format : {"webp", "jpeg"}) {
        const std::string& bytes = format == "webp" ? variant.webp : variant.jpeg;
        auto key = blobs.Put(bytes, service::MediaExtension(format));
        if (!key) return std::move(key).error();
        image.files.push_back(store::MediaFile{variant.name, std::string(format), *key, variant.width,
                                               variant.height, static_cast<int64_t>(bytes.size())});
      }
    }
    net.images.push_back(std::move(image));
  }
  return Ok();
}

// ---------------------------------------------------------------------------
// Writing

struct Table {
  const char* name;
  const char* columns;
  int column_count;
};

constexpr Table kAccounts{"accounts",
                          "id, username, email, display_name, note, password_hash, role, locked, approved, "
                          "verified, registration_reason, created_at, updated_at, followers_count, "
                          "following_count, statuses_count, feed_pull",
                          17};
constexpr Table kStatuses{"statuses",
                          "id, account_id, in_reply_to_id, in_reply_to_account_id, text, content, visibility, "
                          "language, replies_count, favourites_count, created_at, updated_at, is_comment",
                          13};
constexpr Table kTagsTable{"tags", "id, name, name_key, created_at", 4};
constexpr Table kStatusTags{"status_tags", "status_id, tag_id, position", 3};
constexpr Table kMedia{"media_attachments",
                       "id, account_id, state, description, blurhash, original_width, original_height, "
                       "status_id, position, created_at, updated_at",
                       11};
constexpr Table kMediaFiles{"media_files", "media_id, variant, format, file_key, width, height, size_bytes", 7};
constexpr Table kFollows{"follows", "id, account_id, target_account_id, created_at", 4};
constexpr Table kFavourites{"favourites", "id, account_id, status_id, created_at", 4};
constexpr Table kNotifications{"notifications", "id, account_id, from_account_id, type, status_id, created_at", 6};
constexpr Table kHomeFeed{"home_feed", "account_id, status_id, author_id", 3};

// Statements are named constants elsewhere; here they are built per table and
// row count, and must outlive the connections that prepare them.
const store::Statement& InsertStatement(const Table& table, int rows) {
  struct Built {
    std::string name, sql;
    store::Statement statement{nullptr, nullptr};
  };
  static std::map<std::pair<std::string, int>, Built> cache;
  Built& built = cache[{table.name, rows}];
  if (built.name.empty()) {
    std::string group = "(";
    for (int c = 0; c < table.column_count; ++c) group += c ? ", ?" : "?";
    group += ")";
    built.sql = std::string("INSERT INTO ") + table.name + " (" + table.columns + ") VALUES ";
    for (int r = 0; r < rows; ++r) built.sql += (r ? ", " : "") + group;
    built.name = "seed_insert_" + std::string(table.name) + "_" + std::to_string(rows);
    built.statement = store::Statement{built.name.c_str(), built.sql.c_str()};
  }
  return built.statement;
}

// Rows of one table, sent as multi-row INSERTs.
class BulkInsert {
 public:
  BulkInsert(Connection& conn, const Table& table)
      : conn_(conn), table_(table), rows_per_statement_(std::max(1, kParamsPerStatement / table.column_count)) {
    values_.reserve(static_cast<size_t>(rows_per_statement_) * table.column_count);
  }

  // Adds one row; false from `full()` afterwards means it is still buffered.
  void Add(std::initializer_list<Value> row) {
    values_.insert(values_.end(), row.begin(), row.end());
    ++rows_;
  }
  bool full() const { return static_cast<int>(values_.size()) >= rows_per_statement_ * table_.column_count; }
  int64_t rows() const { return rows_; }

  Status Flush() {
    if (values_.empty()) return Ok();
    int rows = static_cast<int>(values_.size()) / table_.column_count;
    auto done = conn_.Exec(InsertStatement(table_, rows), values_);
    if (!done) return std::move(done).error();
    values_.clear();
    return Ok();
  }

 private:
  Connection& conn_;
  const Table& table_;
  const int rows_per_statement_;
  std::vector<Value> values_;
  int64_t rows_ = 0;
};

// The inserts of one transaction. A table's rows may reference the rows of
// tables before it, so flushing one flushes those first.
class Inserts {
 public:
  Inserts(Connection& conn, const std::vector<const Table*>& tables) {
    for (const Table* table : tables) inserts_.emplace_back(conn, *table);
  }
  Status Add(size_t table, std::initializer_list<Value> row) {
    inserts_[table].Add(row);
    if (!inserts_[table].full()) return Ok();
    for (size_t t = 0; t <= table; ++t) VANTAGE_TRY(inserts_[t].Flush());
    return Ok();
  }
  Status Flush() {
    for (BulkInsert& insert : inserts_) VANTAGE_TRY(insert.Flush());
    return Ok();
  }
  int64_t rows() const {
    int64_t total = 0;
    for (const BulkInsert& insert : inserts_) total += insert.rows();
    return total;
  }

 private:
  std::vector<BulkInsert> inserts_;
};

// Writes what `next(state, inserts)` produces (one item per call, false once
// there is none left) in transactions of about kRowsPerTransaction rows.
// Database::Write may run its callback again, so each transaction starts from
// a copy of the state it began with.
template <typename State, typename Next>
Result<int64_t> Load(store::Database& db, const std::vector<const Table*>& tables, State state, Next next) {
  int64_t total = 0;
  for (bool finished = false; !finished;) {
    State attempt;
    int64_t rows = 0;
    VANTAGE_TRY(db.Write([&](Connection& conn) -> Status {
      attempt = state;
      finished = false;
      Inserts inserts(conn, tables);
      while (inserts.rows() < kRowsPerTransaction) {
        auto more = next(attempt, inserts);
        if (!more) return std::move(more).error();
        if (!*more) {
          finished = true;
          break;
        }
      }
      VANTAGE_TRY(inserts.Flush());
      rows = inserts.rows();
      return Ok();
    }));
    state = attempt;
    total += rows;
  }
  return total;
}

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Prints each phase's rows, wall-clock and CPU seconds: the machine may be
// shared, and CPU time is what the seed itself costs.
class Phases {
 public:
  template <typename Fn>
  auto Run(const char* name, Fn fn) {
    auto started = Clock::now();
    double cpu_started = CpuSeconds();
    auto result = fn();
    double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    if (result) {
      std::printf("seed: %-14s %13s %7.1f s (cpu %.1f s)\n", name, Rows(*result).c_str(), seconds,
                  CpuSeconds() - cpu_started);
      std::fflush(stdout);
    }
    return result;
  }

 private:
  static std::string Rows(int64_t rows) { return rows < 0 ? "" : std::to_string(rows) + " rows"; }
};

// The secondary indexes of `tables` (not those behind a primary key or a
// unique constraint), as their CREATE statements; they are dropped for the
// load and built again after it. Left out: indexes whose keys the load
// writes in (nearly) ascending order, which cost less to keep than to sort
// (one file key per pool file; statuses, tags and follows in id order).
const std::set<std::string> kGrowInOrder = {
    "media_files_file_key", "media_attachments_status_id", "media_attachments_status_id_updated_at",
    "media_attachments_unattached", "status_tags_tag_id", "statuses_public_posts", "statuses_application_id",
    "follows_account_id_id"};

struct IndexDef {
  std::string name;
  std::string create;
};

Result<std::vector<IndexDef>> SecondaryIndexes(store::Database& db, const std::vector<const Table*>& tables) {
  constexpr store::Statement kSqliteIndexes{
      "seed_sqlite_indexes",
      "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL AND tbl_name = ? "
      "ORDER BY name"};
  constexpr store::Statement kPostgresIndexes{
      "seed_postgres_indexes",
      "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ? "
      "AND indexname NOT IN (SELECT conname FROM pg_constraint) ORDER BY indexname"};
  const store::Statement& query = db.engine() == store::Engine::kSqlite ? kSqliteIndexes : kPostgresIndexes;
  std::vector<IndexDef> out;
  VANTAGE_TRY(db.Read([&](Connection& conn) -> Status {
    out.clear();
    for (const Table* table : tables) {
      auto rows = conn.Query(query, {std::string(table->name)});
      if (!rows) return std::move(rows).error();
      for (const store::Row& row : *rows)
        if (!kGrowInOrder.count(row.Text(0))) out.push_back(IndexDef{row.Text(0), row.Text(1)});
    }
    return Ok();
  }));
  return out;
}

// Runs one-off SQL text (DDL, maintenance) as a statement of its own.
Status RunSql(Connection& conn, const std::string& name, const std::string& sql) {
  store::Statement statement{name.c_str(), sql.c_str()};
  auto done = conn.Exec(statement, {});
  if (!done) return std::move(done).error();
  return Ok();
}

Result<int64_t> RowCount(store::Database& db, const char* sql) {
  store::Statement statement{sql, sql};
  int64_t count = 0;
  VANTAGE_TRY(db.Read([&](Connection& conn) -> Status {
    auto row = conn.QueryOne(statement, {});
    if (!row) return std::move(row).error();
    count = *row ? (**row).Int(0) : 0;
    return Ok();
  }));
  return count;
}

// Checks the written network against what the server keeps: every counter
// equals the rows it counts, feed_pull matches the followers, each inbox
// holds what fan-out on write would have put there, and (SQLite) every
// reference resolves. Errors name the first check that fails.
Result<int64_t> Verify(store::Database& db, int32_t accounts) {
  struct Check {
    const char* what;
    const char* sql;  // counts the rows that break the rule
  };
  static const Check kChecks[] = {
      {"accounts.followers_count",
       "SELECT COUNT(*) FROM accounts a WHERE followers_count <> "
       "(SELECT COUNT(*) FROM follows f WHERE f.target_account_id = a.id)"},
      {"accounts.following_count",
       "SELECT COUNT(*) FROM accounts a WHERE following_count <> "
       "(SELECT COUNT(*) FROM follows f WHERE f.account_id = a.id)"},
      {"accounts.statuses_count",
       "SELECT COUNT(*) FROM accounts a WHERE statuses_count <> "
       "(SELECT COUNT(*) FROM statuses s WHERE s.account_id = a.id)"},
      {"statuses.favourites_count",
       "SELECT COUNT(*) FROM statuses s WHERE favourites_count <> "
       "(SELECT COUNT(*) FROM favourites f WHERE f.status_id = s.id)"},
      {"statuses.replies_count",
       "SELECT COUNT(*) FROM statuses s WHERE replies_count <> "
       "(SELECT COUNT(*) FROM statuses r WHERE r.in_reply_to_id = s.id)"},
      {"self-follows", "SELECT COUNT(*) FROM follows WHERE account_id = target_account_id"},
      {"follows of official",
       "SELECT COUNT(*) FROM accounts a WHERE username <> 'official' AND NOT EXISTS (SELECT 1 FROM follows f "
       "JOIN accounts o ON o.id = f.target_account_id WHERE f.account_id = a.id AND o.username = 'official')"},
      {"official is feed_pull", "SELECT COUNT(*) FROM accounts WHERE username = 'official' AND feed_pull = 0"},
      {"comments", "SELECT COUNT(*) FROM statuses WHERE (is_comment = 1) <> (in_reply_to_id IS NOT NULL)"},
      {"media of posts",
       "SELECT COUNT(*) FROM statuses s WHERE is_comment = 0 AND NOT EXISTS "
       "(SELECT 1 FROM media_attachments m WHERE m.status_id = s.id)"},
      {"inboxes of followers",
       "SELECT COUNT(*) FROM statuses s JOIN accounts a ON a.id = s.account_id JOIN follows f "
       "ON f.target_account_id = a.id WHERE s.is_comment = 0 AND a.feed_pull = 0 AND NOT EXISTS "
       "(SELECT 1 FROM home_feed h WHERE h.account_id = f.account_id AND h.status_id = s.id)"},
      {"inboxes of authors",
       "SELECT COUNT(*) FROM statuses s JOIN accounts a ON a.id = s.account_id WHERE s.is_comment = 0 "
       "AND a.feed_pull = 0 AND NOT EXISTS (SELECT 1 FROM home_feed h WHERE h.account_id = a.id AND "
       "h.status_id = s.id)"},
      {"inbox rows",
       "SELECT (SELECT COUNT(*) FROM home_feed) - (SELECT COALESCE(SUM(a.followers_count + 1), 0) FROM "
       "statuses s JOIN accounts a ON a.id = s.account_id WHERE s.is_comment = 0 AND a.feed_pull = 0)"},
      {"favourite notifications",
       "SELECT (SELECT COUNT(*) FROM favourites) - (SELECT COUNT(*) FROM notifications WHERE type = 'favourite')"},
      {"follow notifications",
       "SELECT (SELECT COUNT(*) FROM follows) - (SELECT COUNT(*) FROM notifications WHERE type = 'follow')"},
  };
  int64_t checks = 0;
  VANTAGE_TRY(db.Read([&](Connection& conn) -> Status {
    checks = 0;
    for (const Check& check : kChecks) {
      auto row = conn.QueryOne(store::Statement{check.what, check.sql}, {});
      if (!row) return std::move(row).error();
      if (*row && (**row).Int(0) != 0)
        return Error::Internal(std::string("verify: ") + check.what + " is wrong for " +
                               std::to_string((**row).Int(0)) + " rows");
      ++checks;
    }
    auto pull = conn.QueryOne(store::Statement{"seed_verify_feed_pull",
                                               "SELECT COUNT(*) FROM accounts WHERE (followers_count >= ?) <> "
                                               "(feed_pull = 1) AND username <> 'official'"},
                              {service::Settings{}.feed_pull_followers});
    if (!pull) return std::move(pull).error();
    if (*pull && (**pull).Int(0) != 0) return Error::Internal("verify: feed_pull does not match the followers");
    ++checks;
    auto all = conn.QueryOne(store::Statement{"seed_verify_accounts", "SELECT COUNT(*) FROM accounts"}, {});
    if (!all) return std::move(all).error();
    if (!*all || (**all).Int(0) != accounts) return Error::Internal("verify: the account count is wrong");
    ++checks;
    if (db.engine() == store::Engine::kSqlite) {
      auto broken = conn.Query(store::Statement{"seed_verify_foreign_keys", "PRAGMA foreign_key_check"}, {});
      if (!broken) return std::move(broken).error();
      if (!broken->empty())
        return Error::Internal("verify: " + std::to_string(broken->size()) + " rows reference missing rows, e.g. in " +
                               broken->front().Text(0));
      ++checks;
    }
    return Ok();
  }));
  return checks;
}

int Fail(const std::string& message) {
  std::cerr << "vantage seed: " << message << "\n";
  return 1;
}

Status Validate(SeedOptions& o) {
  if (o.likes == -1) o.likes = o.posts * 5;
  if (o.comments == -1) o.comments = o.posts;
  if (o.accounts < 10 || o.accounts > 10'000'000)
    return Error::Invalid("accounts", "--accounts must be from 10 to 10000000");
  if (o.typical_follows == -1) o.typical_follows = std::min<int64_t>(20, o.accounts - kFirstOrdinary);
  if (o.heavy_follows == -1) o.heavy_follows = std::min<int64_t>(5'000, o.accounts - kFirstOrdinary);
  if (o.posts < 1 || o.posts > 100'000'000) return Error::Invalid("posts", "--posts must be from 1 to 100000000");
  if (o.typical_follows < 0 || o.heavy_follows < 0 || o.typical_follows > o.accounts - kFirstOrdinary ||
      o.heavy_follows > o.accounts - kFirstOrdinary)
    return Error::Invalid("heavy-follows", "--typical-follows and --heavy-follows must be from 0 to " +
                                                std::to_string(o.accounts - kFirstOrdinary) +
                                                " (the ordinary accounts)");
  int64_t fixed = (o.accounts - 1) + o.typical_follows + o.heavy_follows;
  if (o.follows < fixed)
    return Error::Invalid("follows", "--follows must be at least " + std::to_string(fixed) +
                                         ": every account follows official, typical follows " +
                                         std::to_string(o.typical_follows) + " and heavy " +
                                         std::to_string(o.heavy_follows));
  int64_t ordinary = o.accounts - kFirstOrdinary;
  if (o.follows - fixed > ordinary * (ordinary - 1))
    return Error::Invalid("follows", "--follows is more than " + std::to_string(o.accounts) + " accounts can hold");
  if (o.likes < 0 || o.comments < 0 || o.likes > 1'000'000'000 || o.comments > 1'000'000'000)
    return Error::Invalid("likes", "--likes and --comments must be from 0 to 1000000000");
  if (o.images < 1 || o.images > 64) return Error::Invalid("images", "--images must be from 1 to 64");
  if (o.days < 1 || o.days > 3650) return Error::Invalid("days", "--days must be from 1 to 3650");
  if (o.password.size() < 8) return Error::Invalid("password", "--password must have at least 8 characters");
  if (!(o.public_url.starts_with("http://") || o.public_url.starts_with("https://")))
    return Error::Invalid("public-url", "--public-url must start with http:// or https://");
  while (o.public_url.ends_with("/")) o.public_url.pop_back();
  // Every tag is recognised by the caption parser as written, and no two
  // share a key: what the server would store for these captions.
  for (int i = 0; i < kTagCount; ++i) {
    auto parsed = service::ParseCaption(std::string("x #") + kTags[i]).tags;
    if (parsed.size() != 1 || parsed[0].name != kTags[i])
      return Error::Internal(std::string("seed tag ") + kTags[i] + " does not parse as itself");
  }
  return Ok();
}

Status WriteNetwork(const SeedOptions& o, const Config& config, store::Database& db, Phases& phases) {
  const bool sqlite = db.engine() == store::Engine::kSqlite;
  auto accounts_there = RowCount(db, "SELECT (SELECT COUNT(*) FROM accounts) + (SELECT COUNT(*) FROM statuses)");
  if (!accounts_there) return std::move(accounts_there).error();
  if (*accounts_there > 0)
    return Error::Conflict("not_empty", "the database already holds accounts or posts; seed writes into an "
                                        "empty one only (give a new --data directory or database)");

  Network net;
  net.accounts = static_cast<int32_t>(o.accounts);
  net.now = NowUnixMs();
  net.end = net.now - 1000;
  net.start = net.now - o.days * kDayMs;
  const int64_t accounts_start = net.start - kFollowDaysMs - 10 * kDayMs;
  for (int32_t a = 0; a < net.accounts; ++a)
    net.account_created.push_back(accounts_start + (10 * kDayMs) * a / net.accounts);
  TimeIds account_ids;
  for (int64_t created : net.account_created) net.account_id.push_back(account_ids.At(created));
  net.followers.assign(net.accounts, 0);
  net.following.assign(net.accounts, 0);
  net.statuses.assign(net.accounts, 0);
  net.feed_pull.assign(net.accounts, 0);

  auto blobs = media::BlobStore::Open(config.data_dir + "/media");
  if (!blobs) return std::move(blobs).error();
  VANTAGE_TRY(phases.Run("images", [&]() -> Result<int64_t> {
    VANTAGE_TRY(BuildImages(o, **blobs, net));
    return static_cast<int64_t>(-1);
  }));
  VANTAGE_TRY(phases.Run("password hash", [&]() -> Result<int64_t> {
    auto hash = service::HashPassword(o.password);
    if (!hash) return std::move(hash).error();
    net.password_hash = std::move(*hash);
    return static_cast<int64_t>(-1);
  }));
  VANTAGE_TRY(phases.Run("generate graph", [&]() -> Result<int64_t> {
    VANTAGE_TRY(BuildGraph(o, net));
    return static_cast<int64_t>(-1);
  }));
  VANTAGE_TRY(phases.Run("generate posts", [&]() -> Result<int64_t> {
    BuildPosts(o, net);
    BuildInteractions(o, net);
    AssignIds(net);
    return static_cast<int64_t>(-1);
  }));
  const int64_t pull_limit = service::Settings{}.feed_pull_followers;
  net.feed_pull[kOfficial] = 1;
  for (int32_t a = 0; a < net.accounts; ++a)
    if (net.followers[a] >= pull_limit) net.feed_pull[a] = 1;

  const std::vector<const Table*> loaded = {&kStatuses, &kTagsTable, &kStatusTags, &kMedia, &kMediaFiles,
                                            &kFollows, &kFavourites, &kNotifications, &kHomeFeed};
  auto indexes = SecondaryIndexes(db, loaded);
  if (!indexes) return std::move(indexes).error();
  VANTAGE_TRY(db.Write([&](Connection& conn) -> Status {
    for (const IndexDef& index : *indexes)
      VANTAGE_TRY(RunSql(conn, "seed_drop_" + index.name, "DROP INDEX " + index.name));
    if (!sqlite) return Ok();
    // Bulk-load settings for the SQLite writer connection, which only this
    // process uses and which closes with it: a 2 GiB page cache, two sorter
    // threads for the index builds, no fsync per commit, and no foreign-key
    // lookups (every reference is built from rows written before it;
    // --verify checks them). SQLite changes the last two only outside a
    // transaction, so this one commits first and a new one is begun for the
    // layer to commit.
    VANTAGE_TRY(RunSql(conn, "seed_commit", "COMMIT"));
    VANTAGE_TRY(RunSql(conn, "seed_foreign_keys_off", "PRAGMA foreign_keys = OFF"));
    VANTAGE_TRY(RunSql(conn, "seed_synchronous_off", "PRAGMA synchronous = OFF"));
    VANTAGE_TRY(RunSql(conn, "seed_cache_size", "PRAGMA cache_size = -2097152"));
    VANTAGE_TRY(RunSql(conn, "seed_threads", "PRAGMA threads = 2"));
    return RunSql(conn, "seed_begin", "BEGIN IMMEDIATE");
  }));

  const service::MentionResolver no_mentions = [](const service::CaptionMention&) { return std::nullopt; };
  auto render = [&](const std::string& text) { return service::RenderCaptionHtml(text, o.public_url, no_mentions); };

  VANTAGE_TRY(phases.Run("accounts", [&] {
    return Load(db, {&kAccounts}, int32_t{0}, [&](int32_t& a, Inserts& out) -> Result<bool> {
      if (a >= net.accounts) return false;
      int64_t created = net.account_created[a];
      std::string note = a == kOfficial ? "The official account. Posts from the organisation, every day." : "";
      VANTAGE_TRY(out.Add(0, {net.account_id[a], Username(a), Null(), DisplayName(a), note, net.password_hash,
                              std::string("user"), int64_t{0}, int64_t{1}, int64_t{a == kOfficial ? 1 : 0},
                              std::string(), created, created, net.followers[a], net.following[a],
                              net.statuses[a], int64_t{net.feed_pull[a]}}));
      ++a;
      return true;
    });
  }));
  // Each account's actor key, pending until first needed (as registration
  // leaves it).
  VANTAGE_TRY(phases.Run("actor keys", [&]() -> Result<int64_t> {
    int64_t rows = 0;
    VANTAGE_TRY(db.Write([&](store::Connection& conn) -> Status {
      store::Statement statement{"seed_actor_keys", "INSERT INTO actor_keys (account_id) SELECT id FROM accounts"};
      auto done = conn.Exec(statement, {});
      if (!done) return std::move(done).error();
      rows = *done;
      return Ok();
    }));
    return rows;
  }));

  VANTAGE_TRY(phases.Run("tags", [&] {
    return Load(db, {&kTagsTable}, 0, [&](int& t, Inserts& out) -> Result<bool> {
      if (t >= kTagCount) return false;
      if (net.tag_id[t] != 0)
        VANTAGE_TRY(out.Add(0, {net.tag_id[t], std::string(kTags[t]), service::TagKey(kTags[t]), net.tag_created[t]}));
      ++t;
      return true;
    });
  }));

  // Statuses in id order (posts and comments interleaved), with the posts' tags.
  std::vector<std::string> comment_content;
  for (const char* text : kComments) comment_content.push_back(render(text));
  struct StatusCursor {
    size_t post = 0;
    size_t comment = 0;
  };
  VANTAGE_TRY(phases.Run("statuses", [&] {
    return Load(db, {&kStatuses, &kStatusTags}, StatusCursor{},
                [&](StatusCursor& at, Inserts& out) -> Result<bool> {
      bool posts_left = at.post < net.posts.size(), comments_left = at.comment < net.comment_order.size();
      if (!posts_left && !comments_left) return false;
      if (comments_left && (!posts_left || net.comments[net.comment_order[at.comment]].id < net.posts[at.post].id)) {
        int32_t index = net.comment_order[at.comment++];
        const CommentRow& c = net.comments[index];
        int64_t parent_id = c.parent >= 0 ? net.comments[c.parent].id : net.posts[c.post].id;
        int32_t parent_author = c.parent >= 0 ? net.comments[c.parent].author : net.posts[c.post].author;
        auto phrase = static_cast<size_t>(
            ItemRng(o.seed, 5, static_cast<uint64_t>(index)).Below(static_cast<int64_t>(std::size(kComments))));
        VANTAGE_TRY(out.Add(0, {c.id, net.account_id[c.author], parent_id, net.account_id[parent_author],
                                std::string(kComments[phrase]), comment_content[phrase], std::string("public"),
                                std::string("en"), int64_t{c.replies}, int64_t{0}, c.time, c.time, int64_t{1}}));
        return true;
      }
      const PostRow& p = net.posts[at.post++];
      std::string text = PostText(p);
      std::string content = render(text);
      VANTAGE_TRY(out.Add(0, {p.id, net.account_id[p.author], Null(), Null(), std::move(text), std::move(content),
                              std::string("public"), std::string("en"), int64_t{p.replies}, int64_t{p.favourites},
                              p.time, p.time, int64_t{0}}));
      for (int i = 0; i < p.tag_count; ++i) VANTAGE_TRY(out.Add(1, {p.id, net.tag_id[p.tags[i]], int64_t{i}}));
      return true;
    });
  }));

  // Each post's photos, uploaded just before it; the files are the pool's.
  struct MediaCursor {
    size_t post = 0;
    TimeIds ids;
  };
  VANTAGE_TRY(phases.Run("media", [&] {
    return Load(db, {&kMedia, &kMediaFiles}, MediaCursor{}, [&](MediaCursor& at, Inserts& out) -> Result<bool> {
      if (at.post >= net.posts.size()) return false;
      size_t index = at.post++;
      const PostRow& p = net.posts[index];
      Rng rng = ItemRng(o.seed, 6, index);
      for (int position = 0; position < p.media; ++position) {
        auto image_index = rng.Below(static_cast<int64_t>(net.images.size()));
        const PoolImage& image = net.images[image_index];
        int64_t uploaded = p.time - 2000;
        int64_t id = at.ids.At(uploaded);
        VANTAGE_TRY(out.Add(0, {id, net.account_id[p.author], std::string("ready"),
                                "Synthetic photo " + std::to_string(image_index + 1) + ": a gradient sky with a low sun",
                                image.blurhash, int64_t{image.width}, int64_t{image.height}, p.id,
                                int64_t{position}, uploaded, p.time}));
        for (const store::MediaFile& f : image.files)
          VANTAGE_TRY(out.Add(1, {id, f.variant, f.format, f.key, int64_t{f.width}, int64_t{f.height}, f.size_bytes}));
      }
      return true;
    });
  }));

  struct IdCursor {
    size_t next = 0;
    TimeIds ids;
  };
  VANTAGE_TRY(phases.Run("follows", [&] {
    return Load(db, {&kFollows}, IdCursor{}, [&](IdCursor& at, Inserts& out) -> Result<bool> {
      if (at.next >= net.follows.size()) return false;
      const FollowRow& f = net.follows[at.next++];
      VANTAGE_TRY(out.Add(0, {at.ids.At(f.time), net.account_id[f.account], net.account_id[f.target], f.time}));
      return true;
    });
  }));

  VANTAGE_TRY(phases.Run("favourites", [&] {
    return Load(db, {&kFavourites}, IdCursor{}, [&](IdCursor& at, Inserts& out) -> Result<bool> {
      if (at.next >= net.likes.size()) return false;
      const LikeRow& like = net.likes[at.next++];
      VANTAGE_TRY(out.Add(0, {at.ids.At(like.time), net.account_id[like.account], net.posts[like.post].id, like.time}));
      return true;
    });
  }));

  // What the server notifies: the followed of a follow, the author of a liked
  // post, the author of what a comment answers (not oneself); by time.
  struct NotificationCursor {
    size_t follow = 0, like = 0, comment = 0;
    TimeIds ids;
  };
  VANTAGE_TRY(phases.Run("notifications", [&] {
    return Load(db, {&kNotifications}, NotificationCursor{},
                [&](NotificationCursor& at, Inserts& out) -> Result<bool> {
      constexpr int64_t kNever = INT64_MAX;
      int64_t follow_time = at.follow < net.follows.size() ? net.follows[at.follow].time : kNever;
      int64_t like_time = at.like < net.likes.size() ? net.likes[at.like].time : kNever;
      int64_t comment_time =
          at.comment < net.comment_order.size() ? net.comments[net.comment_order[at.comment]].time : kNever;
      int64_t first = std::min({follow_time, like_time, comment_time});
      if (first == kNever) return false;
      if (first == follow_time) {
        const FollowRow& f = net.follows[at.follow++];
        VANTAGE_TRY(out.Add(0, {at.ids.At(f.time), net.account_id[f.target], net.account_id[f.account],
                                std::string("follow"), Null(), f.time}));
      } else if (first == like_time) {
        const LikeRow& like = net.likes[at.like++];
        VANTAGE_TRY(out.Add(0, {at.ids.At(like.time), net.account_id[net.posts[like.post].author],
                                net.account_id[like.account], std::string("favourite"), net.posts[like.post].id,
                                like.time}));
      } else {
        const CommentRow& c = net.comments[net.comment_order[at.comment++]];
        int32_t recipient = c.parent >= 0 ? net.comments[c.parent].author : net.posts[c.post].author;
        if (recipient != c.author)
          VANTAGE_TRY(out.Add(0, {at.ids.At(c.time), net.account_id[recipient], net.account_id[c.author],
                                  std::string("reply"), c.id, c.time}));
      }
      return true;
    });
  }));

  // Fan-out on write, as it would have happened: every post of an author who
  // is not feed_pull in each follower's inbox and the author's own. Written
  // inbox by inbox, so the primary key grows in order.
  std::vector<std::pair<int64_t, int32_t>> inbox;
  VANTAGE_TRY(phases.Run("home feeds", [&] {
    return Load(db, {&kHomeFeed}, int32_t{0}, [&](int32_t& a, Inserts& out) -> Result<bool> {
      if (a >= net.accounts) return false;
      inbox.clear();
      auto add_posts_of = [&](int32_t author) {
        if (net.feed_pull[author]) return;
        for (int64_t k = net.posts_by_author_offsets[author]; k < net.posts_by_author_offsets[author + 1]; ++k)
          inbox.emplace_back(net.posts[net.posts_by_author[k]].id, author);
      };
      add_posts_of(a);
      for (int64_t k = net.following_offsets[a]; k < net.following_offsets[a + 1]; ++k)
        add_posts_of(net.following_list[k]);
      std::sort(inbox.begin(), inbox.end());
      for (auto [status_id, author] : inbox)
        VANTAGE_TRY(out.Add(0, {net.account_id[a], status_id, net.account_id[author]}));
      ++a;
      return true;
    });
  }));

  VANTAGE_TRY(phases.Run("indexes", [&]() -> Result<int64_t> {
    for (const IndexDef& index : *indexes) {
      VANTAGE_TRY(db.Write([&](Connection& conn) -> Status {
        if (!sqlite) VANTAGE_TRY(RunSql(conn, "seed_work_mem", "SET LOCAL maintenance_work_mem = '512MB'"));
        return RunSql(conn, "seed_create_" + index.name, index.create);
      }));
    }
    return static_cast<int64_t>(indexes->size());
  }));
  VANTAGE_TRY(phases.Run("analyze", [&]() -> Result<int64_t> {
    VANTAGE_TRY(db.Write([&](Connection& conn) -> Status {
      // A sample is enough for the planner and keeps this to seconds.
      if (sqlite) VANTAGE_TRY(RunSql(conn, "seed_analysis_limit", "PRAGMA analysis_limit = 2000"));
      VANTAGE_TRY(RunSql(conn, "seed_analyze", "ANALYZE"));
      if (!sqlite) return Ok();
      // Back to the server's settings, so that closing syncs the file.
      VANTAGE_TRY(RunSql(conn, "seed_commit", "COMMIT"));
      VANTAGE_TRY(RunSql(conn, "seed_foreign_keys_on", "PRAGMA foreign_keys = ON"));
      VANTAGE_TRY(RunSql(conn, "seed_synchronous_full", "PRAGMA synchronous = FULL"));
      return RunSql(conn, "seed_begin", "BEGIN IMMEDIATE");
    }));
    return static_cast<int64_t>(-1);
  }));
  if (o.verify) {
    auto checks = phases.Run("verify", [&]() -> Result<int64_t> {
      auto passed = Verify(db, net.accounts);
      if (!passed) return std::move(passed).error();
      return static_cast<int64_t>(-1);
    });
    if (!checks) return std::move(checks).error();
    std::printf("seed: verify: every counter, inbox and reference is consistent\n");
  }

  int64_t pulled = std::count(net.feed_pull.begin(), net.feed_pull.end(), 1);
  int64_t replies = 0;
  for (const CommentRow& c : net.comments)
    if (c.author != (c.parent >= 0 ? net.comments[c.parent].author : net.posts[c.post].author)) ++replies;
  std::printf(
      "seed: %d accounts (%lld feed_pull), %zu posts, %zu comments, %zu follows, %zu likes, %lld reply "
      "notifications, %zu pool images\n",
      net.accounts, static_cast<long long>(pulled), net.posts.size(), net.comments.size(), net.follows.size(),
      net.likes.size(), static_cast<long long>(replies), net.images.size());
  std::printf("seed: sign in as official, typical (following %lld) or heavy (following %lld), or userN, with the "
              "--password given (default vantage-seed)\n",
              static_cast<long long>(net.following[kTypical]), static_cast<long long>(net.following[kHeavy]));
  return Ok();
}

}  // namespace

int Seed(const std::vector<std::string>& args) {
  const char* usage =
      "Usage: vantage seed [--data DIR | --db postgres://...] [options]\n\n"
      "Writes a synthetic network into an empty database: accounts (official, typical, heavy,\n"
      "user3...), power-law follows, photo posts sharing a pool of processed images, comments,\n"
      "likes, notifications and home-feed inboxes. For benchmarks and demos; every account\n"
      "signs in with the same --password.\n";
  SeedOptions o;
  po::options_description extra("Network");
  extra.add_options()
      ("accounts", po::value(&o.accounts)->default_value(o.accounts), "accounts, official, typical and heavy included")
      ("posts", po::value(&o.posts)->default_value(o.posts), "photo posts")
      ("follows", po::value(&o.follows)->default_value(o.follows), "follows in all, every account's follow of official included")
      ("likes", po::value(&o.likes), "likes (default: 5 per post)")
      ("comments", po::value(&o.comments), "comments (default: 1 per post)")
      ("typical-follows", po::value(&o.typical_follows), "accounts `typical` follows besides official (default: 20)")
      ("heavy-follows", po::value(&o.heavy_follows), "accounts `heavy` follows besides official (default: 5000)")
      ("images", po::value(&o.images)->default_value(o.images), "images in the shared pool")
      ("days", po::value(&o.days)->default_value(o.days), "days of activity, ending now")
      ("seed", po::value(&o.seed)->default_value(o.seed), "random seed: the same seed builds the same network")
      ("password", po::value(&o.password)->default_value(o.password), "the password of every account")
      ("public-url", po::value(&o.public_url)->default_value(o.public_url),
       "the --public-url the server will have (links in captions)")
      ("verify", po::bool_switch(&o.verify),
       "check afterwards, in SQL, that every counter, inbox and reference is consistent (slow on big networks)");
  auto parsed = ParseDataConfig(args, nullptr, &extra);
  if (!parsed) return Fail(parsed.error().message);
  if (parsed->help) {
    std::cout << usage << "\n" << parsed->usage;
    return 0;
  }
  if (auto valid = Validate(o); !valid) return Fail(valid.error().message);

  auto started = Clock::now();
  Config config = parsed->config;
  // Index builds run long; SQLite's bulk-load settings are in WriteNetwork.
  config.postgres_statement_timeout_ms = 0;
  config.db_threads = 1;
  service::InitCrypto();
  auto database = OpenDatabase(config);
  if (!database) return Fail(database.error().message);
  Phases phases;
  Status seeded = WriteNetwork(o, config, **database, phases);
  // On SQLite this checkpoints the WAL into the file and syncs it.
  (*database)->Close();
  if (!seeded) {
    std::string message = seeded.error().message;
    if (seeded.error().code != "not_empty") message += " (the database is incomplete: seed a new one)";
    return Fail(message);
  }
  std::printf("seed: done in %.1f s (cpu %.1f s)\n", std::chrono::duration<double>(Clock::now() - started).count(),
              CpuSeconds());
  return 0;
}

}  // namespace vantage::cli
