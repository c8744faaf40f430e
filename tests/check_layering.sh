#!/usr/bin/env bash
# Fails when a layer includes a layer above it (STYLE.md §1):
# server -> query -> engine -> storage; bench/datagen is standalone.
cd "$(dirname "$0")/.."
bad=$(grep -rnE '#include "(engine|query|server)/' storage/ ;
      grep -rnE '#include "(query|server)/' engine/ ;
      grep -rnE '#include "server/' query/ ;
      grep -rnE '#include "(engine|query|server)/' bench/datagen/)
if [ -n "$bad" ]; then
  echo "layering violation:"; echo "$bad"; exit 1
fi
echo "layering ok"
