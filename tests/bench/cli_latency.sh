#!/usr/bin/env bash
# Remote-execution numbers (issue 3): median wall time of `brine '*' test.ping`
# with 1 and 3 minions, `brine --version` start-up, `brine-call --local
# test.ping`, and minion RSS idle vs after 1,000 jobs. Starts its own master and
# minions on 127.0.0.1 under a scratch root_dir; prints one JSON line.
# Usage: tests/bench/cli_latency.sh [BUILD_DIR] [RUNS] [zeromq|tcp]
#   the third argument is Salt's `transport` for the master and the minions
set -euo pipefail
BUILD="${1:-$(cd "$(dirname "$0")/../.." && pwd)/build}"
RUNS="${2:-50}"
TRANSPORT="${3:-zeromq}"
BIN="$BUILD/bin"
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"
mkdir -p "$DIR/m/conf"
printf 'root_dir: %s\ninterface: 127.0.0.1\npublish_port: %s\nret_port: %s\nauto_accept: True\ntransport: %s\n' \
  "$DIR/m" "$PUB" "$RET" "$TRANSPORT" >"$DIR/m/conf/master"
"$BIN/brine-master" -c "$DIR/m/conf" & PIDS+=($!)
sleep 0.5
start_minion() {
  mkdir -p "$DIR/$1/conf"
  printf 'id: %s\nroot_dir: %s\nmaster: 127.0.0.1\nmaster_port: %s\nlog_file: %s\nlog_level_logfile: info\ntransport: %s\n' \
    "$1" "$DIR/$1" "$RET" "$DIR/$1/minion.log" "$TRANSPORT" >"$DIR/$1/conf/minion"
  "$BIN/brine-minion" -c "$DIR/$1/conf" & PIDS+=($!)
  for _ in $(seq 1 200); do grep -q "authenticated with the master" "$DIR/$1/minion.log" 2>/dev/null && break; sleep 0.05; done
}
# median_ms CMD...: median wall time of RUNS runs, in ms with two decimals.
median_ms() {
  local t=()
  for _ in $(seq 1 "$RUNS"); do
    local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); t+=($(( (e - s) / 1000 )))
  done
  printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)]/1000}'
}
C=(-c "$DIR/m/conf")
start_minion bench1
sleep 1
# Warm up (first publication waits for the SUB join).
"$BIN/brine" "${C[@]}" '*' test.ping >/dev/null || true
P1=$(median_ms "$BIN/brine" "${C[@]}" '*' test.ping)
start_minion bench2; start_minion bench3
sleep 1
"$BIN/brine" "${C[@]}" '*' test.ping >/dev/null || true
P3=$(median_ms "$BIN/brine" "${C[@]}" '*' test.ping)
VERSION=$(median_ms "$BIN/brine" --version)
CALL=$(median_ms "$BIN/brine-call" -c "$DIR/bench1/conf" --local test.ping)
MPID=$(pgrep -f "brine-minion -c $DIR/bench1/conf")
IDLE=$(awk '/VmRSS/ {print $2}' "/proc/$MPID/status")
for _ in $(seq 1 1000); do "$BIN/brine" "${C[@]}" bench1 test.ping >/dev/null; done
sleep 1
AFTER=$(awk '/VmRSS/ {print $2}' "/proc/$MPID/status")
MASTER_RSS=$(awk '/VmRSS/ {print $2}' "/proc/${PIDS[0]}/status")
printf '{"ping_1_minion_p50_ms": %s, "ping_3_minions_p50_ms": %s, "brine_version_p50_ms": %s, "brine_call_local_ping_p50_ms": %s, "minion_rss_idle_kb": %s, "minion_rss_after_1000_jobs_kb": %s, "master_rss_after_1000_jobs_kb": %s, "transport": "%s"}\n' \
  "$P1" "$P3" "$VERSION" "$CALL" "$IDLE" "$AFTER" "$MASTER_RSS" "$TRANSPORT"
