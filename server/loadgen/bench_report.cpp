#include "server/loadgen/bench_report.h"

#include <algorithm>
#include <cstdio>

namespace tessera::loadgen {
namespace {

double ms(uint64_t ns) { return static_cast<double>(ns) / 1e6; }

std::string fixed(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

// Three significant digits or more, so 0.0421 ms and 1828 ms both read well.
std::string ms_text(uint64_t ns) {
  const double v = ms(ns);
  return fixed(v, v >= 100 ? 1 : v >= 10 ? 2 : 3);
}

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string json_number(double v) { return fixed(v, 6); }

// `with_server`: queries, which also report the server's own time.
std::string json_kind(const KindStats& k, double seconds, bool with_server) {
  const auto& h = k.latency;
  const auto& srv = k.server_latency;
  const std::string server_fields =
      with_server ? ", \"server_p50_ms\": " + json_number(ms(srv.percentile_ns(0.50))) +
                        ", \"server_p95_ms\": " + json_number(ms(srv.percentile_ns(0.95))) +
                        ", \"server_p99_ms\": " + json_number(ms(srv.percentile_ns(0.99))) +
                        ", \"server_max_ms\": " + json_number(ms(srv.max_ns()))
                  : "";
  const double per_s = seconds > 0 ? static_cast<double>(h.count()) / seconds : 0;
  return "{\"name\": " + json_string(k.name) + ", \"count\": " + std::to_string(h.count()) +
         ", \"errors\": " + std::to_string(k.errors) + ", \"per_s\": " + json_number(per_s) +
         ", \"p50_ms\": " + json_number(ms(h.percentile_ns(0.50))) +
         ", \"p95_ms\": " + json_number(ms(h.percentile_ns(0.95))) +
         ", \"p99_ms\": " + json_number(ms(h.percentile_ns(0.99))) +
         ", \"max_ms\": " + json_number(ms(h.max_ns())) +
         ", \"mean_ms\": " + json_number(h.mean_ns() / 1e6) + server_fields +
         ", \"first_error\": " + (k.errors ? json_string(k.first_error) : "null") + "}";
}

std::vector<std::string> table_row(const KindStats& k, double seconds, bool with_server) {
  const auto& h = k.latency;
  const double per_s = seconds > 0 ? static_cast<double>(h.count()) / seconds : 0;
  std::vector<std::string> row = {k.name,
                                  std::to_string(h.count()),
                                  std::to_string(k.errors),
                                  fixed(per_s, per_s >= 100 ? 0 : 1),
                                  ms_text(h.percentile_ns(0.50)),
                                  ms_text(h.percentile_ns(0.95)),
                                  ms_text(h.percentile_ns(0.99)),
                                  ms_text(h.max_ns())};
  if (with_server) {
    row.push_back(ms_text(k.server_latency.percentile_ns(0.50)));
    row.push_back(ms_text(k.server_latency.percentile_ns(0.95)));
  }
  return row;
}

std::string align(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()), 0);
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      const std::string pad(width[i] - row[i].size(), ' ');
      if (i == 0) {
        out += row[i] + pad;  // names left-aligned, numbers right-aligned
      } else {
        out += "  " + pad + row[i];
      }
    }
    out += '\n';
  }
  return out;
}

}  // namespace

std::string format_table(const BenchResult& result) {
  std::string out;
  const std::vector<std::string> header = {"kind",   "count",  "errors", "per_s",
                                           "p50_ms", "p95_ms", "p99_ms", "max_ms"};
  if (!result.queries.empty()) {
    std::vector<std::string> query_header = header;
    query_header.push_back("srv_p50_ms");
    query_header.push_back("srv_p95_ms");
    std::vector<std::vector<std::string>> rows = {query_header};
    KindStats all{"all queries", {}, {}, 0, {}};
    for (const auto& k : result.queries) {
      rows.push_back(table_row(k, result.seconds, true));
      all.merge(k);
    }
    rows.push_back(table_row(all, result.seconds, true));
    out += align(rows);
    for (const auto& k : result.queries) {
      if (k.errors) out += "  " + k.name + " first error: " + k.first_error + "\n";
    }
  }
  if (result.ingest_acks) {
    const double rate = result.ingest_seconds > 0
                            ? static_cast<double>(result.ingest_rows) / result.ingest_seconds
                            : 0;
    if (!out.empty()) out += '\n';
    out += "ingest: " + std::to_string(result.ingest_rows) + " rows acknowledged, " +
           std::to_string(result.ingest_rejected) + " rejected in " +
           fixed(result.ingest_seconds, 2) + " s, " + fixed(rate, 0) + " rows/s\n";
    out += align({header, table_row(*result.ingest_acks, result.seconds, false)});
    if (result.ingest_acks->errors) {
      out += "  ingest first error: " + result.ingest_acks->first_error + "\n";
    }
  }
  out += "measured " + fixed(result.seconds, 2) + " s (" + result.mode + ")\n";
  return out;
}

std::string format_json(const BenchResult& result) {
  std::string out = "{\"mode\": " + json_string(result.mode) +
                    ", \"seconds\": " + json_number(result.seconds) + ", \"settings\": {";
  for (size_t i = 0; i < result.settings.size(); ++i) {
    if (i) out += ", ";
    out += json_string(result.settings[i].first) + ": " + json_string(result.settings[i].second);
  }
  out += "}, \"queries\": [";
  for (size_t i = 0; i < result.queries.size(); ++i) {
    if (i) out += ", ";
    out += json_kind(result.queries[i], result.seconds, true);
  }
  out += "], \"ingest\": ";
  if (result.ingest_acks) {
    const double rate = result.ingest_seconds > 0
                            ? static_cast<double>(result.ingest_rows) / result.ingest_seconds
                            : 0;
    out += "{\"rows\": " + std::to_string(result.ingest_rows) +
           ", \"rejected\": " + std::to_string(result.ingest_rejected) +
           ", \"seconds\": " + json_number(result.ingest_seconds) +
           ", \"rows_per_s\": " + json_number(rate) +
           ", \"acks\": " + json_kind(*result.ingest_acks, result.seconds, false) + "}";
  } else {
    out += "null";
  }
  return out + "}\n";
}

}  // namespace tessera::loadgen
