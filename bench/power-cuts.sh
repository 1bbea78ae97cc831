#!/usr/bin/env bash
# Fault campaign: random power cuts (the board's control socket `power-cut`) during OTA uploads of pre-signed images to a
# virtual board, on loopback inside a private network namespace. Prints tried / crashed / unbootable / half-written / lost.
# Usage: bench/power-cuts.sh [ROUNDS] [SEED] [--presigned-as-is]   (default 200 rounds, seed 1; bounded: about 10 min at most)
# --presigned-as-is sends the signed bytes as the stock upload_ota would, to show the flaw the host protects users from.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/netns.sh; enter_netns "$0" "$@"
if ip -o link show | grep -v ': lo:' | grep -q .; then echo "error: this namespace has interfaces besides lo; the campaigns run on loopback only" >&2; exit 2; fi
exec timeout 900 python3 bench/campaigns/power_cuts.py "${1:-200}" "${2:-1}" "${3:-}"
