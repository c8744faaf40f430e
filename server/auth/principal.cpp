#include "server/auth/principal.h"

namespace tessera::server {

bool can_ingest(const Principal& principal) {
  return principal.role == query::Role::kService || principal.role == query::Role::kWriter;
}

std::optional<std::string> ingest_tenant_scope(const Principal& principal) {
  return principal.role == query::Role::kWriter ? principal.tenant : std::nullopt;
}

void apply_to_context(const Principal& principal, query::QueryContext& context) {
  context.role = principal.role;
  context.tenant = principal.tenant;
}

const char* role_name(query::Role role) {
  switch (role) {
    case query::Role::kAdmin:
      return "admin";
    case query::Role::kService:
      return "service";
    case query::Role::kWriter:
      return "writer";
    case query::Role::kReader:
      return "reader";
  }
  return "unknown";
}

}  // namespace tessera::server
