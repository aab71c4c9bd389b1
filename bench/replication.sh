#!/usr/bin/env bash
# Replication batched per destination node, A/B (RESULTS: "Data path v2, lever 3"): bench/ab.sh replication.
#
#   bash bench/replication.sh [ROUNDS (default 2)]
exec bash "$(dirname "$0")/ab.sh" replication "$@"
