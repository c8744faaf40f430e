// `tessera gen`: writes the example workloads as line-protocol files.
#include <algorithm>
#include <cstdio>

#include "bench/datagen/workload_generator.h"
#include "server/cli/cli_args.h"
#include "server/cli/commands.h"

namespace tessera::server {
namespace {

constexpr const char* kHelp =
    "usage: tessera gen [--scale tiny|small|medium|large] [--seed N] [--start YYYY-MM-DD]\n"
    "                   [--days N] [--entities N] [--tenants N] [--shops N] [--tables a,b]\n"
    "                   --out DIR\n"
    "Writes the example workloads (one <table>.lp file per table), deterministically.\n"
    "--days, --entities, --tenants and --shops override the scale's preset.\n";

int fail(const std::string& message) {
  std::fprintf(stderr, "tessera gen: %s\n", message.c_str());
  return 2;
}

}  // namespace

int run_gen_command(const std::vector<std::string>& args) {
  auto parsed = parse_cli_args(args,
                               {"--scale", "--seed", "--out", "--start", "--days", "--entities",
                                "--tenants", "--shops", "--tables"},
                               {"--help"});
  if (!parsed.is_ok()) return fail(parsed.error().message + "\n" + kHelp);
  if (parsed->has("--help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (!parsed->positional.empty())
    return fail("unexpected argument \"" + parsed->positional[0] + "\"");
  auto out = parsed->get("--out");
  if (!out) return fail(std::string("--out DIR is required\n") + kHelp);
  datagen::GenOptions options;
  auto scale = datagen::parse_scale(parsed->get("--scale").value_or("tiny"));
  if (!scale.is_ok()) return fail(scale.error().message);
  options.scale = *scale;
  auto seed = parsed->number("--seed", options.seed);
  if (!seed.is_ok()) return fail(seed.error().message);
  options.seed = *seed;
  if (auto start = parsed->get("--start")) options.start_date = *start;
  struct Override {
    const char* flag;
    std::optional<int>* target;
  };
  for (Override o :
       {Override{"--days", &options.days}, Override{"--entities", &options.entities},
        Override{"--tenants", &options.tenants}, Override{"--shops", &options.shops}}) {
    if (!parsed->get(o.flag)) continue;
    auto value = parsed->number(o.flag, 0);
    if (!value.is_ok()) return fail(value.error().message);
    if (*value > 1'000'000'000) return fail(std::string(o.flag) + ": value too large");
    *o.target = static_cast<int>(*value);
  }
  if (auto tables = parsed->get("--tables")) {
    size_t start = 0;
    while (start <= tables->size()) {
      size_t comma = std::min(tables->find(',', start), tables->size());
      options.tables.push_back(tables->substr(start, comma - start));
      start = comma + 1;
    }
  }
  auto report = datagen::generate_workload(options, *out);
  if (!report.is_ok()) return fail(report.error().message);
  for (const auto& table : report->tables) {
    std::printf("%-22s %10llu rows %12llu bytes  %s\n", table.table.c_str(),
                static_cast<unsigned long long>(table.rows),
                static_cast<unsigned long long>(table.bytes), table.path.string().c_str());
  }
  return 0;
}

}  // namespace tessera::server
