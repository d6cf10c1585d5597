#include "cli/serve.h"

#include <boost/program_options.hpp>
#include <malloc.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <mutex>
#include <thread>

#include "api/api.h"
#include "api/event_streams.h"
#include "api/web_files.h"
#include "cli/config.h"
#include "cli/data.h"
#include "core/id.h"
#include "federation/archive.h"
#include "http/metrics.h"
#include "http/pool.h"
#include "http/router.h"
#include "http/server.h"
#include "mail/sender.h"
#include "media/blob_store.h"
#include "media/libvips.h"
#include "service/crypto.h"
#include "service/data_export.h"
#include "service/drafts.h"
#include "service/media.h"
#include "store/event_bus.h"
#include "store/event_store.h"
#include "store/copy_database.h"
#include "store/sqlite/sqlite_database.h"
#include "store/second_factor_store.h"
#include "store/store.h"

namespace vantage::cli {

namespace {

std::string DomainOf(const std::string& url) {
  std::string rest = url.substr(url.find("://") + 3);
  return rest.substr(0, rest.find('/'));
}

// Runs `job` on `pool` every `interval` until destroyed (the media cleanup).
class PeriodicJob {
 public:
  PeriodicJob(http::WorkerPool& pool, std::chrono::seconds interval, std::function<void()> job)
      : thread_([this, &pool, interval, job = std::move(job)] {
          std::unique_lock lock(mu_);
          while (!cv_.wait_for(lock, interval, [this] { return stopping_; })) {
            lock.unlock();
            pool.Submit(job, [] {});  // a busy pool skips a round
            lock.lock();
          }
        }) {}
  ~PeriodicJob() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

// Files younger than this are never swept: on servers sharing one media
// directory they may belong to another server's upload that is committing.
constexpr std::chrono::hours kSweepGrace{1};

}  // namespace

int Serve(const std::vector<std::string>& args) {
  auto parsed = ParseServeConfig(args);
  if (!parsed) {
    std::cerr << "vantage serve: " << parsed.error().message << "\n";
    return 2;
  }
  if (parsed->help) {
    std::cout << "Usage: vantage serve [options]\n\nEvery option can also be set as an environment "
                 "variable (VANTAGE_DB_THREADS for --db-threads) or as `name = value` in the --config "
                 "file. Flags win over the environment, which wins over the file.\n\n"
              << parsed->usage;
    return 0;
  }
  Config& config = parsed->config;
  // Uploads allocate tens of megabytes at a time (request bodies, decoded
  // pixels, encoded files). glibc raises its mmap threshold after such a block
  // is freed, so later ones come from the heap arenas and stay with the
  // process after a burst of uploads; a fixed threshold keeps every large block
  // mmapped and returned to the system when freed (docs/benchmarks.md).
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  // Below that threshold everything comes from the heaps, which glibc trims
  // back to the system whenever 128 KB lie free at a heap's top: every query
  // that builds a temporary b-tree frees that much, and each trim flushes the
  // TLB of every core. Small blocks are kept for reuse instead.
  mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
  http::BlockShutdownSignals();
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  service::InitCrypto();

  auto database = OpenDatabase(config);
  if (!database) {
    std::cerr << "vantage serve: " << database.error().message << "\n";
    return 1;
  }
  std::unique_ptr<store::Store> store = store::MakeSqlStore(*database);
  if (auto vips = media::InitLibvips(); !vips) {
    std::cerr << "vantage serve: " << vips.error().message << "\n";
    return 1;
  }
  auto blobs = media::BlobStore::Open(config.data_dir + "/media");
  if (!blobs) {
    std::cerr << "vantage serve: " << blobs.error().message << "\n";
    return 1;
  }

  http::WorkerPool db_pool("db", config.db_threads, config.db_queue,
                           std::chrono::milliseconds(config.pool_wait_ms));
  http::WorkerPool cpu_pool("cpu", config.cpu_threads, config.cpu_queue,
                            std::chrono::milliseconds(config.pool_wait_ms));
  // Requests that may wait on other servers (resolving, remote photos):
  // their own threads, so that a slow server stalls none of the others.
  http::WorkerPool remote_pool("remote", config.remote_threads, config.remote_queue,
                               std::chrono::milliseconds(config.pool_wait_ms));

  // The server binds before the routes are built so the public URL can name
  // the port actually bound (--listen HOST:0).
  http::Router router;
  std::vector<std::string> route_names;
  service::ServiceContext services(*store, config.settings, config.shard);
  // Live events are told within this process (docs/architecture.md, "Live
  // events"); the events themselves are rows every server can read. The bus
  // formats each event's stream text once for every connection.
  store::InProcessNotifier notifier;
  services.events = &notifier;
  store::EventBus event_bus(store->database(), notifier, std::chrono::milliseconds(2000), api::EventStreamText);
  auto url_key = store->media().SharedSecret("media_url_key", service::RandomToken());
  if (!url_key) {
    std::cerr << "vantage serve: reading the media URL key: " << url_key.error().message << "\n";
    return 1;
  }
  services.settings.media_url_key = std::move(*url_key);
  api::ApiContext api{services};
  api.db_pool = &db_pool;
  api.event_bus = &event_bus;
  service::MediaContext media_context{services, **blobs, config.media};
  api.media = &media_context;
  service::ExportContext export_context{
      services, config.data_dir + "/exports", [&services, &blobs = **blobs](int64_t account_id, const std::string& path) {
        return federation::WriteAccountArchive(services, blobs, account_id, path);
      }};
  api.exports = &export_context;
  config.federation.version = api.version;
  federation::Federation federation(services, config.federation);
  federation.SetMedia(&media_context);
  if (config.federation.mode != federation::Mode::kOff) services.fediverse = &federation;
  RegisterServerRoutes(router, api, federation, config.web_dir);
  if (auto swept = service::SweepMediaFiles(media_context, kSweepGrace); !swept) {
    spdlog::warn("media sweep: {}", swept.error().message);
  } else if (swept->orphans_removed || swept->temp_files_removed) {
    spdlog::info("media sweep: removed {} orphan and {} temporary files", swept->orphans_removed,
                 swept->temp_files_removed);
  }
  for (const auto& route : router.routes()) route_names.push_back(route->method + " " + route->pattern);
  route_names.push_back("unmatched");
  http::Metrics metrics(route_names, config.server.threads);
  for (http::WorkerPool* pool : {&db_pool, &cpu_pool, &remote_pool}) {
    metrics.AddGauge({"vantage_pool_queue_depth", "Jobs waiting for a pool thread.",
                      "pool=\"" + pool->name() + "\"", [pool] { return double(pool->queue_depth()); }});
    metrics.AddGauge({"vantage_pool_busy_threads", "Pool threads running a job.",
                      "pool=\"" + pool->name() + "\"", [pool] { return double(pool->busy()); }});
  }
  store::Database* db = database->get();
  metrics.AddCounter({"vantage_db_seconds_total", "Time spent in database calls.", "",
                      [db] { return db->SecondsInDatabase(); }});
  api.metrics = &metrics;
  api.metrics_token = config.metrics_token;

  http::Server server(config.server, router, metrics, db_pool, cpu_pool, remote_pool);
  metrics.AddGauge({"vantage_event_streams_open", "Event streams (Server-Sent Events) being written.", "",
                    [&server] { return double(server.open_streams()); }});
  auto port = server.Listen();
  if (!port) {
    std::cerr << "vantage serve: " << port.error().message << "\n";
    return 1;
  }
  std::string url = "http://" + config.server.host + ":" + std::to_string(*port);
  services.settings.base_url = config.public_url.empty() ? url : config.public_url;
  if (!services.settings.base_url.empty() && services.settings.base_url.back() == '/')
    services.settings.base_url.pop_back();
  services.settings.domain = DomainOf(services.settings.base_url);
  services.settings.secure_cookies = services.settings.base_url.starts_with("https://");
  api::RefreshInstance(api);
  federation.Start();
  mail::SmtpConfig smtp = config.smtp;
  // The domain without a port, which no address or message id may have.
  std::string mail_domain = services.settings.domain.substr(0, services.settings.domain.rfind(':'));
  if (smtp.from.empty()) smtp.from = services.settings.title + " <notifications@" + mail_domain + ">";
  mail::MailSender mail_sender(**database, smtp, mail_domain);
  services.mail_wake = [&mail_sender] { mail_sender.Wake(); };
  mail_sender.Start();
  if (smtp.url.empty())
    spdlog::info("mail: no SMTP server configured (--smtp-url): messages and their links go to this log");

  std::printf("vantage: listening on %s\n", url.c_str());
  std::printf("vantage: data in %s (registrations %s)\n", config.data_dir.c_str(),
              service::RegistrationModeName(services.settings.registrations));
  std::printf("vantage: create the first admin with:\n"
              "  build/vantage admin create-account --data %s --username NAME --email EMAIL "
              "--role admin --password-stdin\n",
              config.data_dir.c_str());
  std::fflush(stdout);

  // Set while a release round runs: a slow round is not joined by the next.
  // Outside the block below, since a round may still be on a pool thread when
  // the job's thread stops.
  std::atomic<bool> releasing{false};
  std::atomic<bool> exporting{false};
  {
    // Scheduled drafts whose time has come, every second. Publishing each
    // exactly once rests on the database (service/drafts.h), so any number
    // of servers may run this at once.
    PeriodicJob release(db_pool, std::chrono::seconds(1), [&services, &releasing] {
      if (releasing.exchange(true)) return;
      auto round = service::PublishDueDrafts(services, NowUnixMs());
      releasing = false;
      if (!round) spdlog::warn("scheduled release: {}", round.error().message);
      else if (round->published || round->failed || round->skipped)
        spdlog::info("scheduled release: {} published, {} failed, {} published elsewhere", round->published,
                     round->failed, round->skipped);
    });
    // Account archives asked for, one at a time on this server (each is
    // claimed in the database, so servers share the work).
    PeriodicJob exports(remote_pool, std::chrono::seconds(1), [&export_context, &exporting] {
      if (exporting.exchange(true)) return;
      for (;;) {
        auto built = service::BuildNextExport(export_context, NowUnixMs());
        if (!built) spdlog::warn("archives: {}", built.error().message);
        if (!built || !*built) break;
      }
      exporting = false;
    });
    // Unattached media past 24 hours, the remote media cache over its
    // budget, OAuth codes nobody redeemed, second-factor sign-ins nobody
    // finished and archives past their week.
    PeriodicJob cleanup(db_pool, std::chrono::seconds(config.media_cleanup_interval_s),
                        [&media_context, &export_context, &store, &config] {
                          auto deleted = service::DeleteUnattachedMedia(media_context, NowUnixMs());
                          if (!deleted) spdlog::warn("media cleanup: {}", deleted.error().message);
                          else if (*deleted) spdlog::info("media cleanup: deleted {} unattached", *deleted);
                          auto trim = service::TrimRemoteMediaCache(media_context, NowUnixMs());
                          if (!trim) spdlog::warn("remote media cache: {}", trim.error().message);
                          else if (trim->evicted)
                            spdlog::info("remote media cache: evicted {} photos, {} -> {} bytes", trim->evicted,
                                         trim->bytes_before, trim->bytes_after);
                          auto codes = store->authorization_codes().DeleteExpired(NowUnixMs());
                          if (!codes) spdlog::warn("authorization code cleanup: {}", codes.error().message);
                          auto sign_ins = store::DeleteExpiredSignInChallenges(store->database(), NowUnixMs());
                          if (!sign_ins) spdlog::warn("sign-in token cleanup: {}", sign_ins.error().message);
                          auto events = store::MakeSqlEventStore(store->database())
                                            ->Prune(NowUnixMs() - int64_t{config.event_retention_hours} * 3600 * 1000);
                          if (!events) spdlog::warn("event cleanup: {}", events.error().message);
                          auto archives = service::DeleteExpiredExports(export_context, NowUnixMs());
                          if (!archives) spdlog::warn("archive cleanup: {}", archives.error().message);
                        });
    server.Run();
  }
  // The bus wakes connections' writers: it stops before the server goes away.
  event_bus.Stop();
  services.mail_wake = nullptr;
  mail_sender.Stop();
  federation.Stop();
  // In-flight handlers may still hold requests: stop the pools before the
  // server (and the coroutine frames it owns) goes away.
  db_pool.Stop();
  cpu_pool.Stop();
  remote_pool.Stop();
  (*database)->Close();
  spdlog::info("stopped cleanly");
  return 0;
}

int Migrate(const std::vector<std::string>& args) {
  auto parsed = ParseDataConfig(args, nullptr);
  if (!parsed) {
    std::cerr << "vantage migrate: " << parsed.error().message << "\n";
    return 2;
  }
  if (parsed->help) {
    std::cout << "Usage: vantage migrate [--data DIR]\n\nApplies pending schema migrations.\n\n" << parsed->usage;
    return 0;
  }
  auto database = OpenDatabase(parsed->config);
  if (!database) {
    std::cerr << "vantage migrate: " << database.error().message << "\n";
    return 1;
  }
  (*database)->Close();
  auto version = SchemaVersion(parsed->config);
  if (!version) {
    std::cerr << "vantage migrate: " << version.error().message << "\n";
    return 1;
  }
  std::printf("vantage: schema at migration %d\n", *version);
  return 0;
}

int Backup(const std::vector<std::string>& args) {
  std::vector<std::string> positional;
  auto parsed = ParseDataConfig(args, &positional);
  if (!parsed) {
    std::cerr << "vantage backup: " << parsed.error().message << "\n";
    return 2;
  }
  if (parsed->help || positional.size() != 1) {
    std::cout << "Usage: vantage backup FILE [--data DIR | --db sqlite:PATH]\n\nCopies the live SQLite "
                 "database into FILE (safe while the server runs). For PostgreSQL use pg_dump; see "
                 "docs/operations.md.\n\n" << parsed->usage;
    return parsed->help ? 0 : 2;
  }
  if (parsed->config.UsesPostgres()) {
    std::cerr << "vantage backup: PostgreSQL databases are backed up with pg_dump (docs/operations.md)\n";
    return 2;
  }
  auto status = store::BackupSqlite(parsed->config.DatabasePath(), positional[0]);
  if (!status) {
    std::cerr << "vantage backup: " << status.error().message << "\n";
    return 1;
  }
  std::printf("vantage: backed up %s to %s\n", parsed->config.DatabasePath().c_str(), positional[0].c_str());
  return 0;
}

int MigrateData(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  std::string from, to;
  po::options_description extra("Copy");
  extra.add_options()
      ("from", po::value(&from), "the source: sqlite:PATH")
      ("to", po::value(&to), "the destination: postgres://USER@HOST:PORT/DB (empty, migrated or new)");
  auto parsed = ParseDataConfig(args, nullptr, &extra);
  if (!parsed) {
    std::cerr << "vantage migrate-data: " << parsed.error().message << "\n";
    return 2;
  }
  if (parsed->help || from.empty() || to.empty()) {
    std::cout << "Usage: vantage migrate-data --from sqlite:PATH --to postgres://USER@HOST:PORT/DB\n\n"
                 "Copies every table of a stopped SQLite instance into an empty PostgreSQL "
                 "database, ids kept.\n\n" << parsed->usage;
    return parsed->help ? 0 : 2;
  }
  Config source = parsed->config, destination = parsed->config;
  source.db = from;
  destination.db = to;
  if (!from.starts_with("sqlite:")) {
    std::cerr << "vantage migrate-data: --from must be sqlite:PATH\n";
    return 2;
  }
  if (!destination.UsesPostgres()) {
    std::cerr << "vantage migrate-data: --to must be postgres://...\n";
    return 2;
  }
  if (!std::filesystem::exists(source.DatabasePath())) {
    std::cerr << "vantage migrate-data: no database at " << source.DatabasePath() << "\n";
    return 1;
  }
  auto from_db = OpenDatabase(source);
  if (!from_db) {
    std::cerr << "vantage migrate-data: " << from << ": " << from_db.error().message << "\n";
    return 1;
  }
  auto to_db = OpenDatabase(destination);
  if (!to_db) {
    std::cerr << "vantage migrate-data: destination: " << to_db.error().message << "\n";
    return 1;
  }
  auto copied = store::CopySqliteDatabase(**from_db, **to_db, [](const store::CopyProgress& p) {
    std::printf("copied %-24s %lld rows\n", p.table.c_str(), static_cast<long long>(p.rows));
    std::fflush(stdout);
  });
  (*from_db)->Close();
  (*to_db)->Close();
  if (!copied) {
    std::cerr << "vantage migrate-data: " << copied.error().message << "\n";
    return 1;
  }
  std::printf("vantage: instance copied; start the server with --db %s\n", to.c_str());
  return 0;
}

}  // namespace vantage::cli
