#!/usr/bin/env bash
# Fault campaign: a soak of OTA updates (default 1,000, alternating v2/v3, 256 KiB) to one virtual board, with the board's
# RSS sampled every 50 updates, on loopback inside a private network namespace. Prints tried / updated / crashed /
# unbootable / lost and RSS first / last / max. Usage: bench/soak.sh [UPDATES] [SIZE] [--cli]   (bounded: 20 min at most)
# --cli makes every update a whole `ameba-ota upload` process instead of replaying its captured bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/netns.sh; enter_netns "$0" "$@"
if ip -o link show | grep -v ': lo:' | grep -q .; then echo "error: this namespace has interfaces besides lo; the campaigns run on loopback only" >&2; exit 2; fi
exec timeout 1200 python3 bench/campaigns/soak.py "${1:-1000}" "${2:-256K}" "${3:-}"
