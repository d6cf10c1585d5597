// Settings of `vantage serve` and the data subcommands: flags, then
// VANTAGE_* environment variables, then an optional config file, then defaults.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "http/server.h"
#include "federation/federation.h"
#include "mail/sender.h"
#include "service/context.h"
#include "service/media.h"

namespace boost::program_options {
class options_description;
}

namespace vantage::cli {

// The id shard the command-line tools use, so that `vantage admin` never
// collides with a server (servers take 0..1022).
inline constexpr int kCliShard = 1023;

struct Config {
  std::string data_dir = "./data";
  // Empty: SQLite at data_dir/vantage.db. Else sqlite:PATH or postgres://...
  std::string db;
  bool sqlite_synchronous_full = true;
  int postgres_statement_timeout_ms = 5000;
  std::string postgres_synchronous_commit;

  http::ServerOptions server;
  int db_threads = 8;
  size_t db_queue = 1024;
  int cpu_threads = 2;
  size_t cpu_queue = 64;
  int remote_threads = 32;  // requests waiting on other servers at once
  size_t remote_queue = 256;
  int pool_wait_ms = 2000;

  std::string public_url;  // empty: derived from --listen
  int shard = 0;           // id shard: unique per server sharing a database
  service::Settings settings;
  service::MediaSettings media;
  int media_cleanup_interval_s = 300;  // how often unattached media is looked for
  int event_retention_hours = 168;     // live events kept for resuming streams (docs/architecture.md)
  std::string log_level = "info";
  std::string web_dir;  // empty: the web app compiled into the binary
  std::string metrics_token;  // empty: /metrics for loopback clients only
  federation::Options federation;  // docs/federation.md
  mail::SmtpConfig smtp;           // docs/account-security.md, E-mail

  bool UsesPostgres() const { return db.starts_with("postgres://") || db.starts_with("postgresql://"); }
  // The SQLite file, when the database is SQLite.
  std::string DatabasePath() const { return db.starts_with("sqlite:") ? db.substr(7) : data_dir + "/vantage.db"; }
};

// Parses the arguments after the subcommand name. `help` is set (and the
// usage text put in `usage`) when --help was given.
struct ParsedConfig {
  Config config;
  bool help = false;
  std::string usage;
};
Result<ParsedConfig> ParseServeConfig(const std::vector<std::string>& args);

// Only the data location options plus `extra`, for migrate/backup/admin.
Result<ParsedConfig> ParseDataConfig(const std::vector<std::string>& args,
                                     std::vector<std::string>* positional,
                                     const boost::program_options::options_description* extra = nullptr);

}  // namespace vantage::cli
