// vantage audit verify: walks the audit chain and names the first entry that
// was changed, inserted or deleted behind the server's back.
#include "cli/audit.h"

#include <cstdio>
#include <iostream>

#include "cli/config.h"
#include "cli/data.h"
#include "store/audit_store.h"
#include "store/store.h"

namespace vantage::cli {

namespace {

constexpr int kBroken = 3;

constexpr const char* kUsage =
    "Usage: vantage audit verify [--data DIR | --db URL]\n\n"
    "Walks the hash-chained audit log from its first entry. Prints the chain's\n"
    "length and head hash when it is intact (keep the head hash elsewhere: a\n"
    "later run that prints a chain not starting with it was rewritten), or the\n"
    "first entry that was modified, inserted or deleted, and exits with 3.\n";

}  // namespace

int Audit(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  if (args[0] != "verify") {
    std::cerr << "vantage audit: unknown command " << args[0] << "\n\n" << kUsage;
    return 2;
  }
  auto parsed = ParseDataConfig({args.begin() + 1, args.end()}, nullptr);
  if (!parsed) {
    std::cerr << "vantage audit: " << parsed.error().message << "\n";
    return 2;
  }
  if (parsed->help) {
    std::cout << kUsage << "\n" << parsed->usage;
    return 0;
  }
  auto database = OpenDatabase(parsed->config);
  if (!database) {
    std::cerr << "vantage audit: " << database.error().message << "\n";
    return 1;
  }
  auto store = store::MakeSqlStore(*database);
  auto verified = store->audit().Verify();
  (*database)->Close();
  if (!verified) {
    std::cerr << "vantage audit: " << verified.error().message << "\n";
    return 1;
  }
  if (!verified->intact()) {
    std::printf("audit log broken: %s\n", verified->message.c_str());
    return kBroken;
  }
  std::printf("audit log intact: %lld entries, head %s\n", static_cast<long long>(verified->length),
              verified->head_hash.c_str());
  return 0;
}

}  // namespace vantage::cli
