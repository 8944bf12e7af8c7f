#!/usr/bin/env bash
# Sinks group of `make bench` (BENCH_ONLY=sinks); bench/run.sh calls it after building flowteld
# and flowtel in release mode, or run it alone after those builds. See bench/README.md, "Sinks".
#
# End to end, daemon -> subscriber -> sink, on loopback:
#   throughput  flowteld publishes BENCH_SINK_EVENTS session events as fast as the subscriber
#               takes them (its test publisher, blocking mode); `flowtel subscribe --from-oldest
#               --max-events N` writes them to each sink: stdout as JSON lines (to /dev/null),
#               a rotating JSON file, a rotating file of length-delimited protobuf records
#               (--format proto, ~200 B per event against JSON's ~1.3 KB), a SQLite database. events/s = N / the subscriber's wall time
#               (from its first message to its last commit, its --stats line).
#   latency     the publisher paces events at 10,000 and 100,000 events/s, each stamped with the
#               time it is published; the subscriber's --stats line gives p50 and p99 of the time
#               from publication to the event's line being written (stdout) or committed (file,
#               SQLite), over BENCH_SINK_LATENCY_SECONDS of traffic.
#
# Environment (all optional):
#   BENCH_SINK_EVENTS             events of the throughput rows (default 1000000)
#   BENCH_SINK_LATENCY_SECONDS    seconds of paced traffic per latency row (default 5)
#   BENCH_SINKS                   the rows to run (default "stdout file file-proto sqlite")
#   BENCH_TIMEOUT, BENCH_SCRATCH_PATH   as in run.sh
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
OUT=$BENCH_DIR/out
LOGS=$OUT/logs
SCRATCH=${BENCH_SCRATCH_PATH:-$ROOT/.build}
FLOWTELD=${FLOWTELD:-$SCRATCH/release/flowteld}
FLOWTEL=${FLOWTEL:-$SCRATCH/release/flowtel}
EVENTS=${BENCH_SINK_EVENTS:-1000000}
LATENCY_SECONDS=${BENCH_SINK_LATENCY_SECONDS:-5}
TIMEOUT=${BENCH_TIMEOUT:-300}
for v in EVENTS LATENCY_SECONDS TIMEOUT; do
  if ! [[ ${!v} =~ ^[1-9][0-9]*$ ]]; then
    echo "bench: $v must be a positive integer (got '${!v}')" >&2
    exit 2
  fi
done
mkdir -p "$OUT" "$LOGS"
say() { printf '%s\n' "bench: $*" >&2; }
thousands() { printf '%s' "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; }
field() { grep -o "$1=[0-9.-]*" "$2" | tail -n 1 | cut -d= -f2; } # field NAME FILE

if [[ ! -x $FLOWTELD || ! -x $FLOWTEL ]]; then
  { echo; echo "flowtel sinks: not built ($FLOWTELD, $FLOWTEL missing)"; } | tee -a "$OUT/results.txt"
  exit 1
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/flowtel-sinks.XXXXXX")
DAEMON=""
cleanup() {
  [[ -n $DAEMON ]] && kill "$DAEMON" 2>/dev/null && wait "$DAEMON" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

# start_daemon SPEC: flowteld with the test publisher on a free port; sets DAEMON and PORT.
start_daemon() {
  rm -f "$WORK/port"
  "$FLOWTELD" --listen 127.0.0.1:0 --port-file "$WORK/port" --node bench-srx --test-publisher "$1" \
    --replay-buffer-size $((1 << 30)) 2>"$LOGS/sinks-daemon.err" &
  DAEMON=$!
  for _ in $(seq 200); do [[ -s $WORK/port ]] && break; sleep 0.05; done
  PORT=$(cat "$WORK/port")
}
stop_daemon() {
  kill "$DAEMON" 2>/dev/null || true
  wait "$DAEMON" 2>/dev/null || true
  DAEMON=""
}

# sink_args SINK: the subscriber's output arguments.
sink_args() {
  case $1 in
    stdout) echo "--format json" ;;
    file) echo "--format json --output file:$WORK/events.json --rotate-size 64m --rotate-count 100" ;;
    file-proto) echo "--format proto --output file:$WORK/events.pb --rotate-size 64m --rotate-count 100" ;;
    sqlite) echo "--output sqlite:$WORK/events.db" ;;
  esac
}

# run_row TAG SPEC EVENTS SINK [SECONDS]: one subscriber run; its --stats line and peak RSS go to
# $LOGS/sinks-TAG.err. With SECONDS (paced rows), a subscriber that lost events (and so never
# reaches --max-events) is stopped with SIGINT after them, which still prints --stats.
run_row() {
  local tag=$1 spec=$2 events=$3 sink=$4 limit=${5:-$TIMEOUT} status=0
  rm -rf "$WORK"/events.*
  start_daemon "$spec"
  # shellcheck disable=SC2046
  timeout -k 5 -s INT "$limit" /usr/bin/time -f 'rss-kb=%M cpu-user=%U cpu-sys=%S' "$FLOWTEL" subscribe \
    --target "127.0.0.1:$PORT" --from-oldest --max-events "$events" --heartbeat-ms 250 --stats $(sink_args "$sink") \
    >/dev/null 2>"$LOGS/sinks-$tag.err" || status=$?
  stop_daemon
  ((status == 0 || (status == 124 && $# == 5)))
}

read -r -a SINKS <<<"${BENCH_SINKS:-stdout file file-proto sqlite}"
declare -A LABEL=([stdout]="stdout, JSON lines" [file]="file, JSON lines, rotating" [file-proto]="file, proto, rotating"
  [sqlite]="SQLite (WAL, typed tables)")
declare -A TARGET=([stdout]="" [file]=">= 1,000,000" [file-proto]=">= 1,000,000" [sqlite]=">= 300,000")
declare -A RATE P50_10 P99_10 P50_100 P99_100 RSS
for sink in "${SINKS[@]}"; do
  say "sinks: $sink, $(thousands "$EVENTS") events as fast as they go"
  if run_row "$sink" "sessions:$EVENTS" "$EVENTS" "$sink"; then
    seconds=$(field seconds "$LOGS/sinks-$sink.err")
    RATE[$sink]=$(awk -v n="$EVENTS" -v s="$seconds" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
    RSS[$sink]=$(field rss-kb "$LOGS/sinks-$sink.err")
  else
    RATE[$sink]="failed"
  fi
  for rate in 10000 100000; do
    n=$((rate * LATENCY_SECONDS))
    say "sinks: $sink, $(thousands "$rate") events/s for $LATENCY_SECONDS s"
    if run_row "$sink-$rate" "sessions:$n,rate=$rate" "$n" "$sink" $((LATENCY_SECONDS + 15)); then
      p50=$(field latency-p50-ms "$LOGS/sinks-$sink-$rate.err")
      p99=$(field latency-p99-ms "$LOGS/sinks-$sink-$rate.err")
      missing=$(field missing "$LOGS/sinks-$sink-$rate.err")
      [[ $missing == 0 ]] || p99="$p99 (lost $missing)"
    else
      p50="failed" p99="failed"
    fi
    if ((rate == 10000)); then P50_10[$sink]=$p50 P99_10[$sink]=$p99; else P50_100[$sink]=$p50 P99_100[$sink]=$p99; fi
  done
done

{
  echo
  echo "flowtel sinks  $(date -u '+%Y-%m-%d %H:%M:%SZ')  $(uname -m), $(nproc) cores"
  echo "daemon -> flowtel subscribe -> sink over loopback; $(thousands "$EVENTS") session-close events for events/s;" \
    "paced runs of $LATENCY_SECONDS s for latency"
  echo
  fmt="%-30s %12s %12s %11s %11s %11s %11s %9s\n"
  # shellcheck disable=SC2059
  printf "$fmt" "sink" "events/s" "target" "p50 10k/s" "p99 10k/s" "p50 100k/s" "p99 100k/s" "RSS MiB"
  # shellcheck disable=SC2059
  printf "$fmt" "$(printf '%.0s-' {1..30})" "------------" "------------" "-----------" "-----------" "-----------" "-----------" "---------"
  for sink in "${SINKS[@]}"; do
    rss=${RSS[$sink]:-}
    [[ -n $rss ]] && rss=$(awk -v k="$rss" 'BEGIN { printf "%.0f", k / 1024 }')
    # shellcheck disable=SC2059
    printf "$fmt" "${LABEL[$sink]}" "$(thousands "${RATE[$sink]}")" "${TARGET[$sink]}" "${P50_10[$sink]} ms" \
      "${P99_10[$sink]} ms" "${P50_100[$sink]} ms" "${P99_100[$sink]} ms" "${rss:--}"
  done
  echo
  echo "events/s = events / the subscriber's seconds from its first message to its last commit (--stats)." \
    "Latency: publication to write (stdout) or commit (file: written, fsynced, checkpointed; SQLite: committed)," \
    "target p99 <= 100 ms at 100,000 events/s. RSS: the subscriber's peak in the throughput run. Logs: $LOGS/sinks-*"
} | tee -a "$OUT/results.txt"
