// E-mail to account holders (docs/account-security.md, "E-mail"): what each
// message says, the single-use links they carry, and the flows those links
// finish. Messages are queued in the database and sent by the mail sender
// (mail/sender.h); without an SMTP server it writes them to the log.
//
// All functions block: call them from a pool thread. Those that take a
// password run argon2id and belong on the CPU pool.
#pragma once

#include <string>
#include <string_view>

#include "core/error.h"
#include "service/context.h"

namespace vantage::service {

// Queues the confirmation of the account's address (at sign-up) and marks
// it unconfirmed until the link is followed.
Status SendEmailConfirmation(ServiceContext& ctx, const store::Account& account);
// Sends it again; Conflict "already_confirmed" when there is nothing to confirm.
Status ResendEmailConfirmation(ServiceContext& ctx, const store::Account& account);
// Sends it again to `email` if an account's address awaits confirmation
// there; the answer is the same either way, and RateLimited past the
// per-address allowance (as many as password resets, counted apart).
Status RequestConfirmationLink(ServiceContext& ctx, std::string_view email, const std::string& ip);
// Whether the account's address awaits confirmation.
Result<bool> EmailUnconfirmed(ServiceContext& ctx, int64_t account_id);
// Forbidden "email_unconfirmed" when the instance requires confirmed
// addresses and the account's is not.
Status CheckEmailConfirmed(ServiceContext& ctx, int64_t account_id);

// Follows a confirmation link: of the address given at sign-up, or of a new
// one (which then replaces the old). Invalid "invalid_token" (field
// `token`) when unknown, used or expired.
Status ConfirmEmail(ServiceContext& ctx, std::string_view token);

// Sends a reset link to the account with this address, if there is one.
// The answer is the same either way, so that nobody learns who has an
// account; RateLimited past the per-address allowance.
Status RequestPasswordReset(ServiceContext& ctx, std::string_view email, const std::string& ip);
// Follows a reset link (single-use, valid an hour): sets the password and
// ends every session and token of the account.
Status ResetPasswordWithToken(ServiceContext& ctx, std::string_view token, std::string_view password);

// Starts a change of address: a link to the new one, a notice to the old.
// Needs the password.
Status RequestEmailChange(ServiceContext& ctx, const store::Account& account, std::string_view new_email,
                          std::string_view password);

// Whether a sign-in from `user_agent` comes from a device the account has
// signed in from before (one of its sessions or tokens has that agent).
// Call before storing the new session.
Result<bool> KnownDevice(ServiceContext& ctx, int64_t account_id, std::string_view user_agent);
// Tells the account holder of a sign-in from a new device.
Status NoticeNewDevice(ServiceContext& ctx, const store::Account& account, const std::string& ip,
                       const std::string& user_agent);
// Tells the account holder their archive can be downloaded until `expires_at`.
Status NoticeExportReady(ServiceContext& ctx, const store::Account& account, int64_t expires_at);
// Tells the account holder their second factors changed (`what` happened).
Status NoticeSecondFactorChange(ServiceContext& ctx, int64_t account_id, std::string_view what);

}  // namespace vantage::service
