#!/usr/bin/env bash
# The property-based tests of the parsers (image files, flash files, the OTA header, sketch descriptors) at a nightly
# size: CASES per property (default 100000; the normal suite runs 1500). Offline: no network, no namespace needed.
# Usage: bench/properties.sh [CASES]
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build tests/AmebaOta.Tests -c Release --verbosity quiet -nologo >/dev/null
start=$(date +%s)
AMEBAOTA_PROPERTY_CASES="${1:-100000}" timeout 3600 dotnet test tests/AmebaOta.Tests -c Release --no-build \
  --filter "FullyQualifiedName~AmebaOta.Tests.Properties" --logger "console;verbosity=normal" -nologo \
  | grep -E "^\s+(Passed|Failed) |Falsifiable|Total tests|Passed:|Failed:"
echo "properties: ${1:-100000} cases each, $(( $(date +%s) - start )) s"
