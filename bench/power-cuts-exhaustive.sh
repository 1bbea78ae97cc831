#!/usr/bin/env bash
# The exhaustive power-cut proof (MCUboot-style): every flash-writing sequence cut at every flash operation, untorn and
# torn, booted with the recovery pin low and high (tests/AmebaOta.Tests/PowerCuts). Prints one line per sequence:
# "N of M interrupted sequences unbootable". Runs the tests inside a private network namespace (the OTA sequences use the
# real receiver over TCP on loopback). Usage: bench/power-cuts-exhaustive.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${AMEBAOTA_IN_NETNS:-}" ]; then dotnet build tests/AmebaOta.Tests -c Release --verbosity quiet -nologo >/dev/null; fi
source bench/netns.sh; enter_netns "$0" "$@"
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
AMEBAOTA_POWER_CUT_SUMMARY="$summary" timeout 900 dotnet test tests/AmebaOta.Tests -c Release --no-build \
  --filter "FullyQualifiedName~AmebaOta.Tests.PowerCuts" --verbosity quiet -nologo >/dev/null
sort "$summary"
