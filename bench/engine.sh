#!/usr/bin/env bash
# Engine group of `make bench` (BENCH_ONLY=engine); bench/run.sh calls it, or run it alone after
# `swift build -c release --product flowtel-bench`. See bench/README.md, "Flow engine".
#
# One capture, written by flowtel's traffic generator for a configuration, replayed by
#   flowtel-bench engine   (CaptureReader + PacketDecoder + FlowEngine, one shard, as `flowtel
#                          replay --age-out --all-sessions` without output; then with every event
#                          rendered as JSON and as sd-syslog into a discard buffer)
#   softflowd -r           (NetFlow/IPFIX flow cache and export)
#   argus -r -w            (argus flow records to a file)
# each as one process pinned to one core under /usr/bin/time: packets/s and sessions (flows)/s
# per core of CPU time, as ratios to flowtel. Then the first packets of many distinct flows
# through one engine: memory per session (RSS growth / sessions) and new sessions/s with the
# create events rendered.
#
# Environment (all optional; run.sh passes its own values through):
#   BENCH_ENGINE_PACKETS          packets in the capture (default 1000000)
#   BENCH_ENGINE_CONFIG           configuration the traffic is planned from and the engine runs
#                                 (default deploy/examples/branch-srx.set)
#   BENCH_ENGINE_SESSIONS         concurrent sessions of the memory row (default 10000000; fewer
#                                 when MemAvailable is short, and the row says so)
#   BENCH_ENGINE_RENDER_SESSIONS  first packets of the rendered session-setup rows (default 1000000)
#   BENCH_ENGINE_SHARDS           shards of the all-cores row (default: nproc)
#   BENCH_RUNS, BENCH_CPU, BENCH_TIMEOUT, BENCH_SCRATCH_PATH   as in run.sh
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
OUT=$BENCH_DIR/out
LOGS=$OUT/logs
SCRATCH=${BENCH_SCRATCH_PATH:-$ROOT/.build}
FLOWTEL_BENCH=${FLOWTEL_BENCH:-$SCRATCH/release/flowtel-bench}
PACKETS=${BENCH_ENGINE_PACKETS:-1000000}
CONFIG=${BENCH_ENGINE_CONFIG:-$ROOT/deploy/examples/branch-srx.set}
SESSIONS=${BENCH_ENGINE_SESSIONS:-10000000}
RENDER_SESSIONS=${BENCH_ENGINE_RENDER_SESSIONS:-1000000}
SHARDS=${BENCH_ENGINE_SHARDS:-$(nproc)}
RUNS=${BENCH_RUNS:-3}
BENCH_CPU=${BENCH_CPU:-0}
TIMEOUT=${BENCH_TIMEOUT:-300}

for v in PACKETS SESSIONS RENDER_SESSIONS SHARDS RUNS TIMEOUT; do
  if ! [[ ${!v} =~ ^[1-9][0-9]*$ ]]; then
    echo "bench: $v must be a positive integer (got '${!v}')" >&2
    exit 2
  fi
done
mkdir -p "$OUT" "$LOGS"

say() { printf '%s\n' "bench: $*" >&2; }
thousands() { printf '%s' "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; }
per_second() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "-" }'; }
field() { grep -o "$1=[0-9.]*" "$2" | head -n 1 | cut -d= -f2; } # field NAME FILE

PIN=()
if command -v taskset >/dev/null && taskset -c "$BENCH_CPU" true 2>/dev/null; then
  PIN=(taskset -c "$BENCH_CPU")
fi
TIMED=""
timed() { # timed TAG STDOUT CMD...: sets TIMED="wall user sys"; stderr and timings in $LOGS/TAG.*
  local tag=$1 stdout=$2 status=0
  shift 2
  TIMED=""
  timeout -k 5 "$TIMEOUT" /usr/bin/time -f '%e %U %S' -o "$LOGS/$tag.time" "${PIN[@]}" "$@" \
    >"$stdout" 2>"$LOGS/$tag.err" || status=$?
  ((status == 0)) || return "$status"
  TIMED=$(tail -n 1 "$LOGS/$tag.time")
}

if [[ ! -x $FLOWTEL_BENCH ]]; then
  echo
  echo "flowtel flow engine: not built ($FLOWTEL_BENCH missing)"
  exit 1
fi

# ---------------------------------------------------------------------------------------------
# The capture: rewritten every run (about a second), so it always follows the generator.
PCAP=$OUT/engine-$PACKETS.pcap
say "engine: writing $PCAP ($(thousands "$PACKETS") packets planned from ${CONFIG#"$ROOT"/})"
if ! timeout -k 5 "$TIMEOUT" "$FLOWTEL_BENCH" engine-pcap "$CONFIG" "$PCAP" "$PACKETS" 1 >"$LOGS/engine-pcap.log" 2>&1; then
  echo
  echo "flowtel flow engine: FAILED: engine-pcap (see $LOGS/engine-pcap.log)"
  exit 1
fi
STARTED=$(field sessions-started "$LOGS/engine-pcap.log")
MEAN_FRAME=$(field mean-frame-bytes "$LOGS/engine-pcap.log")
# As in the packets group: written back, evicted, read once untimed, so every tool finds the
# file in the page cache the way reading a capture leaves it.
sync "$PCAP" 2>/dev/null || sync
dd if="$PCAP" iflag=nocache count=0 status=none 2>/dev/null || true
cat "$PCAP" >/dev/null

# ---------------------------------------------------------------------------------------------
# Rows: RUNS runs each, the run with the median CPU time shown.
ROWS=()
declare -A LABEL RESULT FAIL FLOWS
FAILED=0
row() { # row KEY LABEL CHECK CMD...   CHECK: a function KEY RUN OUTFILE that prints the flow count
  local key=$1 label=$2 check=$3 r out results=() flows status
  shift 3
  ROWS+=("$key")
  LABEL[$key]=$label
  say "engine: $label"
  for ((r = 1; r <= RUNS; r++)); do
    out=$LOGS/engine-$key-$r.out
    status=0
    timed "engine-$key-$r" "$out" "$@" || status=$?
    if ((status == 3)) && [[ $key == shards ]]; then
      FAIL[$key]="pending: $(head -c 200 "$out")"
      return
    fi
    if ((status != 0)); then
      FAIL[$key]="FAILED: exit $status (see $LOGS/engine-$key-$r.err)"
      FAILED=1
      return
    fi
    if ! flows=$("$check" "$out"); then
      FAIL[$key]="FAILED: $flows (see $out)"
      FAILED=1
      return
    fi
    FLOWS[$key]=$flows
    # cpu wall user sys run
    results+=("$(awk -v r="$r" '{ printf "%.2f %s %s %s %d\n", $2 + $3, $1, $2, $3, r }' <<<"$TIMED")")
    say "  run $r: $(awk '{ printf "%s s CPU (%s user, %s sys), %s s wall", $1, $3, $4, $2 }' <<<"${results[-1]}")"
  done
  RESULT[$key]=$(printf '%s\n' "${results[@]}" | sort -n -k1,1 | sed -n "$(((${#results[@]} + 1) / 2))p")
}

check_flowtel() { # every packet decoded; every session closed after the age-out
  local packets sessions closed
  packets=$(field packets "$1")
  sessions=$(field sessions "$1")
  closed=$(field closed "$1")
  if [[ $packets != "$PACKETS" || $(field malformed "$1") != 0 || $(field open "$1") != 0 || $sessions != "$closed" ]]; then
    echo "not $PACKETS packets, or malformed packets, or sessions left open"
    return 1
  fi
  echo "$sessions"
}
check_softflowd() {
  local flows
  flows=$(sed -n 's/^Flows exported: \([0-9]*\) .*/\1/p' "$1")
  if [[ -z $flows ]] || ! grep -q "^Packets processed: $PACKETS\$" "$1"; then
    echo "softflowd did not report $PACKETS packets processed"
    return 1
  fi
  echo "$flows"
}
ARGUS_OUT=$OUT/engine.argus
check_argus() { # argus appends to an existing -w file: the count removes it for the next run
  local records
  records=$(racount -r "$ARGUS_OUT" 2>/dev/null | awk '$1 == "sum" { print $2 }')
  rm -f "$ARGUS_OUT"
  [[ -n $records ]] || { echo "racount read no records from $ARGUS_OUT"; return 1; }
  echo "$records"
}

row flowtel "flowtel-bench engine (decode + FlowEngine, 1 shard)" check_flowtel \
  "$FLOWTEL_BENCH" engine "$CONFIG" "$PCAP"
row json "  the same, every event rendered as JSON" check_flowtel \
  "$FLOWTEL_BENCH" engine "$CONFIG" "$PCAP" --render json
row syslog "  the same, every event rendered as sd-syslog" check_flowtel \
  "$FLOWTEL_BENCH" engine "$CONFIG" "$PCAP" --render sd-syslog
# All cores: taskset pins to one core, so this row runs unpinned. Its capture is the same
# traffic planned for SHARDS SPUs (`flowtel generate --spus`): source NAT replies come back to the
# ports a sharded engine translates to, where the one-SPU capture's would miss their sessions.
SHARDS_PCAP=$PCAP
if ((SHARDS > 1)); then
  SHARDS_PCAP=$OUT/engine-$PACKETS-spus$SHARDS.pcap
  if ! timeout -k 5 "$TIMEOUT" "$FLOWTEL_BENCH" engine-pcap "$CONFIG" "$SHARDS_PCAP" "$PACKETS" 1 "$SHARDS" \
    >"$LOGS/engine-pcap-shards.log" 2>&1; then
    SHARDS_PCAP=$PCAP
    say "engine: engine-pcap for $SHARDS SPUs failed (see $LOGS/engine-pcap-shards.log): the all-cores row reads the one-SPU capture"
  fi
  cat "$SHARDS_PCAP" >/dev/null
fi
SAVED_PIN=("${PIN[@]+"${PIN[@]}"}")
PIN=()
row shards "flowtel-bench engine --shards $SHARDS (all cores)" check_flowtel \
  "$FLOWTEL_BENCH" engine "$CONFIG" "$SHARDS_PCAP" --shards "$SHARDS"
PIN=("${SAVED_PIN[@]+"${SAVED_PIN[@]}"}")
if command -v softflowd >/dev/null || [[ -x /usr/sbin/softflowd ]]; then
  # -d: foreground, statistics on exit. -6: IPv6 too. -m: a flow table as large as flowtel's, so
  # no flow is expired early. -c none: no control socket. Exports IPFIX to the discard port.
  row softflowd "softflowd -r FILE -m 4194304 (IPFIX to 127.0.0.1:9)" check_softflowd \
    "$(command -v softflowd || echo /usr/sbin/softflowd)" -r "$PCAP" -d -6 -m 4194304 -c none -v 10 -n 127.0.0.1:9
else
  ROWS+=(softflowd)
  LABEL[softflowd]="softflowd -r FILE"
  FAIL[softflowd]="not run (softflowd not installed: BENCH_APT_PACKAGES)"
fi
if command -v argus >/dev/null || [[ -x /usr/sbin/argus ]]; then
  rm -f "$ARGUS_OUT"
  row argus "argus -r FILE -w OUT" check_argus "$(command -v argus || echo /usr/sbin/argus)" -r "$PCAP" -w "$ARGUS_OUT"
else
  ROWS+=(argus)
  LABEL[argus]="argus -r FILE -w OUT"
  FAIL[argus]="not run (argus not installed: BENCH_APT_PACKAGES)"
fi

# ---------------------------------------------------------------------------------------------
# Session setup and memory: first packets of distinct flows through one engine, one run each.
MEM_SESSIONS=$SESSIONS
MEM_NOTE=""
available_kib=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
# Budget 1.5 KiB a session (about 250 bytes measured, and the tables double) plus 1 GiB, so
# a run never pushes the machine into swap; a smaller count is measured and the row says so.
fit=$(((available_kib - 1048576) > 0 ? (available_kib - 1048576) * 2 / 3 : 0))
if ((fit < MEM_SESSIONS)); then
  MEM_SESSIONS=$(((fit / 1000000) * 1000000))
  ((MEM_SESSIONS >= 1000000)) || MEM_SESSIONS=1000000
  MEM_NOTE="measured at $(thousands "$MEM_SESSIONS") sessions (MemAvailable $((available_kib / 1024)) MiB), not $(thousands "$SESSIONS")"
fi
declare -A SETUP SETUP_FAIL
setup_row() { # setup_row KEY SESSIONS RENDER
  local key=$1 count=$2 render=$3 out=$LOGS/engine-$1.out
  say "engine: $(thousands "$count") first packets, events rendered: $render"
  if timed "engine-$key" "$out" "$FLOWTEL_BENCH" engine-memory "$count" --render "$render" &&
    [[ $(field open "$out") == "$count" && $(field decode-errors "$out") == 0 ]]; then
    SETUP[$key]=$out
    say "  $(cat "$out")"
  else
    SETUP_FAIL[$key]="FAILED (see $out, $LOGS/engine-$key.err)"
    FAILED=1
  fi
}
setup_row memory "$MEM_SESSIONS" none
setup_row setup-none "$RENDER_SESSIONS" none
setup_row setup-json "$RENDER_SESSIONS" json
setup_row setup-syslog "$RENDER_SESSIONS" sd-syslog

# ---------------------------------------------------------------------------------------------
# Fault accounting: the chassis's stage counters, probes and 10 Hz sampler on the packet path,
# as flowteld and `flowtel replay` run the engine (ShardedFlowEngine, one SPU), against the
# same engine with the counters off; rounds alternate, medians compared (ChassisBench.swift).
say "engine: fault-accounting overhead (chassis counters and sampler)"
CHASSIS_OUT=$LOGS/engine-chassis.out
CHASSIS_RESULT=""
if timeout -k 5 "$TIMEOUT" "${PIN[@]}" "$FLOWTEL_BENCH" chassis-overhead "$CONFIG" "$PCAP" 5 \
  >"$CHASSIS_OUT" 2>"$LOGS/engine-chassis.err"; then
  CHASSIS_RESULT=$(cat "$CHASSIS_OUT")
  say "  $CHASSIS_RESULT"
else
  FAILED=1
fi
# Wall-clock rounds on a shared machine swing by several percent either way, more than the
# accounting costs: the deterministic figure is callgrind's instruction count of the engine loop
# (ChassisBench.run, inclusive) with the counters on and off, on a 200,000-packet capture.
# valgrind cannot read Swift's DWARF: it runs a copy without debug information.
CHASSIS_INSTRUCTIONS=""
if command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null &&
  cp "$FLOWTEL_BENCH" "$LOGS/flowtel-bench.nodebug" && strip -g "$LOGS/flowtel-bench.nodebug"; then
  say "engine: fault-accounting instructions (callgrind, 200,000 packets)"
  SMALL_PCAP=$OUT/engine-200000.pcap
  "$FLOWTEL_BENCH" engine-pcap "$CONFIG" "$SMALL_PCAP" 200000 1 >"$LOGS/engine-pcap-small.log" 2>&1 || true
  declare -A LOOP
  for mode in off on; do
    rm -f "$LOGS/chassis-callgrind.$mode"
    timeout -k 5 "$TIMEOUT" valgrind --tool=callgrind --callgrind-out-file="$LOGS/chassis-callgrind.$mode" \
      "$LOGS/flowtel-bench.nodebug" chassis-overhead "$CONFIG" "$SMALL_PCAP" 1 "$mode" >/dev/null 2>&1 || true
    LOOP[$mode]=$(callgrind_annotate --inclusive=yes "$LOGS/chassis-callgrind.$mode" 2>/dev/null |
      awk '/ChassisBench.*run/ { gsub(",", "", $1); print $1; exit }')
  done
  if [[ -n ${LOOP[off]:-} && -n ${LOOP[on]:-} ]]; then
    CHASSIS_INSTRUCTIONS=$(awk -v off="${LOOP[off]}" -v on="${LOOP[on]}" \
      'BEGIN { printf "%.2f %% (%.1f instructions per packet: %.0f with the counters off, %.0f on)", (on / off - 1) * 100, (on - off) / 200000, off / 200000, on / 200000 }')
    say "  $CHASSIS_INSTRUCTIONS"
  fi
fi

# ---------------------------------------------------------------------------------------------
# Tables
where="$(uname -m), $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
pinned="pinned to core $BENCH_CPU with taskset"
((${#PIN[@]})) || pinned="not pinned (no taskset)"
{
  echo
  echo "flowtel flow engine  $(date -u '+%Y-%m-%d %H:%M:%SZ')  $where"
  echo "$(thousands "$PACKETS")-packet capture from flowtel's generator for ${CONFIG#"$ROOT"/}" \
    "($(thousands "${STARTED:-?}") sessions started, mean frame ${MEAN_FRAME:-?} bytes), one process per run $pinned"
  echo
  fmt='%-56s %14s %15s %10s %7s %7s %10s\n'
  # shellcheck disable=SC2059
  printf "$fmt" "tool" "packets/s/core" "sessions/s/core" "sessions" "CPU s" "wall s" "vs flowtel"
  # shellcheck disable=SC2059
  printf "$fmt" "$(printf '%.0s-' {1..56})" "--------------" "---------------" "----------" "-------" "-------" "----------"
  base=""
  [[ -n ${RESULT[flowtel]:-} ]] && base=$(per_second "$PACKETS" "$(cut -d' ' -f1 <<<"${RESULT[flowtel]}")")
  for key in "${ROWS[@]}"; do
    if [[ -n ${RESULT[$key]:-} ]]; then
      read -r cpu wall _ _ _ <<<"${RESULT[$key]}"
      rate=$(per_second "$PACKETS" "$cpu")
      srate=$(per_second "${FLOWS[$key]}" "$cpu")
      ratio=$(awk -v a="$rate" -v b="$base" 'BEGIN { if (b > 0 && a > 0) printf "%.2fx", a / b; else print "-" }')
      # shellcheck disable=SC2059
      printf "$fmt" "${LABEL[$key]}" "$(thousands "$rate")" "$(thousands "$srate")" "$(thousands "${FLOWS[$key]}")" \
        "$cpu" "$wall" "$ratio"
    else
      printf '%-56s %s\n' "${LABEL[$key]}" "${FAIL[$key]:-no result}"
    fi
  done
  echo
  echo "packets/s/core and sessions/s/core = count / (user + system CPU seconds of the whole process," \
    "start-up included; /usr/bin/time). sessions = flowtel: sessions created;"
  echo "softflowd: flows exported (one per 5-tuple, ICMP request and reply apart); argus: flow" \
    "records (racount; long flows get a status record every 5 s). vs flowtel = packets/s/core"
  echo "over the first row's. Each row is the run with the median CPU time of $RUNS runs. Rendered rows" \
    "render every create, close and deny event into a discard buffer."
  echo
  fmt='%-76s %16s %16s\n'
  # shellcheck disable=SC2059
  printf "$fmt" "measure" "figure" "target"
  # shellcheck disable=SC2059
  printf "$fmt" "$(printf '%.0s-' {1..76})" "----------------" "----------------"
  if [[ -n ${RESULT[flowtel]:-} ]]; then
    # shellcheck disable=SC2059
    printf "$fmt" "packets/s on one core, replay (decode + engine)" "$(thousands "$base")" ">= 4,000,000"
  fi
  if [[ -n ${RESULT[json]:-} ]]; then
    # shellcheck disable=SC2059
    printf "$fmt" "new sessions/s per core, replay, events rendered (JSON)" \
      "$(thousands "$(per_second "${FLOWS[json]}" "$(cut -d' ' -f1 <<<"${RESULT[json]}")")")" ">= 1,000,000"
  fi
  for key in setup-none setup-json setup-syslog; do
    render=${key#setup-}
    [[ $render == syslog ]] && render=sd-syslog
    [[ $render == none ]] && label="new sessions/s per core, first packets only, no events" ||
      label="new sessions/s per core, first packets only, events rendered ($render)"
    if [[ -n ${SETUP[$key]:-} ]]; then
      # shellcheck disable=SC2059
      printf "$fmt" "$label" "$(thousands "$(field sessions-per-second "${SETUP[$key]}")")" \
        "$([[ $render == none ]] && echo "" || echo ">= 1,000,000")"
    else
      printf '%-76s %s\n' "$label" "${SETUP_FAIL[$key]:-no result}"
    fi
  done
  if [[ -n ${SETUP[memory]:-} ]]; then
    out=${SETUP[memory]}
    # shellcheck disable=SC2059
    printf "$fmt" "memory per session, $(thousands "$MEM_SESSIONS") concurrent sessions (RSS growth / sessions)" \
      "$(field bytes-per-session "$out") bytes" "<= 256 bytes"
    echo
    echo "memory row: RSS $(($(field rss-before "$out") / 1048576)) MiB before the engine," \
      "$(($(field rss-after "$out") / 1048576)) MiB with $(thousands "$MEM_SESSIONS") sessions open" \
      "(peak $(($(field peak-rss "$out") / 1048576)) MiB), $(field seconds "$out") s."
    [[ -n $MEM_NOTE ]] && echo "note: $MEM_NOTE; per-session cost at 10,000,000 is extrapolated as the same."
  else
    printf '%-76s %s\n' "memory per session" "${SETUP_FAIL[memory]:-no result}"
  fi
  if [[ -n $CHASSIS_RESULT ]]; then
    overhead=$(grep -o 'overhead-percent=[-0-9.]*' <<<"$CHASSIS_RESULT" | cut -d= -f2)
    # shellcheck disable=SC2059
    printf "$fmt" "fault accounting on the packet path (counters + sampler), share of replay" "$overhead %" "<= 2 %"
    if [[ -n $CHASSIS_INSTRUCTIONS ]]; then
      # shellcheck disable=SC2059
      printf "$fmt" "  the same in instructions of the engine loop (callgrind)" "${CHASSIS_INSTRUCTIONS%% (*}" "<= 2 %"
      echo "fault-accounting instructions: ${CHASSIS_INSTRUCTIONS#* (}" | sed 's/)$//'
    fi
    echo "fault-accounting row: $(thousands "$(field off-packets-per-second "$CHASSIS_OUT")") packets/s with the" \
      "counters off, $(thousands "$(field on-packets-per-second "$CHASSIS_OUT")") with the chassis watching" \
      "(engine only, capture decoded beforehand: a whole replay's share is smaller); medians of 5 alternating rounds."
  else
    printf '%-76s %s\n' "fault accounting on the packet path" "FAILED (see $CHASSIS_OUT, $LOGS/engine-chassis.err)"
  fi
  echo "First-packet rows: one run each, the engine's own CPU time around the loop (getrusage)," \
    "60-byte UDP first packets decoded and processed, one session each."
  echo "Logs: $LOGS"
} | tee -a "$OUT/results.txt"
exit "$FAILED"
