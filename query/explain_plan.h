// EXPLAIN rendering: turns a bound SELECT and what its scan did into the `plan`
// column of an EXPLAIN reply (docs/protocol/query.md, "EXPLAIN").
//
// Tenant isolation: blocks hold the rows of many tenants, so block counts and
// "rows scanned" of a tenant-scoped scan depend on other tenants' data. For a
// tenant-scoped reader they are left out; every line that remains (table, mode,
// grouping, pruning predicates, rows matched, groups, result rows) is derived
// from the statement, the reader's own tenant and its own rows only, so the plan
// is the same whether or not other tenants have data (docs/security.md).
#pragma once

#include <cstddef>
#include <string>

#include "query/binder.h"
#include "query/select_executor.h"
#include "query/value.h"

namespace tessera::query {

// `result_rows`: rows the SELECT returned. `is_tenant_scoped`: the scan kept only
// one tenant's rows (a reader); then scan counts that include other tenants' rows
// are replaced by one line "scan counts: hidden for a tenant-scoped reader".
ResultSet render_explain(const std::string& table, const BoundSelect& plan, const ScanStats& stats,
                         size_t result_rows, bool is_tenant_scoped);

}  // namespace tessera::query
