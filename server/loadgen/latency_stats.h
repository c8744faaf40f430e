// KindStats: what a load run measured for one kind of request (a query of the
// mix, or ingest acknowledgements): latencies of the successful requests, as the
// client saw them and, for queries, as the server reported them, and the count of
// failed ones.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "server/loadgen/latency_histogram.h"

namespace tessera::loadgen {

struct KindStats {
  std::string name;
  LatencyHistogram latency;  // successful requests only, client wall time
  // Queries: the server's own time for each successful request (the `elapsed_us`
  // of its OK line, parse to end of execution), without network and client
  // costs. Empty for ingest acknowledgements.
  LatencyHistogram server_latency;
  uint64_t errors = 0;      // ERR replies, refused syncs, broken connections
  std::string first_error;  // the first error's text, for the report

  void add_error(const std::string& text) {
    if (errors++ == 0) first_error = text;
  }
  void merge(const KindStats& other) {
    latency.merge(other.latency);
    server_latency.merge(other.server_latency);
    if (errors == 0 && other.errors > 0) first_error = other.first_error;
    errors += other.errors;
  }
};

}  // namespace tessera::loadgen
