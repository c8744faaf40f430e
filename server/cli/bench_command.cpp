// `tessera bench`: the load generator. Drives a running server (or the
// built-in sink, --ceiling) with ingest connections and dashboard clients and
// reports per-kind latency percentiles (docs/performance.md).
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <fstream>
#include <memory>

#include "bench/datagen/workload_generator.h"
#include "server/cli/cli_args.h"
#include "server/cli/commands.h"
#include "server/loadgen/bench_runner.h"
#include "server/loadgen/sink_server.h"
#include "server/loadgen/workload_manifest.h"

namespace tessera::server {
namespace {

using namespace tessera::loadgen;

constexpr const char* kHelp =
    "usage: tessera bench [--ingest HOST:PORT] [--query HOST:PORT] [--token T] [options]\n"
    "Drives a running server and reports count, rate and p50/p95/p99/max latency per\n"
    "query kind and for ingest acknowledgements.\n"
    "ingest:    --data DIR (its *.lp files; default: a tiny generated workload)\n"
    "           --ingest-conns N (1)  --rate ROWS_PER_S (0 = as fast as possible)\n"
    "           --sync-every K (10000)  --loop (start the files over when sent, each\n"
    "           pass's timestamps moved forward by the files' time span in whole days,\n"
    "           so every pass appends new rows)  --loop-restate (start over with the\n"
    "           files' own timestamps: every later pass restates stored rows)\n"
    "           --after-loaded (the server already holds the files: shift the first\n"
    "           pass too)\n"
    "dashboard: --clients M (4)  --think-ms MS (0)  --mix peers|spec|all (all)\n"
    "           --only Q1,Q8s  --now YYYY-MM-DD (default: the data's manifest.json,\n"
    "           else PEERS.md's 2025-02-15)  --manifest FILE\n"
    "run:       --duration 30s  --warmup 0s  --json FILE\n"
    "           --runs R [--warmups W] (PEERS method: one client, each kind W times\n"
    "           unrecorded then R times, sequentially; no ingest)\n"
    "           --ceiling (drive the built-in sink that answers instantly, to\n"
    "           measure the tool itself; both sides unless --ingest/--query given)\n"
    "Exit 1 if any request failed.\n";

int fail(const std::string& message) {
  std::fprintf(stderr, "tessera bench: %s\n", message.c_str());
  return 2;
}

// "30s", "500ms", "2m", or a plain number of seconds.
Result<std::chrono::milliseconds> parse_duration(const std::string& flag, const std::string& text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  const std::string unit(end, text.data() + text.size());
  const uint64_t kMaxMs = uint64_t{7} * 24 * 3600 * 1000;
  uint64_t ms = 0;
  bool ok = ec == std::errc() && end != text.data() && value <= kMaxMs;
  if (ok && (unit.empty() || unit == "s")) {
    ms = value * 1000;
  } else if (ok && unit == "ms") {
    ms = value;
  } else if (ok && unit == "m") {
    ms = value * 60'000;
  } else {
    ok = false;
  }
  if (!ok || ms > kMaxMs) {
    return make_error(ErrorCode::kInvalidInput,
                      flag +
                          ": expected a duration like 30s, 500ms or 2m (at most 7 days), got \"" +
                          text + "\"");
  }
  return std::chrono::milliseconds(ms);
}

Result<std::pair<std::string, uint16_t>> parse_endpoint(const std::string& flag,
                                                        const std::string& text) {
  const size_t colon = text.rfind(':');
  uint32_t port = 0;
  if (colon != std::string::npos && colon > 0) {
    const char* first = text.data() + colon + 1;
    const char* last = text.data() + text.size();
    auto [end, ec] = std::from_chars(first, last, port);
    if (ec == std::errc() && end == last && first != last && port <= 65535) {
      return std::make_pair(text.substr(0, colon), static_cast<uint16_t>(port));
    }
  }
  return make_error(ErrorCode::kInvalidInput, flag + ": expected HOST:PORT, got \"" + text + "\"");
}

Result<std::vector<std::filesystem::path>> data_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".lp") files.push_back(entry.path());
  }
  if (ec) return make_error(ErrorCode::kIoError, "--data " + dir.string() + ": " + ec.message());
  if (files.empty()) {
    return make_error(ErrorCode::kInvalidInput, "--data " + dir.string() + ": no .lp files");
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Removes the generated workload when the command ends.
struct TempDir {
  std::filesystem::path path;
  ~TempDir() {
    std::error_code ignored;
    if (!path.empty()) std::filesystem::remove_all(path, ignored);
  }
};

}  // namespace

int run_bench_command(const std::vector<std::string>& args) {
  auto parsed =
      parse_cli_args(args,
                     {"--ingest", "--query", "--token", "--ingest-conns", "--data", "--rate",
                      "--sync-every", "--clients", "--think-ms", "--now", "--mix", "--only",
                      "--duration", "--warmup", "--json", "--runs", "--warmups", "--manifest"},
                     {"--help", "--loop", "--loop-restate", "--after-loaded", "--ceiling"});
  if (!parsed.is_ok()) return fail(parsed.error().message + "\n" + kHelp);
  const CliArgs& a = *parsed;
  if (a.has("--help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!a.positional.empty()) return fail("unexpected argument \"" + a.positional[0] + "\"");
  BenchResult result;
  for (const auto& [flag, value] : a.values) {
    if (flag != "--token") result.settings.emplace_back(flag.substr(2), value);
  }
  for (const auto& flag : a.switches) result.settings.emplace_back(flag.substr(2), "true");

  // Endpoints: the real server, or the built-in sink.
  std::optional<std::pair<std::string, uint16_t>> ingest_at, query_at;
  if (auto v = a.get("--ingest")) {
    auto e = parse_endpoint("--ingest", *v);
    if (!e.is_ok()) return fail(e.error().message);
    ingest_at = *e;
  }
  if (auto v = a.get("--query")) {
    auto e = parse_endpoint("--query", *v);
    if (!e.is_ok()) return fail(e.error().message);
    query_at = *e;
  }
  std::unique_ptr<SinkServer> sink;
  if (a.has("--ceiling")) {
    if (!ingest_at && !query_at) {
      ingest_at = std::make_pair(std::string("127.0.0.1"), uint16_t{0});
      query_at = ingest_at;
    }
    auto started = SinkServer::start(0, 0);
    if (!started.is_ok()) return fail(started.error().message);
    sink = std::move(*started);
    if (ingest_at) ingest_at = std::make_pair(std::string("127.0.0.1"), sink->ingest_port());
    if (query_at) query_at = std::make_pair(std::string("127.0.0.1"), sink->query_port());
  }
  if (!ingest_at && !query_at) return fail(std::string("give --ingest and/or --query\n") + kHelp);

  // Numbers.
  auto number = [&](const char* flag, uint64_t fallback, uint64_t max) -> Result<uint64_t> {
    auto v = a.number(flag, fallback);
    if (!v.is_ok()) return v;
    if (*v > max) {
      return make_error(ErrorCode::kInvalidInput,
                        std::string(flag) + ": at most " + std::to_string(max));
    }
    return v;
  };
  auto ingest_conns = number("--ingest-conns", 1, kMaxIngestConnections);
  auto rate = number("--rate", 0, uint64_t{1} << 40);
  auto sync_every = number("--sync-every", 10'000, 10'000'000);
  auto clients = number("--clients", 4, kMaxDashboardClients);
  auto think_ms = number("--think-ms", 0, 3'600'000);
  auto runs = number("--runs", 0, 1'000'000);
  auto warmups = number("--warmups", 3, 1'000'000);
  for (const auto* r : {&ingest_conns, &rate, &sync_every, &clients, &think_ms, &runs, &warmups}) {
    if (!r->is_ok()) return fail(r->error().message);
  }
  if (*sync_every == 0) return fail("--sync-every must be at least 1");
  if (*ingest_conns == 0) return fail("--ingest-conns must be at least 1");
  if (*clients == 0) return fail("--clients must be at least 1");
  auto duration = parse_duration("--duration", a.get("--duration").value_or("30s"));
  if (!duration.is_ok()) return fail(duration.error().message);
  auto warmup = parse_duration("--warmup", a.get("--warmup").value_or("0s"));
  if (!warmup.is_ok()) return fail(warmup.error().message);

  // Data: the given directory, or a tiny workload generated now.
  TempDir generated;
  std::vector<std::filesystem::path> files;
  std::optional<std::filesystem::path> manifest;
  if (auto m = a.get("--manifest")) manifest = *m;
  if (auto dir = a.get("--data")) {
    auto found = data_files(*dir);
    if (!found.is_ok()) return fail(found.error().message);
    files = std::move(*found);
    if (!manifest && std::filesystem::exists(std::filesystem::path(*dir) / "manifest.json")) {
      manifest = std::filesystem::path(*dir) / "manifest.json";
    }
  } else if (ingest_at) {
    generated.path =
        std::filesystem::temp_directory_path() / ("tessera-bench-" + std::to_string(::getpid()));
    datagen::GenOptions gen;
    gen.scale = datagen::Scale::kTiny;
    auto report = datagen::generate_workload(gen, generated.path);
    if (!report.is_ok()) return fail("generating data: " + report.error().message);
    for (const auto& t : report->tables) files.push_back(t.path);
    std::fprintf(stderr, "tessera bench: no --data: generated a tiny workload in %s\n",
                 generated.path.c_str());
    if (!manifest) manifest = generated.path / "manifest.json";
  }

  // The query mix.
  QueryMixParams params;
  if (manifest) {
    Status applied = apply_manifest(*manifest, params);
    if (!applied.is_ok()) return fail(applied.message());
  }
  if (auto now = a.get("--now")) {
    auto day = parse_now_day(*now);
    if (!day.is_ok()) return fail(day.error().message);
    params.now_day = *day;
  }
  auto mix = parse_mix_set(a.get("--mix").value_or("all"));
  if (!mix.is_ok()) return fail(mix.error().message);
  std::vector<QueryKind> kinds = build_query_mix(params, *mix);
  if (auto only = a.get("--only")) {
    auto selected = select_query_kinds(std::move(kinds), *only);
    if (!selected.is_ok()) return fail(selected.error().message);
    kinds = std::move(*selected);
  }

  const std::optional<std::string> token = a.get("--token");
  DashboardOptions dashboard;
  if (query_at) {
    dashboard.host = query_at->first;
    dashboard.port = query_at->second;
    dashboard.token = token;
    dashboard.clients = static_cast<uint32_t>(*clients);
    dashboard.think = std::chrono::milliseconds(*think_ms);
  }

  Result<BenchResult> ran = make_error(ErrorCode::kInternal, "not run");
  if (*runs > 0) {
    if (!query_at) return fail("--runs needs --query");
    if (ingest_at && !a.has("--ceiling"))
      return fail("--runs measures queries only; drop --ingest");
    ran = run_fixed_count(dashboard, kinds, static_cast<uint32_t>(*runs),
                          static_cast<uint32_t>(*warmups));
  } else {
    BenchOptions options;
    if (ingest_at) {
      IngestOptions ingest;
      ingest.host = ingest_at->first;
      ingest.port = ingest_at->second;
      ingest.token = token;
      ingest.connections = static_cast<uint32_t>(*ingest_conns);
      ingest.sync_every_rows = *sync_every;
      ingest.rate_rows_per_s = static_cast<double>(*rate);
      options.ingest = ingest;
      options.files = files;
      options.loop_data = a.has("--loop") || a.has("--loop-restate");
      if (a.has("--loop") && a.has("--loop-restate")) {
        return fail("give --loop or --loop-restate, not both");
      }
      if (a.has("--after-loaded") && a.has("--loop-restate")) {
        return fail("--after-loaded shifts the first pass; --loop-restate never shifts");
      }
      // Production agents push new snapshots, restating ~0.5% of rows: shifted
      // passes model that; --loop-restate is the worst case for a dedup table.
      if (a.has("--loop") || a.has("--after-loaded")) {
        auto span = files_time_span_ns(files);
        if (!span.is_ok()) return fail(span.error().message);
        options.pass_shift.span_ns = *span;
        options.pass_shift.first_pass = a.has("--after-loaded") ? 1 : 0;
        std::fprintf(stderr,
                     "tessera bench: each pass moves the timestamps forward by %lld days%s\n",
                     static_cast<long long>(*span / kNanosPerDay),
                     a.has("--after-loaded") ? ", the first pass already" : "");
      }
    }
    if (query_at) options.dashboard = dashboard;
    options.kinds = kinds;
    options.duration = *duration;
    options.warmup = *warmup;
    options.progress = stderr;
    ran = run_bench(options);
  }
  if (!ran.is_ok()) return fail(ran.error().message);
  ran->settings = std::move(result.settings);
  std::fputs(format_table(*ran).c_str(), stdout);
  if (auto json = a.get("--json")) {
    std::ofstream out(*json, std::ios::binary | std::ios::trunc);
    out << format_json(*ran);
    if (!out) return fail("cannot write " + *json);
  }
  uint64_t errors = ran->ingest_acks ? ran->ingest_acks->errors : 0;
  for (const auto& k : ran->queries) errors += k.errors;
  return errors > 0 ? 1 : 0;
}

}  // namespace tessera::server
