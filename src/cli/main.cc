// vantage: one binary for the server and its administration.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "cli/audit.h"
#include "cli/seed.h"
#include "cli/serve.h"

namespace {

constexpr const char* kUsage =
    "Usage: vantage COMMAND [options]\n\n"
    "Commands:\n"
    "  serve     run the server (vantage serve --help lists every setting)\n"
    "  migrate   apply pending database migrations\n"
    "  backup    copy the live database to a file\n"
    "  migrate-data  copy a SQLite instance into PostgreSQL\n"
    "  admin     create accounts, reset passwords, approve registrations\n"
    "  audit     verify the hash-chained audit log\n"
    "  routes    list every route the server answers (METHOD PATTERN)\n"
    "  seed      write a synthetic network into an empty database (benchmarks, demos)\n"
    "  version   print the version\n";

}  // namespace

int main(int argc, char** argv) {
  // A closed log pipe must show up as a failed write, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  std::string command = args[0];
  args.erase(args.begin());
  try {
    if (command == "serve") return vantage::cli::Serve(args);
    if (command == "migrate") return vantage::cli::Migrate(args);
    if (command == "backup") return vantage::cli::Backup(args);
    if (command == "admin") return vantage::cli::Admin(args);
    if (command == "audit") return vantage::cli::Audit(args);
    if (command == "migrate-data") return vantage::cli::MigrateData(args);
    if (command == "seed") return vantage::cli::Seed(args);
    if (command == "routes") return vantage::cli::Routes(args);
    if (command == "version" || command == "--version") {
      std::cout << "vantage 0.1.0\n";
      return 0;
    }
  } catch (const std::exception& e) {
    std::cerr << "vantage " << command << ": " << e.what() << "\n";
    return 1;
  }
  std::cerr << "vantage: unknown command " << command << "\n\n" << kUsage;
  return 2;
}
