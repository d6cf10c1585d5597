// Sends the queued e-mail (store/mail_store.h) through an SMTP server with
// libcurl: TLS from the start (smtps://) or STARTTLS (smtp://, used when the
// server offers it, or required with `require_tls`), and authentication from
// the URL's user and password. Without a server, each message is written to
// the log instead, links and all, so that an instance without mail still
// works.
//
// One thread; failed messages are tried again with growing waits, up to
// kMaxAttempts, and then dropped with an error in the log.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "core/error.h"
#include "store/mail_store.h"
#include "store/sql.h"

namespace vantage::mail {

struct SmtpConfig {
  std::string url;   // smtp://user:password@host:587 or smtps://...; empty: log only
  std::string from;  // "Name <address>" or an address
  bool require_tls = false;
  int timeout_seconds = 30;
};

// The message as sent: RFC 5322 headers and a multipart/alternative body
// (plain text and HTML, UTF-8, base64). Invalid when an address or the
// subject could smuggle a header (line breaks, control characters).
Result<std::string> BuildMessage(const SmtpConfig& config, const store::OutgoingMail& mail,
                                 const std::string& message_id_domain, int64_t now_ms);
// The address alone, from "Name <address>" or "address".
std::string EnvelopeAddress(const std::string& from);
// Hands one message to the server. Unavailable (with the server's answer)
// when it could not.
Status Send(const SmtpConfig& config, const std::string& recipient, const std::string& message);

inline constexpr int kMaxAttempts = 10;

class MailSender {
 public:
  MailSender(store::Database& db, SmtpConfig config, std::string domain);
  ~MailSender();
  void Start();
  void Stop();
  // A message was queued: look now rather than at the next poll.
  void Wake();
  // Sends what is due now, on the caller's thread; how many were sent or logged.
  int RunOnce();

 private:
  void Loop();

  store::Database& db_;
  SmtpConfig config_;
  std::string domain_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;    // guarded by mu_
  bool stopping_ = false; // guarded by mu_
  std::thread thread_;
};

}  // namespace vantage::mail
