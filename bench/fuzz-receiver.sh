#!/usr/bin/env bash
# Fault campaign: hostile TCP sessions against a virtual board's OTA receiver (garbage and short headers, lying and huge
# lengths, bad checksums, trailing bytes, slowloris, half-open, RST at random points, floods), on loopback inside a private
# network namespace. After each session the board is reset and must boot and listen again.
# Usage: bench/fuzz-receiver.sh [SESSIONS] [SEED]   (default 300 sessions, seed 1; bounded: 15 min at most)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/netns.sh; enter_netns "$0" "$@"
if ip -o link show | grep -v ': lo:' | grep -q .; then echo "error: this namespace has interfaces besides lo; the campaigns run on loopback only" >&2; exit 2; fi
exec timeout 900 python3 bench/campaigns/fuzz_receiver.py "${1:-300}" "${2:-1}"
