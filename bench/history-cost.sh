#!/usr/bin/env bash
# The history's cost per recorded update (an upload's start and its end, two transactions, as every command records them),
# SQLite file vs PostgreSQL (Debian's, a throwaway cluster on its unix socket, fsync off; the test's own cluster): ROUNDS
# runs of tests/AmebaOta.Tests/Database/HistoryCostFigures.cs (300 updates, one writer, per engine), inside a private
# network namespace (loopback only). Prints each run's figures with the load average before it.
# Usage: bench/history-cost.sh [ROUNDS]   (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
[ -n "${AMEBAOTA_IN_NETNS:-}" ] || dotnet build tests/AmebaOta.Tests -c Release --verbosity quiet -nologo >/dev/null
source bench/netns.sh
AMEBAOTA_CLI=${AMEBAOTA_CLI:-tests} enter_netns "$0" "$@"   # the test build above built the CLI too
rounds=${1:-3}
echo "$(nproc) cores"
for round in $(seq "$rounds"); do
  echo "run $round (load average $(cut -d' ' -f1-3 /proc/loadavg)):"
  dotnet test tests/AmebaOta.Tests -c Release --no-build --filter "FullyQualifiedName~HistoryCostFigures" --logger "console;verbosity=normal" \
    | sed -n 's/^ *\[figure\] /  /p'
done
