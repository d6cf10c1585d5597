// vantage admin: account administration from the command line.
#include <boost/program_options.hpp>

#include <cstdio>
#include <iostream>

#include "cli/config.h"
#include "cli/data.h"
#include "cli/organisation.h"
#include "cli/serve.h"
#include "core/id.h"
#include "service/accounts.h"
#include "service/crypto.h"
#include "service/domains.h"
#include "store/mail_store.h"
#include "store/store.h"

namespace vantage::cli {

namespace po = boost::program_options;

namespace {

std::string ReadPassword() {
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int Fail(const std::string& message) {
  std::cerr << "vantage admin: " << message << "\n";
  return 1;
}

// The domain commands: each change written to the audit log as the
// command line's (no account).
int Domains(const std::vector<std::string>& args, const char* usage) {
  const std::string& command = args[0];
  std::string severity, reason;
  po::options_description extra("Domain");
  extra.add_options()
      ("severity", po::value(&severity), "suspend, silence or reject_media")
      ("reason", po::value(&reason), "why (kept with the block, for admins)");
  std::vector<std::string> positional;
  auto parsed = ParseDataConfig({args.begin() + 1, args.end()}, &positional, &extra);
  if (!parsed) return Fail(parsed.error().message);
  if (parsed->help) {
    std::cout << usage << "\n" << parsed->usage;
    return 0;
  }
  bool lists = command == "domain-blocks" || command == "domain-allows";
  if (lists ? !positional.empty() : positional.size() != 1)
    return Fail(lists ? command + " takes no arguments" : command + " takes one domain: vantage admin " + command + " DOMAIN");
  auto database = OpenDatabase(parsed->config);
  if (!database) return Fail(database.error().message);
  auto store = store::MakeSqlStore(*database);
  service::ServiceContext ctx(*store, parsed->config.settings, kCliShard);
  service::DomainAdmin admin;  // the command line
  int code = 0;
  if (command == "domain-block") {
    if (severity.empty()) code = Fail("--severity is required: suspend, silence or reject_media");
    else if (auto block = service::BlockDomain(ctx, admin, positional[0], severity, reason); !block)
      code = Fail(block.error().message);
    else std::printf("%s: %s\n", block->domain.c_str(), block->severity.c_str());
  } else if (command == "domain-unblock") {
    if (auto done = service::UnblockDomain(ctx, admin, positional[0]); !done) code = Fail(done.error().message);
    else std::printf("%s is no longer blocked\n", positional[0].c_str());
  } else if (command == "domain-blocks") {
    auto blocks = service::DomainBlocks(ctx);
    if (!blocks) code = Fail(blocks.error().message);
    else for (const store::DomainBlock& b : *blocks) std::printf("%s %s %s\n", b.domain.c_str(), b.severity.c_str(), b.reason.c_str());
  } else if (command == "domain-allow" || command == "domain-disallow") {
    Status done = Ok();
    if (command == "domain-allow") {
      if (auto allowed = service::AllowDomain(ctx, admin, positional[0]); !allowed) done = std::move(allowed).error();
    } else {
      done = service::DisallowDomain(ctx, admin, positional[0]);
    }
    if (!done) code = Fail(done.error().message);
    else std::printf("%s %s\n", positional[0].c_str(), command == "domain-allow" ? "allowed" : "no longer allowed");
  } else if (command == "domain-allows") {
    auto allowed = service::AllowedDomains(ctx);
    if (!allowed) code = Fail(allowed.error().message);
    else for (const store::DomainAllow& a : *allowed) std::printf("%s\n", a.domain.c_str());
  } else {
    std::cerr << usage;
    code = 2;
  }
  (*database)->Close();
  return code;
}

}  // namespace

int Admin(const std::vector<std::string>& args) {
  const char* usage =
      "Usage: vantage admin COMMAND [options]\n\n"
      "Commands:\n"
      "  create-account --username U --email E [--role admin|moderator|user] --password-stdin\n"
      "  reset-password --username U --password-stdin   (ends every session and token)\n"
      "  approve --username U                           (approves a pending registration)\n"
      "  set-role --username U --role R\n"
      "  verify NAME                                    (gives the account the verified badge)\n"
      "  unverify NAME                                  (takes the badge away)\n"
      "  confirm-email NAME                             (confirms the account's address, as its link would)\n"
      "  create-organisation --username U --owner O     (an organisation account and its first owner)\n"
      "  domain-block DOMAIN --severity suspend|silence|reject_media [--reason R]\n"
      "                                                 (docs/federation.md; covers its subdomains)\n"
      "  domain-unblock DOMAIN\n"
      "  domain-blocks                                  (lists them)\n"
      "  domain-allow DOMAIN | domain-disallow DOMAIN   (the allowlist of --federation allowlist)\n"
      "  domain-allows                                  (lists it)\n";
  if (!args.empty() && args[0] == "create-organisation") return CreateOrganisation({args.begin() + 1, args.end()});
  if (!args.empty() && args[0].starts_with("domain-")) return Domains(args, usage);
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << usage;
    return args.empty() ? 2 : 0;
  }
  std::string command = args[0];
  std::string username, email, role;
  bool password_stdin = false;
  po::options_description extra("Account");
  extra.add_options()
      ("username", po::value(&username), "account name")
      ("email", po::value(&email), "e-mail address")
      ("role", po::value(&role), "admin, moderator or user")
      ("password-stdin", po::bool_switch(&password_stdin), "read the password from standard input");
  bool by_name = command == "verify" || command == "unverify" || command == "confirm-email";
  std::vector<std::string> positional;
  auto parsed = ParseDataConfig({args.begin() + 1, args.end()}, by_name ? &positional : nullptr, &extra);
  if (!parsed) return Fail(parsed.error().message);
  if (parsed->help) {
    std::cout << usage << "\n" << parsed->usage;
    return 0;
  }
  if (by_name) {
    // `verify NAME`, as the badge is usually given; --username works too.
    if (positional.size() > 1 || (!positional.empty() && !username.empty()))
      return Fail(command + " takes one account name");
    if (!positional.empty()) username = positional.front();
    if (!username.empty() && username.front() == '@') username.erase(0, 1);
    if (username.empty()) return Fail(command + " needs an account name: vantage admin " + command + " NAME");
  }
  if (username.empty()) return Fail("--username is required");
  if (role.empty()) {
    if (command == "set-role") return Fail("--role is required");
    role = "user";
  }
  auto parsed_role = store::ParseRole(role);
  if (!parsed_role) return Fail("--role must be admin, moderator or user");

  service::InitCrypto();
  auto database = OpenDatabase(parsed->config);
  if (!database) return Fail(database.error().message);
  auto store = store::MakeSqlStore(*database);
  service::ServiceContext ctx(*store, parsed->config.settings, kCliShard);
  int code = 0;

  if (command == "create-account" || command == "reset-password") {
    if (!password_stdin) return Fail("--password-stdin is required (the password is read from standard input)");
    std::string password = ReadPassword();
    if (command == "create-account") {
      if (email.empty()) return Fail("--email is required");
      auto account = service::CreateAccount(ctx, username, email, password, *parsed_role);
      if (!account) code = Fail(account.error().message);
      else std::printf("created %s %s (id %lld)\n", role.c_str(), account->username.c_str(), static_cast<long long>(account->id));
    } else {
      auto status = service::ResetPassword(ctx, username, password);
      if (!status) code = Fail(status.error().message);
      else std::printf("password of %s reset; every session and token ended\n", username.c_str());
    }
  } else if (by_name) {
    auto account = store->accounts().FindByUsername(username);
    bool verify = command == "verify";
    if (!account) code = Fail(account.error().message);
    else if (!*account) code = Fail("no account named " + username);
    else if (command == "confirm-email") {
      if (auto status = store::MarkEmailConfirmed(**database, (*account)->id); !status)
        code = Fail(status.error().message);
      else
        std::printf("the e-mail address of %s is confirmed\n", (*account)->username.c_str());
    } else if (auto status = store->accounts().SetVerified((*account)->id, verify, NowUnixMs()); !status)
      code = Fail(status.error().message);
    else if (verify)
      std::printf("%s is verified\n", (*account)->username.c_str());
    else
      std::printf("%s is no longer verified\n", (*account)->username.c_str());
  } else if (command == "approve" || command == "set-role") {
    auto account = store->accounts().FindByUsername(username);
    if (!account) code = Fail(account.error().message);
    else if (!*account) code = Fail("no account named " + username);
    else if (command == "approve") {
      auto status = store->accounts().SetApproved((*account)->id, true, NowUnixMs());
      if (!status) code = Fail(status.error().message);
      else std::printf("approved %s\n", username.c_str());
    } else {
      auto status = store->accounts().SetRole((*account)->id, *parsed_role, NowUnixMs());
      if (!status) code = Fail(status.error().message);
      else std::printf("%s is now %s\n", username.c_str(), role.c_str());
    }
  } else {
    std::cerr << usage;
    code = 2;
  }
  (*database)->Close();
  return code;
}

}  // namespace vantage::cli
