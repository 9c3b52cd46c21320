#!/usr/bin/env bash
# Foundation numbers (issue 2): idle RSS of brine-master and brine-minion, time
# from `brine-key -a` to the minion being authenticated, and wall time of
# `brine-key -L`. Starts its own master and minion on 127.0.0.1 under a scratch
# root_dir; prints one JSON line. Usage: tests/bench/foundation.sh [BUILD_DIR]
set -euo pipefail
BUILD="${1:-$(cd "$(dirname "$0")/../.." && pwd)/build}"
BIN="$BUILD/bin"
# shellcheck source=tests/bench/lib.sh
. "$(dirname "$0")/lib.sh"
mkdir -p "$DIR/m/conf" "$DIR/n/conf"
printf 'root_dir: %s\ninterface: 127.0.0.1\npublish_port: %s\nret_port: %s\nlog_file: %s\nlog_level_logfile: info\n' \
  "$DIR/m" "$PUB" "$RET" "$DIR/m/master.log" >"$DIR/m/conf/master"
# acceptance_wait_time: Salt's default is 10 s; the accept->auth time is bounded by it.
WAIT="${BRINE_BENCH_ACCEPTANCE_WAIT:-1}"
printf 'id: bench1\nroot_dir: %s\nmaster: 127.0.0.1\nmaster_port: %s\nacceptance_wait_time: %s\nlog_file: %s\nlog_level_logfile: info\n' \
  "$DIR/n" "$RET" "$WAIT" "$DIR/n/minion.log" >"$DIR/n/conf/minion"
"$BIN/brine-master" -c "$DIR/m/conf" & PIDS+=($!); MPID=$!
sleep 0.5
"$BIN/brine-minion" -c "$DIR/n/conf" & PIDS+=($!); NPID=$!
for _ in $(seq 1 200); do [ -f "$DIR/m/etc/brine/pki/master/minions_pre/bench1" ] && break; sleep 0.05; done
now_ms() { date +%s%3N; }
t0=$(now_ms)
"$BIN/brine-key" -c "$DIR/m/conf" -a bench1 -y >/dev/null
for _ in $(seq 1 600); do grep -q "authenticated with the master" "$DIR/n/minion.log" 2>/dev/null && break; sleep 0.01; done
t1=$(now_ms)
sleep 3  # let both settle to idle
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
M_RSS=$(rss "$MPID"); N_RSS=$(rss "$NPID")
# brine-key -L: median of 20 runs.
times=()
for _ in $(seq 1 20); do
  s=$(date +%s%N); "$BIN/brine-key" -c "$DIR/m/conf" -L >/dev/null; e=$(date +%s%N)
  times+=($(( (e - s) / 1000 )))
done
L_US=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 10p)
printf '{"master_idle_rss_kb": %s, "minion_idle_rss_kb": %s, "accept_to_auth_ms": %s, "acceptance_wait_time_s": %s, "brine_key_L_median_ms": %s}\n' \
  "$M_RSS" "$N_RSS" "$((t1 - t0))" "$WAIT" "$(awk "BEGIN {printf \"%.2f\", $L_US/1000}")"
