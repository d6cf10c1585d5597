#include "media/blob_store.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

namespace vantage::media {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kTempPrefix = ".tmp-";

Error IoError(const std::string& what, const std::string& path, int err) {
  return Error::Internal(what + " " + path + ": " + std::strerror(err));
}

// Closes a descriptor on every path out of a function.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

Status FsyncDirectory(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return IoError("cannot open directory", dir, errno);
  if (::fsync(fd.get()) != 0) return IoError("cannot fsync directory", dir, errno);
  return Ok();
}

Status WriteAll(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot write", path, errno);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Ok();
}

std::string TempSuffix() {
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 random{std::random_device{}()};
  return std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1)) + "-" +
         std::to_string(random() % 1000000000);
}

bool IsHex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

bool IsValidBlobName(std::string_view key, std::string_view ext) {
  return key.size() == 64 && IsHex(key) && (ext == "webp" || ext == "jpg");
}

std::string_view BlobContentType(std::string_view ext) {
  if (ext == "webp") return "image/webp";
  if (ext == "jpg") return "image/jpeg";
  return "";
}

std::string Sha256Hex(std::string_view bytes) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(sizeof digest * 2);
  for (unsigned char b : digest) {
    hex.push_back(kHex[b >> 4]);
    hex.push_back(kHex[b & 15]);
  }
  return hex;
}

Result<std::unique_ptr<BlobStore>> BlobStore::Open(std::string root) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return Error::Internal("cannot create media directory " + root + ": " + ec.message());
  return std::unique_ptr<BlobStore>(new BlobStore(std::move(root)));
}

std::string BlobStore::PathFor(std::string_view key, std::string_view ext) const {
  std::string path = root_;
  path += '/';
  path += key.substr(0, 2);
  path += '/';
  path += key;
  path += '.';
  path += ext;
  return path;
}

Result<std::string> BlobStore::Put(std::string_view bytes, std::string_view ext) {
  std::string key = Sha256Hex(bytes);
  if (!IsValidBlobName(key, ext)) return Error::Internal("unknown media extension " + std::string(ext));
  std::string dir = root_ + "/" + key.substr(0, 2);
  std::string path = PathFor(key, ext);

  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && st.st_size == static_cast<off_t>(bytes.size())) {
    // Already stored (durably, by whoever renamed it there). Refresh its time
    // so a sweep on another server does not take it for an old orphan.
    ::utimensat(AT_FDCWD, path.c_str(), nullptr, 0);
    return key;
  }

  bool new_dir = false;
  if (::mkdir(dir.c_str(), 0755) == 0) {
    new_dir = true;
  } else if (errno != EEXIST) {
    return IoError("cannot create directory", dir, errno);
  }
  if (new_dir) VANTAGE_TRY(FsyncDirectory(root_));

  std::string temp = dir + "/" + std::string(kTempPrefix) + TempSuffix();
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (fd.get() < 0) return IoError("cannot create", temp, errno);
  Status written = WriteAll(fd.get(), bytes, temp);
  if (written && ::fsync(fd.get()) != 0) written = IoError("cannot fsync", temp, errno);
  int raw = fd.release();
  if (::close(raw) != 0 && written) written = IoError("cannot close", temp, errno);
  if (!written) {
    ::unlink(temp.c_str());
    return std::move(written).error();
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(temp.c_str());
    return IoError("cannot rename into", path, err);
  }
  VANTAGE_TRY(FsyncDirectory(dir));
  return key;
}

Result<std::string> BlobStore::Read(std::string_view key, std::string_view ext) const {
  if (!IsValidBlobName(key, ext)) return Error::NotFound();
  std::string path = PathFor(key, ext);
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Error::NotFound();
    return IoError("cannot open", path, errno);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return IoError("cannot stat", path, errno);
  std::string bytes(static_cast<size_t>(st.st_size), '\0');
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::read(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot read", path, errno);
    }
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  bytes.resize(done);
  return bytes;
}

Status BlobStore::Remove(std::string_view key) {
  if (key.size() != 64 || !IsHex(key)) return Ok();
  bool removed = false;
  for (std::string_view ext : {"webp", "jpg"}) {
    std::string path = PathFor(key, ext);
    if (::unlink(path.c_str()) == 0) {
      removed = true;
    } else if (errno != ENOENT) {
      return IoError("cannot remove", path, errno);
    }
  }
  if (removed) return FsyncDirectory(root_ + "/" + std::string(key.substr(0, 2)));
  return Ok();
}

Result<SweepResult> BlobStore::Sweep(const std::set<std::string>& referenced,
                                     std::chrono::seconds grace) {
  SweepResult result;
  auto cutoff = fs::file_time_type::clock::now() - grace;
  std::error_code ec;
  for (const auto& dir : fs::directory_iterator(root_, ec)) {
    std::string fan = dir.path().filename().string();
    if (!dir.is_directory() || fan.size() != 2 || !IsHex(fan)) continue;
    bool changed = false;
    std::error_code dir_ec;
    for (const auto& entry : fs::directory_iterator(dir.path(), dir_ec)) {
      if (!entry.is_regular_file()) continue;
      std::string name = entry.path().filename().string();
      bool temp = name.starts_with(kTempPrefix);
      if (!temp) {
        size_t dot = name.find('.');
        if (dot == std::string::npos) continue;
        std::string key = name.substr(0, dot), ext = name.substr(dot + 1);
        if (!IsValidBlobName(key, ext) || key.substr(0, 2) != fan) continue;
        if (referenced.count(key)) {
          ++result.kept;
          continue;
        }
      }
      std::error_code time_ec;
      auto written = fs::last_write_time(entry.path(), time_ec);
      if (time_ec || written > cutoff) {
        ++result.kept;
        continue;
      }
      if (fs::remove(entry.path(), time_ec)) {
        changed = true;
        ++(temp ? result.temp_files_removed : result.orphans_removed);
      }
    }
    if (dir_ec) return Error::Internal("cannot list " + dir.path().string() + ": " + dir_ec.message());
    if (changed) VANTAGE_TRY(FsyncDirectory(dir.path().string()));
  }
  if (ec) return Error::Internal("cannot list " + root_ + ": " + ec.message());
  return result;
}

}  // namespace vantage::media
