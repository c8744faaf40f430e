// `tessera demo`: generates a small workload into a temporary directory, serves
// it in-process on ephemeral loopback ports, loads it over the ingest port (the
// same code as `tessera load`), and prints the SPEC's four dashboard queries.
#include <stdlib.h>

#include <cstdio>
#include <filesystem>

#include "bench/datagen/workload_generator.h"
#include "engine/engine.h"
#include "server/cli/cli_args.h"
#include "server/cli/commands.h"
#include "server/cli/table_printer.h"
#include "server/client/line_loader.h"
#include "server/client/query_client.h"
#include "server/protocol/value_format.h"
#include "server/server.h"

namespace tessera::server {
namespace {

constexpr const char* kHelp =
    "usage: tessera demo [--scale tiny|small] [--keep]\n"
    "Generates a workload (default: small), serves and loads it in-process, and\n"
    "prints the answers of the example dashboards. --keep leaves the temporary\n"
    "directory in place.\n";

int fail(const std::string& message) {
  std::fprintf(stderr, "tessera demo: %s\n", message.c_str());
  return 1;
}

std::string time_literal(int64_t ns) {
  std::string out = "'";
  append_timestamp(out, ns);
  return out + "'";
}

struct Dashboard {
  std::string title;
  std::string statement;
};

}  // namespace

int run_demo_command(const std::vector<std::string>& args) {
  auto parsed = parse_cli_args(args, {"--scale"}, {"--help", "--keep"});
  if (!parsed.is_ok()) return fail(parsed.error().message + "\n" + kHelp);
  if (parsed->has("--help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  datagen::GenOptions gen;
  auto scale = datagen::parse_scale(parsed->get("--scale").value_or("small"));
  if (!scale.is_ok()) return fail(scale.error().message);
  gen.scale = *scale;

  std::string pattern = (std::filesystem::temp_directory_path() / "tessera-demo-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return fail("cannot create a temporary directory");
  const std::filesystem::path root = pattern;
  struct Cleanup {
    std::filesystem::path root;
    bool keep;
    ~Cleanup() {
      std::error_code ec;
      if (!keep) std::filesystem::remove_all(root, ec);
    }
  } cleanup{root, parsed->has("--keep")};

  std::printf("Generating the workload in %s ...\n", root.string().c_str());
  auto report = datagen::generate_workload(gen, root / "workload");
  if (!report.is_ok()) return fail(report.error().message);

  engine::EngineOptions engine_options;
  engine_options.data_dir = root / "data";
  auto engine = engine::Engine::open(engine_options);
  if (!engine.is_ok()) return fail(engine.error().message);
  ServerOptions server_options;
  server_options.ingest_port = 0;
  server_options.query_port = 0;
  auto server = Server::start(**engine, server_options);
  if (!server.is_ok()) return fail(server.error().message);
  std::printf("%s\n", (*server)->listening_line().c_str());

  auto client = TcpClient::connect("127.0.0.1", (*server)->query_endpoint().port());
  if (!client.is_ok()) return fail(client.error().message);
  auto created = run_statement(**client,
                               "CREATE TABLE ad_snapshot (tenant TAG, entity_id TAG) "
                               "WITH (dedup = (tenant, entity_id, time))");
  if (!created.is_ok()) return fail(created.error().message);
  if (!created->is_ok) {
    return fail("CREATE TABLE ad_snapshot: " + created->error_code + " " + created->error_message);
  }

  LoadOptions load;
  load.port = (*server)->ingest_endpoint().port();
  load.err_out = stderr;
  std::vector<std::filesystem::path> files;
  for (const auto& table : report->tables) files.push_back(table.path);
  auto loaded = load_files(files, load);
  if (!loaded.is_ok()) return fail(loaded.error().message);
  std::printf("Loaded %llu files: %llu lines accepted, %llu rejected in %.2f s\n\n",
              static_cast<unsigned long long>(loaded->files),
              static_cast<unsigned long long>(loaded->accepted),
              static_cast<unsigned long long>(loaded->rejected), loaded->seconds);

  // The dashboards' now() is the end of the generated range.
  const int64_t day_ns = engine::kNanosPerDay;
  const std::string tenant = report->biggest_tenant;
  const std::string shop = report->biggest_shop;
  const std::vector<Dashboard> dashboards = {
      {"ROAS per day, last 30 days, tenant " + tenant,
       "SELECT sum(revenue) / sum(spend) AS roas FROM ad_snapshot WHERE tenant = '" + tenant +
           "' AND time >= " + time_literal(report->end_ns - 30 * day_ns) + " GROUP BY time(1d)"},
      {"CTR, CPC and CPM per provider, last 7 days, tenant " + tenant,
       "SELECT provider, sum(clicks) / sum(impressions) * 100 AS ctr_pct, sum(spend) / sum(clicks) "
       "AS cpc, sum(spend) / sum(impressions) * 1000 AS cpm FROM ad_snapshot WHERE tenant = '" +
           tenant + "' AND time >= " + time_literal(report->end_ns - 7 * day_ns) +
           " GROUP BY provider"},
      {"Support first-response time per day, shop " + shop,
       "SELECT median(first_response_minutes), percentile(first_response_minutes, 0.95), "
       "sla_pct(first_response_minutes, 120) FROM cx_conversation WHERE tenant = '" +
           shop + "' GROUP BY time(1d)"},
      {"AI try-on jobs per tenant",
       "SELECT count(*) AS total_jobs, 100.0 * count_if(status = 'completed') / "
       "count_if(status IN ('completed', 'failed', 'provider_expired')) AS success_rate_pct, "
       "percentile(lifecycle_seconds, 0.95) AS p95_lifecycle FROM tryon_job GROUP BY tenant"},
  };
  int exit_code = 0;
  for (const auto& dashboard : dashboards) {
    std::printf("== %s\n%s\n\n", dashboard.title.c_str(), dashboard.statement.c_str());
    auto reply = run_statement(**client, dashboard.statement);
    if (!reply.is_ok()) return fail(reply.error().message);
    if (!reply->is_ok) {
      std::printf("ERR %s %s\n\n", reply->error_code.c_str(), reply->error_message.c_str());
      exit_code = 1;
      continue;
    }
    std::printf("%s(%.1f ms)\n\n", format_table(reply->columns, reply->rows).c_str(),
                static_cast<double>(reply->elapsed_us) / 1000.0);
  }
  client->reset();
  (*server)->stop();
  (*server)->wait();
  server->reset();
  Status flushed = (*engine)->flush();
  if (!flushed.is_ok()) return fail("flush: " + flushed.message());
  return exit_code;
}

}  // namespace tessera::server
