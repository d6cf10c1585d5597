#include "cli/config.h"

#include <unistd.h>

#include <boost/program_options.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/text.h"

namespace vantage::cli {

namespace po = boost::program_options;

namespace {

// VANTAGE_DB_THREADS -> db-threads. Variables that name no option (such as
// VANTAGE_BIN in a test script) are ignored, not errors.
std::string EnvironmentName(const po::options_description& options, const std::string& variable) {
  if (!variable.starts_with("VANTAGE_")) return {};
  std::string name = AsciiLower(variable.substr(8));
  std::replace(name.begin(), name.end(), '_', '-');
  if (name == "help" || !options.find_nothrow(name, false)) return {};
  return name;
}

po::options_description DataOptions(Config& c, std::string& config_file) {
  po::options_description options("Data");
  options.add_options()
      ("data", po::value(&c.data_dir)->default_value(c.data_dir),
       "directory of the database and media files (created if missing)")
      ("db", po::value(&c.db),
       "the database: postgres://USER@HOST:PORT/DB for PostgreSQL, or sqlite:PATH; default "
       "sqlite at DATA/vantage.db")
      ("db-statement-timeout-ms", po::value(&c.postgres_statement_timeout_ms)->default_value(c.postgres_statement_timeout_ms),
       "PostgreSQL: cancel statements running longer (0: never)")
      ("synchronous-commit", po::value(&c.postgres_synchronous_commit),
       "PostgreSQL: synchronous_commit for this server's transactions (default: the server's)")
      ("synchronous", po::value<std::string>()->default_value("full"),
       "SQLite synchronous mode: full (survives power loss) or normal (faster, may lose the "
       "last transactions on power loss)")
      ("config", po::value(&config_file), "read settings from this file (key = value lines)");
  return options;
}

Result<ParsedConfig> Parse(const std::vector<std::string>& args, bool serve,
                           std::vector<std::string>* positional,
                           const po::options_description* extra) {
  ParsedConfig parsed;
  Config& c = parsed.config;
  c.cpu_threads = std::max(1u, std::thread::hardware_concurrency());
  c.server.threads = c.cpu_threads;
  std::string config_file, listen = "127.0.0.1:8080", registrations = "open", federation_mode = "open",
              federation_media = "eager";
  double remote_cache_gb = 20;
  int read_timeout = 10, idle_timeout = 60, shutdown_timeout = 10, sse_heartbeat = 15;

  po::options_description all("Options");
  all.add_options()("help,h", "show this help");
  all.add(DataOptions(c, config_file));
  if (extra) all.add(*extra);
  if (serve) {
    po::options_description net("Network");
    net.add_options()
        ("listen", po::value(&listen)->default_value(listen), "address and port to listen on (HOST:PORT; port 0 picks one)")
        ("public-url", po::value(&c.public_url), "the URL people reach this server at (default: http://LISTEN); https enables Secure cookies")
        ("threads", po::value(&c.server.threads)->default_value(c.server.threads), "I/O threads")
        ("shard", po::value(&c.shard)->default_value(c.shard), "this server's number (0-1022) inside ids: give every server that shares one database its own")
        ("max-connections", po::value(&c.server.max_connections)->default_value(c.server.max_connections), "open connections at most; more get 503")
        ("header-limit", po::value(&c.server.header_limit)->default_value(c.server.header_limit), "bytes of request headers at most (431 beyond)")
        ("body-limit", po::value(&c.server.body_limit)->default_value(c.server.body_limit), "bytes of request body at most for API routes (413 beyond)")
        ("read-timeout", po::value(&read_timeout)->default_value(read_timeout), "seconds to receive a whole request once it has started (408 beyond)")
        ("idle-timeout", po::value(&idle_timeout)->default_value(idle_timeout), "seconds a keep-alive connection may wait for its next request")
        ("shutdown-timeout", po::value(&shutdown_timeout)->default_value(shutdown_timeout), "seconds to finish in-flight requests on SIGTERM/SIGINT")
        ("sse-heartbeat-seconds", po::value(&sse_heartbeat)->default_value(sse_heartbeat), "seconds of silence after which an event stream gets a heartbeat comment")
        ("access-log", po::value(&c.server.access_log)->default_value(c.server.access_log), "access log: - (standard output), off, or a file path")
        ("trust-forwarded", po::bool_switch(&c.server.trust_forwarded), "take client address and scheme from X-Forwarded-For/-Proto (behind a proxy only)")
        ("metrics-token", po::value(&c.metrics_token), "a secret that lets clients not on this machine read /metrics (Authorization: Bearer TOKEN); without it, only loopback clients can");
    po::options_description pools("Worker pools");
    pools.add_options()
        ("db-threads", po::value(&c.db_threads)->default_value(c.db_threads), "threads for database work")
        ("db-queue", po::value(&c.db_queue)->default_value(c.db_queue), "requests waiting for a database thread at most")
        ("cpu-threads", po::value(&c.cpu_threads)->default_value(c.cpu_threads), "threads for CPU-heavy work (password hashing); caps concurrent hashes")
        ("cpu-queue", po::value(&c.cpu_queue)->default_value(c.cpu_queue), "requests waiting for a CPU thread at most")
        ("remote-threads", po::value(&c.remote_threads)->default_value(c.remote_threads), "threads for requests that wait on other servers (resolving remote accounts, remote photos shown before they were fetched)")
        ("remote-queue", po::value(&c.remote_queue)->default_value(c.remote_queue), "requests waiting for such a thread at most")
        ("pool-wait-ms", po::value(&c.pool_wait_ms)->default_value(c.pool_wait_ms), "milliseconds a request may wait for a pool thread before 503");
    po::options_description instance("Instance");
    instance.add_options()
        ("title", po::value(&c.settings.title)->default_value(c.settings.title), "instance title")
        ("registrations", po::value(&registrations)->default_value(registrations), "open, approval or closed")
        ("sign-in-limit-ip", po::value(&c.settings.sign_in_limit_ip)->default_value(c.settings.sign_in_limit_ip), "sign-in attempts per IP per 5 minutes (0: no limit)")
        ("sign-in-limit-account", po::value(&c.settings.sign_in_limit_account)->default_value(c.settings.sign_in_limit_account), "failed sign-ins per account from one source (an IP address, an IPv6 /64) per 5 minutes (0: no limit)")
        ("second-factor-limit-account", po::value(&c.settings.second_factor_limit_account)->default_value(c.settings.second_factor_limit_account), "wrong second-factor codes per account per 5 minutes (0: no limit)")
        ("registration-limit-ip", po::value(&c.settings.registration_limit_ip)->default_value(c.settings.registration_limit_ip), "registrations per IP per hour (0: no limit)")
        ("question-limit-account", po::value(&c.settings.question_limit_account)->default_value(c.settings.question_limit_account), "Q&A questions per account per 10 minutes (0: no limit)")
        ("question-limit-ip", po::value(&c.settings.question_limit_ip)->default_value(c.settings.question_limit_ip), "Q&A questions per IP per 10 minutes (0: no limit)")
        ("feed-pull-followers", po::value(&c.settings.feed_pull_followers)->default_value(c.settings.feed_pull_followers), "followers at which an account's posts are pulled into home timelines at read time instead of written into every follower's (docs/architecture.md, Home timelines)")
        ("log-level", po::value(&c.log_level)->default_value(c.log_level), "trace, debug, info, warn or error")
        ("web-dir", po::value(&c.web_dir), "serve the web app from this folder (its web/ source), read on every request, instead of the copy built into the binary: for working on the app");
    po::options_description media("Media");
    media.add_options()
        ("media-size-limit", po::value(&c.media.max_upload_bytes)->default_value(c.media.max_upload_bytes), "bytes per uploaded image at most (413 beyond, sent before the body is read)")
        ("media-max-pixels", po::value(&c.media.max_pixels)->default_value(c.media.max_pixels), "pixels (width x height) per uploaded image at most (422 image_too_large beyond)")
        ("event-retention-hours", po::value(&c.event_retention_hours)->default_value(c.event_retention_hours), "hours live events are kept for clients resuming a stream (Last-Event-ID)")
        ("media-cleanup-interval", po::value(&c.media_cleanup_interval_s)->default_value(c.media_cleanup_interval_s), "seconds between runs of the job that deletes media not attached to a post within 24 hours");
    po::options_description federation("Federation (docs/federation.md)");
    federation.add_options()
        ("federation", po::value(&federation_mode)->default_value(federation_mode), "off (nothing in or out), open, or allowlist")
        ("federation-allow-private", po::bool_switch(&c.federation.allow_private), "let outbound requests reach loopback and private addresses: for test peers only, never in production")
        ("federation-authorized-fetch", po::bool_switch(&c.federation.authorized_fetch), "serve notes and collections only to signed requests, and refuse blocked servers even what is public (Mastodon's secure mode)")
        ("federation-ca-file", po::value(&c.federation.ca_file), "trust these certificate authorities (a PEM bundle) for other servers' TLS instead of the system's: for a private PKI, or test peers")
        ("federation-delivery-threads", po::value(&c.federation.delivery_threads)->default_value(c.federation.delivery_threads), "threads that deliver activities to other servers")
        ("federation-per-host", po::value(&c.federation.per_host)->default_value(c.federation.per_host), "deliveries in flight to one host at most")
        ("federation-media", po::value(&federation_media)->default_value(federation_media), "remote posts' photos: eager (fetched when the post arrives) or lazy (when first shown)")
        ("remote-media-cache-gb", po::value(&remote_cache_gb)->default_value(remote_cache_gb), "GB remote posts' photos may take; past it the least recently viewed are evicted (fetched again when shown) by the cleanup job");
    po::options_description mail("E-mail (docs/account-security.md)");
    mail.add_options()
        ("smtp-url", po::value(&c.smtp.url), "the SMTP server: smtp://[user:password@]host[:port] (STARTTLS when offered) or smtps://... (TLS); none: messages and their links go to the log")
        ("smtp-from", po::value(&c.smtp.from), "the sender, as \"Name <address>\" or an address (default: notifications@ the instance's domain)")
        ("smtp-require-tls", po::bool_switch(&c.smtp.require_tls), "refuse to send over smtp:// unless the server offers STARTTLS")
        ("require-email-confirmation", po::bool_switch(&c.settings.require_email_confirmation), "accounts that sign up cannot sign in or use their tokens until they confirm their address")
        ("password-reset-limit-ip", po::value(&c.settings.password_reset_limit_ip)->default_value(c.settings.password_reset_limit_ip), "password reset requests, and confirmation links asked for by address, per IP per hour (each; 0: no limit)");
    all.add(net).add(pools).add(instance).add(media).add(federation).add(mail);
  }

  std::vector<std::string> rest;
  try {
    po::variables_map vm;
    auto parsed_args = po::command_line_parser(args).options(all).allow_unregistered().run();
    rest = po::collect_unrecognized(parsed_args.options, po::include_positional);
    for (const std::string& arg : rest)
      if (arg.starts_with("-")) return Error::Invalid(arg, "unknown option " + arg);
    if (!positional && !rest.empty()) return Error::Invalid(rest.front(), "unexpected argument " + rest.front());
    if (positional) *positional = rest;
    po::store(parsed_args, vm);
    po::store(po::parse_environment(all, [&all](const std::string& variable) { return EnvironmentName(all, variable); }), vm);
    if (vm.count("config")) {
      std::ifstream file(vm["config"].as<std::string>());
      if (!file) return Error::Invalid("config", "cannot read config file " + vm["config"].as<std::string>());
      po::store(po::parse_config_file(file, all), vm);
    }
    po::notify(vm);
    if (vm.count("help")) {
      std::ostringstream usage;
      usage << all;
      parsed.help = true;
      parsed.usage = usage.str();
      return parsed;
    }
    std::string synchronous = vm["synchronous"].as<std::string>();
    if (synchronous != "full" && synchronous != "normal")
      return Error::Invalid("synchronous", "--synchronous must be full or normal");
    c.sqlite_synchronous_full = synchronous == "full";
    if (!c.db.empty() && !c.UsesPostgres() && !c.db.starts_with("sqlite:"))
      return Error::Invalid("db", "--db must be postgres://USER@HOST:PORT/DB or sqlite:PATH");
  } catch (const po::error& e) {
    return Error::Invalid("options", e.what());
  }
  if (!serve) return parsed;
  if (c.settings.feed_pull_followers < 1)
    return Error::Invalid("feed-pull-followers", "--feed-pull-followers must be at least 1");

  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return Error::Invalid("listen", "--listen must be HOST:PORT");
  c.server.host = listen.substr(0, colon);
  if (c.server.host.size() > 2 && c.server.host.front() == '[') c.server.host = c.server.host.substr(1, c.server.host.size() - 2);
  try {
    int port = std::stoi(listen.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::out_of_range("port");
    c.server.port = static_cast<uint16_t>(port);
  } catch (const std::exception&) {
    return Error::Invalid("listen", "--listen has an invalid port");
  }
  if (auto mode = federation::ParseMode(federation_mode)) c.federation.mode = *mode;
  else return Error::Invalid("federation", "--federation must be off, open or allowlist");
  if (c.federation.delivery_threads < 1 || c.federation.delivery_threads > 256)
    return Error::Invalid("federation-delivery-threads", "--federation-delivery-threads must be 1 to 256");
  if (!c.federation.ca_file.empty() && access(c.federation.ca_file.c_str(), R_OK) != 0)
    return Error::Invalid("federation-ca-file", "--federation-ca-file cannot be read: " + c.federation.ca_file);
  if (c.federation.per_host < 1) return Error::Invalid("federation-per-host", "--federation-per-host must be at least 1");
  if (federation_media != "eager" && federation_media != "lazy")
    return Error::Invalid("federation-media", "--federation-media must be eager or lazy");
  c.federation.media_eager = federation_media == "eager";
  if (!(remote_cache_gb > 0) || remote_cache_gb > 1e6)
    return Error::Invalid("remote-media-cache-gb", "--remote-media-cache-gb must be a positive number of GB");
  c.media.remote_cache_bytes = static_cast<int64_t>(remote_cache_gb * 1024 * 1024 * 1024);
  if (registrations == "open") c.settings.registrations = service::RegistrationMode::kOpen;
  else if (registrations == "approval") c.settings.registrations = service::RegistrationMode::kApproval;
  else if (registrations == "closed") c.settings.registrations = service::RegistrationMode::kClosed;
  else return Error::Invalid("registrations", "--registrations must be open, approval or closed");
  if (read_timeout < 1 || idle_timeout < 1 || shutdown_timeout < 0)
    return Error::Invalid("read-timeout", "timeouts must be positive");
  c.server.read_timeout = std::chrono::seconds(read_timeout);
  c.server.idle_timeout = std::chrono::seconds(idle_timeout);
  c.server.shutdown_timeout = std::chrono::seconds(shutdown_timeout);
  if (sse_heartbeat < 1 || sse_heartbeat > 3600)
    return Error::Invalid("sse-heartbeat-seconds", "--sse-heartbeat-seconds must be 1 to 3600");
  c.server.stream_heartbeat = std::chrono::seconds(sse_heartbeat);
  if (c.server.threads < 1 || c.db_threads < 1 || c.cpu_threads < 1 || c.remote_threads < 1)
    return Error::Invalid("threads", "thread counts must be at least 1");
  if (c.shard < 0 || c.shard >= kCliShard) return Error::Invalid("shard", "--shard must be 0 to 1022");
  if (c.pool_wait_ms < 1) return Error::Invalid("pool-wait-ms", "--pool-wait-ms must be at least 1");
  if (c.media.max_upload_bytes < 1) return Error::Invalid("media-size-limit", "--media-size-limit must be at least 1");
  if (c.media.max_pixels < 1) return Error::Invalid("media-max-pixels", "--media-max-pixels must be at least 1");
  if (c.event_retention_hours < 1)
    return Error::Invalid("event-retention-hours", "--event-retention-hours must be at least 1");
  if (c.media_cleanup_interval_s < 1)
    return Error::Invalid("media-cleanup-interval", "--media-cleanup-interval must be at least 1");
  if (!c.public_url.empty() && !(c.public_url.starts_with("http://") || c.public_url.starts_with("https://")))
    return Error::Invalid("public-url", "--public-url must start with http:// or https://");
  return parsed;
}

}  // namespace

Result<ParsedConfig> ParseServeConfig(const std::vector<std::string>& args) {
  return Parse(args, true, nullptr, nullptr);
}

Result<ParsedConfig> ParseDataConfig(const std::vector<std::string>& args,
                                     std::vector<std::string>* positional,
                                     const po::options_description* extra) {
  return Parse(args, false, positional, extra);
}

}  // namespace vantage::cli
