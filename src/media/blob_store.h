// The media store on disk: content-addressed, immutable files.
//
// A file is named by the lower-case hex SHA-256 of its bytes (its key) and
// an extension ("webp" or "jpg"), in a fan-out directory of the key's first
// two hex digits: ROOT/ab/ab12...ef.webp. Identical bytes are one file.
//
// Durability: Put writes a temporary file in the fan-out directory, fsyncs
// it, renames it into place and fsyncs the directory, so when Put returns
// the file survives a power loss. Callers commit the database row that
// references a file only after Put returned, so a committed row never points
// to a missing file; a crash in between leaves an orphan file, removed by
// Sweep.
//
// Deleting: a file may be shared by several rows, so it is removed only once
// no row references it. The check and the unlink must not interleave with a
// Put whose row has not committed yet; writers hold `WriteLock()` (shared)
// from Put until their row commits, deleters hold `DeleteLock()` (exclusive)
// from the reference check until the unlink. This guards one process; servers
// sharing a media directory rely on Sweep's grace period instead (docs).
//
// Thread-safe. Every call does blocking file I/O: call it on a pool thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "core/error.h"

namespace vantage::media {

// Whether `key` is 64 lower-case hex digits and `ext` one of the stored
// extensions: the only names the store reads, so no path can escape it.
bool IsValidBlobName(std::string_view key, std::string_view ext);

// "image/webp" for "webp", "image/jpeg" for "jpg"; "" otherwise.
std::string_view BlobContentType(std::string_view ext);

// Lower-case hex SHA-256.
std::string Sha256Hex(std::string_view bytes);

struct SweepResult {
  int64_t orphans_removed = 0;
  int64_t temp_files_removed = 0;
  int64_t kept = 0;
};

class BlobStore {
 public:
  // Creates `root` if needed. Errors: kInternal when it cannot be created.
  static Result<std::unique_ptr<BlobStore>> Open(std::string root);

  const std::string& root() const { return root_; }

  // Stores `bytes` durably; returns the key. Idempotent: storing bytes that
  // are already there only refreshes the file's time (see Sweep).
  Result<std::string> Put(std::string_view bytes, std::string_view ext);

  // The file's bytes. kNotFound for an unknown or malformed name.
  Result<std::string> Read(std::string_view key, std::string_view ext) const;

  // Removes KEY.webp and KEY.jpg if present, and fsyncs the directory.
  Status Remove(std::string_view key);

  // Removes files whose key is not in `referenced`, and leftover temporary
  // files, if they were last written more than `grace` ago (a file younger
  // than that may belong to an upload whose row is about to commit, on this
  // or another server). Files with foreign names are left alone.
  Result<SweepResult> Sweep(const std::set<std::string>& referenced,
                            std::chrono::seconds grace);

  std::shared_lock<std::shared_timed_mutex> WriteLock() { return std::shared_lock(mu_); }
  std::unique_lock<std::shared_timed_mutex> DeleteLock() { return std::unique_lock(mu_); }
  // For deletions on the request path: a steady stream of uploads holds the
  // shared side and could starve an exclusive waiter, so give up after
  // `wait` (owns_lock() false) and leave the files to the start-up sweep.
  std::unique_lock<std::shared_timed_mutex> TryDeleteLock(std::chrono::milliseconds wait) {
    return std::unique_lock(mu_, wait);
  }

  // The path a key would be stored at (for tests and operators).
  std::string PathFor(std::string_view key, std::string_view ext) const;

 private:
  explicit BlobStore(std::string root) : root_(std::move(root)) {}

  std::string root_;
  std::shared_timed_mutex mu_;
};

}  // namespace vantage::media
