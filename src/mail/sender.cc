#include "mail/sender.h"

#include <curl/curl.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <memory>

#include "core/id.h"

namespace vantage::mail {

namespace {

constexpr int64_t kLeaseMs = 5 * 60 * 1000;
constexpr int kBatch = 20;
constexpr auto kPoll = std::chrono::seconds(5);

bool SafeHeaderValue(std::string_view value) {
  return std::none_of(value.begin(), value.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

bool IsAscii(std::string_view value) {
  return std::all_of(value.begin(), value.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string Base64(std::string_view data) {
  if (data.empty()) return "";
  std::string out(sodium_base64_encoded_len(data.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

// Base64 in lines of 76 characters, as MIME asks.
std::string Base64Lines(std::string_view data) {
  std::string encoded = Base64(data), out;
  for (size_t i = 0; i < encoded.size(); i += 76) out += encoded.substr(i, 76) + "\r\n";
  return out;
}

// RFC 2047 for a subject that is not plain ASCII.
std::string EncodedWord(const std::string& text) {
  if (IsAscii(text)) return text;
  return "=?UTF-8?B?" + Base64(text) + "?=";
}

// "Name <address>" with a name that is not plain ASCII as an encoded word;
// header fields are ASCII (RFC 5322) unless the server agreed to more.
std::string FromHeader(const std::string& from) {
  size_t open = from.rfind('<');
  if (open == std::string::npos || IsAscii(from)) return from;
  std::string name = from.substr(0, open);
  while (!name.empty() && name.back() == ' ') name.pop_back();
  return EncodedWord(name) + " " + from.substr(open);
}

std::string RfcDate(int64_t now_ms) {
  std::time_t t = static_cast<std::time_t>(now_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[64];
  std::strftime(out, sizeof out, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return out;
}

struct Upload {
  const std::string* data;
  size_t offset = 0;
};

size_t ReadChunk(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  size_t room = size * count;
  size_t left = upload->data->size() - upload->offset;
  size_t n = std::min(room, left);
  std::memcpy(buffer, upload->data->data() + upload->offset, n);
  upload->offset += n;
  return n;
}

int64_t RetryDelayMs(int64_t attempts) {
  // 30 s, 1 min, 2 min... at most an hour.
  int64_t delay = 30'000LL << std::min<int64_t>(attempts, 7);
  return std::min<int64_t>(delay, 3'600'000);
}

}  // namespace

std::string EnvelopeAddress(const std::string& from) {
  size_t open = from.rfind('<');
  size_t close = from.rfind('>');
  if (open != std::string::npos && close != std::string::npos && close > open)
    return from.substr(open + 1, close - open - 1);
  return from;
}

Result<std::string> BuildMessage(const SmtpConfig& config, const store::OutgoingMail& mail,
                                 const std::string& message_id_domain, int64_t now_ms) {
  for (const std::string* value : {&config.from, &mail.recipient, &mail.subject})
    if (!SafeHeaderValue(*value)) return Error::Invalid("mail", "a header value holds a control character");
  std::string boundary = "vantage-" + std::to_string(mail.id) + "-alternative";
  std::string m;
  m += "From: " + FromHeader(config.from) + "\r\n";
  m += "To: " + mail.recipient + "\r\n";
  m += "Subject: " + EncodedWord(mail.subject) + "\r\n";
  m += "Date: " + RfcDate(now_ms) + "\r\n";
  m += "Message-ID: <" + std::to_string(mail.id) + "@" + message_id_domain + ">\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Auto-Submitted: auto-generated\r\n";
  m += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  m += "--" + boundary + "\r\n";
  m += "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  m += Base64Lines(mail.text_body);
  m += "--" + boundary + "\r\n";
  m += "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
  m += Base64Lines(mail.html_body);
  m += "--" + boundary + "--\r\n";
  return m;
}

Status Send(const SmtpConfig& config, const std::string& recipient, const std::string& message) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) return Error::Unavailable("curl_easy_init failed");
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) about "<" + s.
  std::string from = "<", to = "<";
  from.append(EnvelopeAddress(config.from)).append(">");
  to.append(recipient).append(">");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> rcpt(curl_slist_append(nullptr, to.c_str()),
                                                                   &curl_slist_free_all);
  Upload upload{&message};
  char error[CURL_ERROR_SIZE] = {};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, config.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(c, CURLOPT_READFUNCTION, &ReadChunk);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_USE_SSL, config.require_tls ? CURLUSESSL_ALL : CURLUSESSL_TRY);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(config.timeout_seconds));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  CURLcode code = curl_easy_perform(c);
  if (code != CURLE_OK)
    return Error::Unavailable(std::string(curl_easy_strerror(code)) + (error[0] ? std::string(": ") + error : ""));
  return Ok();
}

MailSender::MailSender(store::Database& db, SmtpConfig config, std::string domain)
    : db_(db), config_(std::move(config)), domain_(std::move(domain)) {}

MailSender::~MailSender() { Stop(); }

void MailSender::Start() { thread_ = std::thread([this] { Loop(); }); }

void MailSender::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void MailSender::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

int MailSender::RunOnce() {
  int64_t now = NowUnixMs();
  auto due = store::ClaimDueMail(db_, now, kLeaseMs, kBatch);
  if (!due) {
    spdlog::warn("mail: cannot read the queue: {}", due.error().message);
    return 0;
  }
  int done = 0;
  for (const store::OutgoingMail& mail : *due) {
    if (config_.url.empty()) {
      // No SMTP server: the log is where the message (and its links) goes.
      spdlog::info("mail (no SMTP server configured) to {}: {}\n{}", mail.recipient, mail.subject, mail.text_body);
      (void)store::DeleteMail(db_, mail.id);
      ++done;
      continue;
    }
    auto message = BuildMessage(config_, mail, domain_, NowUnixMs());
    Status sent = message ? Send(config_, mail.recipient, *message) : Status(message.error());
    if (sent) {
      spdlog::info("mail: sent \"{}\" to {}", mail.subject, mail.recipient);
      (void)store::DeleteMail(db_, mail.id);
      ++done;
    } else if (!message || mail.attempts + 1 >= kMaxAttempts) {
      spdlog::error("mail: giving up on \"{}\" to {} after {} attempts: {}", mail.subject, mail.recipient,
                    mail.attempts + 1, sent.error().message);
      (void)store::DeleteMail(db_, mail.id);
    } else {
      spdlog::warn("mail: \"{}\" to {} failed (attempt {}): {}", mail.subject, mail.recipient, mail.attempts + 1,
                   sent.error().message);
      (void)store::RescheduleMail(db_, mail.id, NowUnixMs() + RetryDelayMs(mail.attempts), sent.error().message);
    }
  }
  return done;
}

void MailSender::Loop() {
  while (true) {
    {
      std::unique_lock lock(mu_);
      if (stopping_) return;
      woken_ = false;
    }
    RunOnce();
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, kPoll, [this] { return stopping_ || woken_; });
    if (stopping_) return;
  }
}

}  // namespace vantage::mail
