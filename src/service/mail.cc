#include "service/mail.h"

#include <vector>

#include "core/id.h"
#include "core/text.h"
#include "service/accounts.h"
#include "service/crypto.h"
#include "service/second_factors.h"
#include "store/mail_store.h"

namespace vantage::service {

namespace {

constexpr int64_t kHourMs = 3600 * 1000;
constexpr int64_t kConfirmLifetimeMs = 72 * kHourMs;
constexpr int64_t kResetLifetimeMs = kHourMs;
constexpr int64_t kChangeLifetimeMs = 24 * kHourMs;
constexpr std::string_view kConfirm = "confirm", kReset = "reset", kChange = "change";

// A message as paragraphs, one of which may be a link: written once, as
// plain text and as HTML with everything escaped. No images, no tracking.
struct Paragraph {
  std::string text;
  std::string link;  // set: the paragraph is this link, labelled `text`
};

struct Message {
  std::string subject;
  std::vector<Paragraph> paragraphs;
};

Status Queue(ServiceContext& ctx, const std::string& to, const Message& message) {
  store::OutgoingMail mail;
  mail.id = ctx.ids.Next();
  mail.recipient = to;
  mail.subject = message.subject;
  std::string html =
      "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" + HtmlEscape(message.subject) +
      "</title></head><body>\n";
  for (const Paragraph& p : message.paragraphs) {
    if (!mail.text_body.empty()) mail.text_body += "\n\n";
    if (p.link.empty()) {
      mail.text_body += p.text;
      html += "<p>" + HtmlEscape(p.text) + "</p>\n";
    } else {
      mail.text_body += p.text + ":\n" + p.link;
      html += "<p><a href=\"" + HtmlEscape(p.link) + "\">" + HtmlEscape(p.text) + "</a></p>\n";
    }
  }
  mail.text_body += "\n";
  mail.html_body = html + "</body></html>\n";
  mail.created_at = mail.next_attempt_at = NowUnixMs();
  VANTAGE_TRY(store::EnqueueMail(ctx.store.database(), mail));
  if (ctx.mail_wake) ctx.mail_wake();
  return Ok();
}

std::string Handle(const ServiceContext& ctx, const store::Account& account) {
  return "@" + account.username + "@" + ctx.settings.domain;
}

Paragraph Signature(const ServiceContext& ctx) {
  return {"— " + ctx.settings.title + " (" + ctx.settings.base_url + ")", ""};
}

// A fresh link of `purpose` for the account, replacing its earlier ones.
Result<std::string> NewLink(ServiceContext& ctx, int64_t account_id, std::string_view purpose,
                            const std::string& email, int64_t lifetime_ms, std::string_view page) {
  std::string token = RandomToken();
  store::EmailToken record{account_id, std::string(purpose), email, NowUnixMs() + lifetime_ms};
  VANTAGE_TRY(store::ReplaceEmailToken(ctx.store.database(), Sha256Hex(token), record));
  return ctx.settings.base_url + std::string(page) + "?token=" + token;
}

Error InvalidToken() {
  return Error::Invalid("token", "token is invalid, used or expired: ask for a new link", "invalid_token");
}

Result<store::EmailToken> Consume(ServiceContext& ctx, std::string_view token,
                                  std::initializer_list<std::string_view> purposes) {
  if (token.empty() || token.size() > 200) return InvalidToken();
  auto record = store::ConsumeEmailToken(ctx.store.database(), Sha256Hex(token));
  if (!record) return std::move(record).error();
  if (!*record || (*record)->expires_at < NowUnixMs()) return InvalidToken();
  for (std::string_view purpose : purposes)
    if ((*record)->purpose == purpose) return std::move(**record);
  return InvalidToken();
}

Status SendConfirmationLink(ServiceContext& ctx, const store::Account& account) {
  auto link = NewLink(ctx, account.id, kConfirm, account.email, kConfirmLifetimeMs, "/confirm_email");
  if (!link) return std::move(link).error();
  return Queue(ctx, account.email,
               {"Confirm your e-mail address on " + ctx.settings.title,
                {{"Welcome to " + ctx.settings.title + ". Confirm that this address belongs to the account " +
                      Handle(ctx, account) + " by opening this link within three days.",
                  ""},
                 {"Confirm my address", *link},
                 {"If you did not sign up, ignore this message: nothing happens without the link.", ""},
                 Signature(ctx)}});
}

}  // namespace

Status SendEmailConfirmation(ServiceContext& ctx, const store::Account& account) {
  if (account.email.empty()) return Ok();
  VANTAGE_TRY(store::MarkEmailUnconfirmed(ctx.store.database(), account.id, NowUnixMs()));
  return SendConfirmationLink(ctx, account);
}

Status ResendEmailConfirmation(ServiceContext& ctx, const store::Account& account) {
  auto unconfirmed = EmailUnconfirmed(ctx, account.id);
  if (!unconfirmed) return std::move(unconfirmed).error();
  if (!*unconfirmed) return Error::Conflict("already_confirmed", "This e-mail address is confirmed already");
  return SendConfirmationLink(ctx, account);
}

Status RequestConfirmationLink(ServiceContext& ctx, std::string_view email, const std::string& ip) {
  if (email.empty()) return Error::Invalid("email", "email is required", "missing_field");
  if (int wait = ctx.confirmation_links_by_ip.Hit(AddressKey(ip), NowUnixMs())) return Error::RateLimited(wait);
  auto account = ctx.store.accounts().FindByEmail(email);
  if (!account) return std::move(account).error();
  if (!*account || (*account)->email.empty()) return Ok();
  auto unconfirmed = EmailUnconfirmed(ctx, (*account)->id);
  if (!unconfirmed) return std::move(unconfirmed).error();
  if (!*unconfirmed) return Ok();
  return SendConfirmationLink(ctx, **account);
}

Result<bool> EmailUnconfirmed(ServiceContext& ctx, int64_t account_id) {
  return store::IsEmailUnconfirmed(ctx.store.database(), account_id);
}

Status CheckEmailConfirmed(ServiceContext& ctx, int64_t account_id) {
  if (!ctx.settings.require_email_confirmation) return Ok();
  auto unconfirmed = EmailUnconfirmed(ctx, account_id);
  if (!unconfirmed) return std::move(unconfirmed).error();
  if (*unconfirmed)
    return Error::Forbidden("Your login is missing a confirmed e-mail address: follow the link we sent you",
                            "email_unconfirmed");
  return Ok();
}

Status ConfirmEmail(ServiceContext& ctx, std::string_view token) {
  auto record = Consume(ctx, token, {kConfirm, kChange});
  if (!record) return std::move(record).error();
  if (record->purpose == kChange) {
    auto account = ctx.store.accounts().FindById(record->account_id);
    if (!account) return std::move(account).error();
    if (!*account) return InvalidToken();
    Status set = ctx.store.accounts().SetEmail(record->account_id, record->email, NowUnixMs());
    if (!set) {
      if (set.error().code == "unique_violation")
        return Error::Invalid("email", "Another account has taken this address meanwhile", "taken");
      return set;
    }
  }
  return store::MarkEmailConfirmed(ctx.store.database(), record->account_id);
}

Status RequestPasswordReset(ServiceContext& ctx, std::string_view email, const std::string& ip) {
  if (email.empty()) return Error::Invalid("email", "email is required", "missing_field");
  if (int wait = ctx.password_resets_by_ip.Hit(AddressKey(ip), NowUnixMs())) return Error::RateLimited(wait);
  auto account = ctx.store.accounts().FindByEmail(email);
  if (!account) return std::move(account).error();
  if (!*account || (*account)->email.empty()) return Ok();
  const store::Account& a = **account;
  auto link = NewLink(ctx, a.id, kReset, a.email, kResetLifetimeMs, "/reset_password");
  if (!link) return std::move(link).error();
  return Queue(ctx, a.email,
               {"Reset your password on " + ctx.settings.title,
                {{"Someone asked to reset the password of the account " + Handle(ctx, a) +
                      ". To choose a new one, open this link within an hour. It works once; choosing a new "
                      "password signs the account out everywhere.",
                  ""},
                 {"Choose a new password", *link},
                 {"If it was not you, ignore this message: your password stays as it is.", ""},
                 Signature(ctx)}});
}

Status ResetPasswordWithToken(ServiceContext& ctx, std::string_view token, std::string_view password) {
  VANTAGE_TRY(ValidatePassword(password));
  auto record = Consume(ctx, token, {kReset});
  if (!record) return std::move(record).error();
  auto hash = HashPassword(password);
  if (!hash) return std::move(hash).error();
  VANTAGE_TRY(ctx.store.accounts().SetPasswordHash(record->account_id, *hash, NowUnixMs()));
  auto revoked = ctx.store.tokens().RevokeAllForAccount(record->account_id, 0);
  if (!revoked) return std::move(revoked).error();
  TellAccessRevoked(ctx);
  // The link reached the address: it is confirmed.
  return store::MarkEmailConfirmed(ctx.store.database(), record->account_id);
}

Status RequestEmailChange(ServiceContext& ctx, const store::Account& account, std::string_view new_email,
                          std::string_view password) {
  VANTAGE_TRY(ValidateEmail(new_email));
  VANTAGE_TRY(CheckPassword(ctx, account, password, "password"));
  if (EqualsIgnoreCase(new_email, account.email))
    return Error::Invalid("email", "email is the address the account has already", "unchanged");
  auto taken = ctx.store.accounts().FindByEmail(new_email);
  if (!taken) return std::move(taken).error();
  if (*taken) return Error::Invalid("email", "email is taken by another account", "taken");
  std::string email(new_email);
  auto link = NewLink(ctx, account.id, kChange, email, kChangeLifetimeMs, "/confirm_email");
  if (!link) return std::move(link).error();
  VANTAGE_TRY(Queue(ctx, email,
                    {"Confirm your new e-mail address on " + ctx.settings.title,
                     {{"The account " + Handle(ctx, account) +
                           " asked to use this address from now on. Confirm it by opening this link within a day.",
                       ""},
                      {"Confirm my new address", *link},
                      {"If you did not ask for this, ignore this message: nothing changes without the link.", ""},
                      Signature(ctx)}}));
  if (account.email.empty()) return Ok();
  return Queue(ctx, account.email,
               {"Your e-mail address is being changed on " + ctx.settings.title,
                {{"The account " + Handle(ctx, account) + " asked to use another e-mail address (" + email +
                      "). It changes when the link sent there is followed.",
                  ""},
                 {"If it was not you, change your password at once and turn on two-factor authentication.", ""},
                 Signature(ctx)}});
}

Result<bool> KnownDevice(ServiceContext& ctx, int64_t account_id, std::string_view user_agent) {
  for (store::TokenKind kind : {store::TokenKind::kSession, store::TokenKind::kOAuth}) {
    auto tokens = ctx.store.tokens().ListForAccount(account_id, kind);
    if (!tokens) return std::move(tokens).error();
    for (const store::Token& token : *tokens)
      if (token.user_agent == user_agent.substr(0, 300)) return true;
  }
  return false;
}

Status NoticeNewDevice(ServiceContext& ctx, const store::Account& account, const std::string& ip,
                       const std::string& user_agent) {
  if (account.email.empty()) return Ok();
  std::string agent = user_agent.empty() ? "an unnamed program" : user_agent.substr(0, 300);
  return Queue(ctx, account.email,
               {"New sign-in to your account on " + ctx.settings.title,
                {{"The account " + Handle(ctx, account) + " was signed in to from a device it had not used before, at " +
                      FormatIsoTime(NowUnixMs()) + ".",
                  ""},
                 {"Device: " + agent + ". Address: " + ip + ".", ""},
                 {"If it was you, there is nothing to do. If not, change your password at once, sign out "
                  "everywhere from your settings, and turn on two-factor authentication.",
                  ""},
                 Signature(ctx)}});
}

Status NoticeExportReady(ServiceContext& ctx, const store::Account& account, int64_t expires_at) {
  if (account.email.empty()) return Ok();
  return Queue(ctx, account.email,
               {"Your archive is ready on " + ctx.settings.title,
                {{"The archive of the account " + Handle(ctx, account) + " you asked for can be downloaded from "
                  "your settings until " + FormatIsoTime(expires_at) + ". Sign in to download it.",
                  ""},
                 {"Download it", ctx.settings.base_url + "/settings#export"},
                 {"If you did not ask for it, change your password at once and sign out everywhere from your "
                  "settings.",
                  ""},
                 Signature(ctx)}});
}

Status NoticeSecondFactorChange(ServiceContext& ctx, int64_t account_id, std::string_view what) {
  auto account = ctx.store.accounts().FindById(account_id);
  if (!account) return std::move(account).error();
  if (!*account || (*account)->email.empty()) return Ok();
  return Queue(ctx, (*account)->email,
               {"Your two-factor authentication changed on " + ctx.settings.title,
                {{"For the account " + Handle(ctx, **account) + ": " + std::string(what) + ", at " +
                      FormatIsoTime(NowUnixMs()) + ".",
                  ""},
                 {"If it was not you, change your password at once and sign out everywhere from your settings.",
                  ""},
                 Signature(ctx)}});
}

}  // namespace vantage::service
