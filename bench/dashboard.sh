#!/usr/bin/env bash
# The dashboard's figures (BENCHMARKS.md): a `device farm` of N boards (default 500, typical flash timing, a control
# socket) and `ameba-ota dashboard --attach` to it, with headless Chromium (Debian's /usr/bin/chromium, driven by
# Playwright) on the page, all inside a private network namespace. Prints: page load time with N boards listed, the
# dashboard's memory, the table's first paint, how fast the filter box answers, the page's memory (JS heap, DOM nodes), the
# time from a board's mDNS announcement to the page counting it, and, while the boards named MyAmeba-0… (99 of 500; M = 0:
# none) update at once, the page's frame gaps, the filter mid-run, and the dashboard's peak memory.
# Usage: bench/dashboard.sh [N [M]]     Screenshots go to artifacts/dashboard-figures/.
set -euo pipefail
cd "$(dirname "$0")/.."
boards=${1:-500}
updating=${2:-100}
[ -x /usr/bin/chromium ] || { echo "error: /usr/bin/chromium is missing (apt-get install chromium)" >&2; exit 2; }
dotnet build tests/AmebaOta.Tests -c Release --verbosity quiet -nologo >/dev/null
shots="$(pwd)/artifacts/dashboard-figures"
mkdir -p "$shots"
AMEBAOTA_DASHBOARD_FIGURES=1 AMEBAOTA_DASHBOARD_BOARDS=$boards AMEBAOTA_DASHBOARD_UPDATING=$updating AMEBAOTA_SCREENSHOTS=$shots \
  "${AMEBAOTA_NETNS_RUN:-$(pwd)/scripts/netns-run}" dotnet test tests/AmebaOta.Tests -c Release --no-build \
  --filter "FullyQualifiedName~DashboardFigures" --logger "console;verbosity=detailed" 2>&1 \
  | sed -n 's/^ \{1,\}\(farm of\|all [0-9]* boards online\|dashboard memory\|page load\|filter with\|page memory\|mDNS announcement\|[0-9]* boards updating\|page frame gaps\)/\1/p'
echo "screenshots: $shots"
