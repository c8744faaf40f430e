// Principal: who a connection is, once authenticated, and what that allows.
// Roles (SPEC "Security"): admin reads everything and runs DDL; service reads and
// writes everything; writer only writes (with a tenant, only that tenant's rows);
// reader only reads its tenant's rows.
#pragma once

#include <optional>
#include <string>

#include "query/query_context.h"

namespace tessera::server {

struct Principal {
  query::Role role = query::Role::kAdmin;
  std::optional<std::string> tenant;

  bool operator==(const Principal&) const = default;
};

// What a connection is without a tokens file: full access on loopback only.
inline Principal open_access_query_principal() { return {query::Role::kAdmin, std::nullopt}; }
inline Principal open_access_ingest_principal() { return {query::Role::kService, std::nullopt}; }

// True for roles that may send data lines on the ingest port (service, writer).
bool can_ingest(const Principal& principal);

// The tenant every ingested line must carry, or nullopt for unscoped writers.
std::optional<std::string> ingest_tenant_scope(const Principal& principal);

// Role and tenant for query::run_query; limits and now_ns are the session's.
void apply_to_context(const Principal& principal, query::QueryContext& context);

// "admin", "service", "writer", "reader".
const char* role_name(query::Role role);

}  // namespace tessera::server
