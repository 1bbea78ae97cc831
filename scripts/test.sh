#!/usr/bin/env bash
# The README's test command. Restores and builds (outside the namespace: the restore may need the NuGet registry),
# then runs every test inside a private network namespace that has only loopback (scripts/netns-run), so nothing
# networked can leave the machine.  Options: --results DIR  write TRX files there;  anything else goes to dotnet test.
set -euo pipefail
cd "$(dirname "$0")/.."
results=""
if [ "${1:-}" = "--results" ]; then results="$2"; shift 2; fi
netns="${AMEBAOTA_NETNS_RUN:-$(pwd)/scripts/netns-run}"
command -v dotnet >/dev/null || { echo "test.sh: 'dotnet' is not on the PATH: install the .NET 10 SDK (https://dot.net)" >&2; exit 127; }
dotnet restore AmebaOta.slnx --verbosity quiet
dotnet build AmebaOta.slnx -c Release --no-restore --verbosity quiet -nologo
args=(test AmebaOta.slnx -c Release --no-build --no-restore)
[ -n "$results" ] && args+=(--logger "trx" --results-directory "$results")
exec "$netns" dotnet "${args[@]}" "$@"
