// vantage admin create-organisation: an organisation account and its first
// owner, from the command line (recorded in the audit log with no actor).
#include <boost/program_options.hpp>

#include <cstdio>
#include <iostream>

#include "cli/config.h"
#include "cli/data.h"
#include "cli/organisation.h"
#include "service/organisations.h"
#include "store/store.h"

namespace vantage::cli {

namespace po = boost::program_options;

int CreateOrganisation(const std::vector<std::string>& args) {
  const char* usage =
      "Usage: vantage admin create-organisation --username U --owner O [--display-name D] [--note N]\n"
      "                                         [--second-factor-optional]\n\n"
      "Creates an organisation account (nobody signs in to it: its staff act as it) with\n"
      "the account O as its first owner. Its staff must use a second factor unless\n"
      "--second-factor-optional is given (its owners can change that later).\n";
  std::string username, owner, display_name, note;
  bool second_factor_optional = false;
  po::options_description extra("Organisation");
  extra.add_options()
      ("username", po::value(&username), "the organisation's username")
      ("owner", po::value(&owner), "the username of its first owner")
      ("display-name", po::value(&display_name), "its display name")
      ("note", po::value(&note), "its bio")
      ("second-factor-optional", po::bool_switch(&second_factor_optional),
       "its staff need not use a second factor");
  auto parsed = ParseDataConfig(args, nullptr, &extra);
  if (!parsed) {
    std::cerr << "vantage admin: " << parsed.error().message << "\n";
    return 2;
  }
  if (parsed->help) {
    std::cout << usage << "\n" << parsed->usage;
    return 0;
  }
  if (username.empty() || owner.empty()) {
    std::cerr << "vantage admin: --username and --owner are required\n\n" << usage;
    return 2;
  }
  auto database = OpenDatabase(parsed->config);
  if (!database) {
    std::cerr << "vantage admin: " << database.error().message << "\n";
    return 1;
  }
  auto store = store::MakeSqlStore(*database);
  service::ServiceContext ctx(*store, parsed->config.settings, kCliShard);
  auto created = service::CreateOrganisation(ctx, {username, display_name, note, owner, !second_factor_optional}, service::Actor{});
  int code = 0;
  if (!created) {
    std::cerr << "vantage admin: " << created.error().message << "\n";
    code = 1;
  } else {
    std::printf("created organisation %s (id %lld), owned by %s\n", created->account.username.c_str(),
                static_cast<long long>(created->account.id), owner.c_str());
  }
  (*database)->Close();
  return code;
}

}  // namespace vantage::cli
