#!/usr/bin/env bash
# Benchmarks: flowtel next to its peers, as ratios from one run.
#
# Streaming: session events over loopback (127.0.0.1) through flowtel, a C++ gRPC baseline and
# a Python grpcio baseline: events/s, MB/s of protobuf payload, ratio to the C++ baseline with
# the same batching, and the peak RSS of both ends.
# Packets: a synthetic 1,000,000-packet pcap read and decoded by flowtel, tcpdump and tshark,
# each on one core: packets/s per core of CPU time, ratio to flowtel.
# Config: a 50,000-line set-style Junos configuration parsed: lines/s.
# Engine: a 1,000,000-packet capture from flowtel's generator replayed through the flow engine,
# softflowd and argus, each on one core: packets/s and sessions/s per core, ratio to flowtel;
# sessions/s with events rendered; memory per session (bench/engine.sh).
# See bench/README.md for what each row means.
#
# Environment (all optional):
#   BENCH_EVENTS          events per scenario (default 1000000)
#   BENCH_PY_EVENTS       events for the Python one-per-message row (default BENCH_EVENTS/5:
#                         grpcio needs ~70 s for 1e6 events one per message)
#   BENCH_FLOWTEL_BATCH   events per message, flowtel batched row (default 100, as C++)
#   BENCH_CPP_BATCH       events per message, C++ batched row (default 100)
#   BENCH_PY_BATCH        events per message, Python batched row (default 100)
#   BENCH_RUNS            runs per scenario; the run with the median events/s is shown (default 3)
#   BENCH_BUDGET          seconds after which scenarios are no longer repeated (default 300)
#   BENCH_ONLY            comma list of flowtel,cpp,python (streaming), packets (pcap reading
#                         and decoding next to tcpdump and tshark), config (Junos set-style
#                         parsing), engine (flow engine next to softflowd and argus,
#                         bench/engine.sh, whose BENCH_ENGINE_* variables it passes on),
#                         sinks (daemon -> subscriber -> stdout, file, SQLite: events/s and
#                         latency, bench/sinks.sh with its BENCH_SINK_* variables); default all
#                         seven
#   BENCH_PACKETS         packets in the pcap the packets scenario reads (default 1000000)
#   BENCH_CONFIG_LINES    lines of the configuration the config scenario parses (default 50000)
#   BENCH_CPU             the core the packets and config scenarios are pinned to with taskset
#                         (default 0)
#   BENCH_SWIFT_BUILD     1 (default): `swift build -c release` flowteld and flowtel first;
#                         0: use whatever binaries are already built
#   BENCH_SCRATCH_PATH    SwiftPM scratch path (default <repo>/.build)
#   BENCH_FLOWTELD_ARGS   extra flowteld arguments, split on spaces (e.g. a larger
#                         --replay-buffer-size)
#   BENCH_VENV            Python venv (default <repo>/.venv, created if missing)
#   BENCH_TIMEOUT         bound on every benchmark process, seconds (default 300)
#   BENCH_BUILD_TIMEOUT   bound on `swift build` and `pip install`, seconds (default 900)
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
OUT=$BENCH_DIR/out
LOGS=$OUT/logs
RUN=$OUT/run

N=${BENCH_EVENTS:-1000000}
PY1_N=${BENCH_PY_EVENTS:-$((N / 5))}
FLOWTEL_BATCH=${BENCH_FLOWTEL_BATCH:-100}
CPP_BATCH=${BENCH_CPP_BATCH:-100}
PY_BATCH=${BENCH_PY_BATCH:-100}
RUNS=${BENCH_RUNS:-3}
BUDGET=${BENCH_BUDGET:-300}
ONLY=${BENCH_ONLY:-flowtel,cpp,python,packets,config,engine,sinks}
PACKETS=${BENCH_PACKETS:-1000000}
CONFIG_LINES=${BENCH_CONFIG_LINES:-50000}
BENCH_CPU=${BENCH_CPU:-0}
SWIFT_BUILD=${BENCH_SWIFT_BUILD:-1}
SCRATCH=${BENCH_SCRATCH_PATH:-$ROOT/.build}
VENV=${BENCH_VENV:-$ROOT/.venv}
TIMEOUT=${BENCH_TIMEOUT:-300}
BUILD_TIMEOUT=${BENCH_BUILD_TIMEOUT:-900}
READY_TIMEOUT=120 # seconds a server may take to write its port file

for v in N PY1_N FLOWTEL_BATCH CPP_BATCH PY_BATCH RUNS BUDGET TIMEOUT BUILD_TIMEOUT PACKETS CONFIG_LINES; do
  if ! [[ ${!v} =~ ^[1-9][0-9]*$ ]]; then
    echo "bench: $v must be a positive integer (got '${!v}')" >&2
    exit 2
  fi
done

if ! [[ $BENCH_CPU =~ ^[0-9]+$ ]]; then
  echo "bench: BENCH_CPU must be a core number (got '$BENCH_CPU')" >&2
  exit 2
fi

for b in FLOWTEL_BATCH CPP_BATCH PY_BATCH; do
  if ((N < 50 * ${!b})); then
    echo "bench: warning: BENCH_EVENTS=$N is under 50 messages of $b=${!b}; rates timed from" \
      "the first message are meaningless for so few messages" >&2
  fi
done
mkdir -p "$OUT" "$LOGS" "$RUN"
cd "$ROOT"

say() { printf '%s\n' "bench: $*" >&2; }
wants() { [[ ",$ONLY," == *",$1,"* ]]; }
wants_streaming() { wants flowtel || wants cpp || wants python; }
thousands() { printf '%s' "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; }

# ---------------------------------------------------------------------------------------------
# Process bookkeeping: every process runs under `timeout`; whatever is still alive when the
# script exits (normally, on error or on Ctrl-C) is stopped by pid.

LIVE_PIDS=()

STOP_STATUS=0
stop_pid() { # stop_pid PID: SIGTERM, wait up to 10 s, then SIGKILL (PID and its children).
  # Sets STOP_STATUS to PID's exit status.
  local pid=$1 kids i k
  STOP_STATUS=0
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null || STOP_STATUS=$?
    return 0
  fi
  kids=$(pgrep -P "$pid" 2>/dev/null || true)
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    for k in $kids; do kill -KILL "$k" 2>/dev/null || true; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || STOP_STATUS=$?
}

cleanup() {
  local p
  for p in "${LIVE_PIDS[@]}"; do stop_pid "$p"; done
  LIVE_PIDS=()
}
forget_pid() {
  local p keep=()
  for p in "${LIVE_PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  LIVE_PIDS=("${keep[@]+"${keep[@]}"}")
}
trap cleanup EXIT
trap 'say interrupted; exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
# Tools

install_debs() {
  local apt=(apt-get)
  if [[ $(id -u) != 0 ]]; then
    command -v sudo >/dev/null || { say "need root or sudo to install: $*"; return 1; }
    apt=(sudo apt-get)
  fi
  say "installing $*"
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y "$@" >"$LOGS/build-apt.log" 2>&1 ||
    { DEBIAN_FRONTEND=noninteractive "${apt[@]}" update >>"$LOGS/build-apt.log" 2>&1 &&
      DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y "$@" >>"$LOGS/build-apt.log" 2>&1; }
}

[[ -x /usr/bin/time ]] || install_debs time
command -v pgrep >/dev/null || install_debs procps
if wants packets; then
  command -v tcpdump >/dev/null || install_debs tcpdump || true
  command -v tshark >/dev/null || install_debs tshark || true
fi
if wants engine; then
  { command -v softflowd || [[ -x /usr/sbin/softflowd ]]; } >/dev/null || install_debs softflowd || true
  { command -v argus || [[ -x /usr/sbin/argus ]]; } >/dev/null || install_debs argus-server || true
  command -v racount >/dev/null || install_debs argus-client || true
fi

CPP_OK=0
if wants cpp; then
  if ! command -v protoc >/dev/null || ! command -v grpc_cpp_plugin >/dev/null ||
    ! command -v g++ >/dev/null || ! command -v pkg-config >/dev/null ||
    ! pkg-config --exists grpc++ protobuf; then
    install_debs libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler g++ pkg-config || true
  fi
fi

# ---------------------------------------------------------------------------------------------
# Builds

PROTOS=(proto/flowtel/v1/events.proto proto/flowtel/v1/flowtel.proto)

build_cpp() {
  local dir=$OUT/cpp gen=$OUT/cpp/gen stamp cflags libs
  cflags=$(pkg-config --cflags grpc++ protobuf)
  libs=$(pkg-config --libs grpc++ protobuf)
  stamp=$( {
    cat "${PROTOS[@]}" "$BENCH_DIR"/cpp/*.cc "$BENCH_DIR"/cpp/*.h
    echo "$cflags $libs"
    protoc --version
    g++ --version
  } | sha256sum | cut -d' ' -f1)
  if [[ -x $dir/server && -x $dir/client && -f $dir/stamp && $(cat "$dir/stamp") == "$stamp" ]]; then
    say "C++ baseline is up to date ($dir)"
    return 0
  fi
  say "building the C++ baseline into $dir (about 30 s)"
  rm -rf "$dir"
  mkdir -p "$gen"
  protoc --proto_path=proto --cpp_out="$gen" --grpc_out="$gen" \
    --plugin=protoc-gen-grpc="$(command -v grpc_cpp_plugin)" "${PROTOS[@]}"
  local srcs=("$gen/flowtel/v1/events.pb.cc" "$gen/flowtel/v1/flowtel.pb.cc"
    "$gen/flowtel/v1/flowtel.grpc.pb.cc" "$BENCH_DIR/cpp/server.cc" "$BENCH_DIR/cpp/client.cc")
  local pids=() s failed=0
  for s in "${srcs[@]}"; do
    # shellcheck disable=SC2086
    g++ -O2 -std=c++17 $cflags -I"$gen" -I"$BENCH_DIR/cpp" -c "$s" \
      -o "$dir/$(basename "$s" .cc).o" >"$LOGS/build-cpp-$(basename "$s" .cc).log" 2>&1 &
    pids+=($!)
  done
  for s in "${pids[@]}"; do wait "$s" || failed=1; done
  if ((failed)); then
    say "C++ compile failed, see $LOGS/build-cpp-*.log"
    return 1
  fi
  local common=("$dir/events.pb.o" "$dir/flowtel.pb.o" "$dir/flowtel.grpc.pb.o")
  # shellcheck disable=SC2086
  g++ -O2 -o "$dir/server" "$dir/server.o" "${common[@]}" $libs >"$LOGS/build-cpp-link.log" 2>&1 &&
    g++ -O2 -o "$dir/client" "$dir/client.o" "${common[@]}" $libs >>"$LOGS/build-cpp-link.log" 2>&1 ||
    { say "C++ link failed, see $LOGS/build-cpp-link.log"; return 1; }
  echo "$stamp" >"$dir/stamp"
}

PY=$VENV/bin/python
PY_GEN=$OUT/py
PY_OK=0
setup_python() {
  if ! "$PY" -c 'import grpc, grpc_tools' >/dev/null 2>&1; then
    if [[ ! -x $PY ]]; then
      say "creating the Python venv $VENV"
      python3 -m venv "$VENV"
    fi
    say "installing grpcio into $VENV"
    timeout -k 5 "$BUILD_TIMEOUT" "$VENV/bin/pip" install grpcio grpcio-tools grpcio-reflection grpcio-health-checking \
      >"$LOGS/build-pip.log" 2>&1 || { say "pip install failed, see $LOGS/build-pip.log"; return 1; }
  fi
  local stamp
  stamp=$( {
    cat "${PROTOS[@]}"
    "$PY" -c 'import grpc_tools, google.protobuf as p; print(grpc_tools.__file__, p.__version__)'
  } | sha256sum | cut -d' ' -f1)
  if [[ -f $PY_GEN/stamp && $(cat "$PY_GEN/stamp") == "$stamp" ]]; then
    return 0
  fi
  rm -rf "$PY_GEN"
  mkdir -p "$PY_GEN"
  "$PY" -m grpc_tools.protoc --proto_path=proto --python_out="$PY_GEN" \
    --grpc_python_out="$PY_GEN" "${PROTOS[@]}" >"$LOGS/build-py-protoc.log" 2>&1 ||
    { say "grpc_tools.protoc failed, see $LOGS/build-py-protoc.log"; return 1; }
  echo "$stamp" >"$PY_GEN/stamp"
}

FLOWTELD=$SCRATCH/release/flowteld
FLOWTEL=$SCRATCH/release/flowtel
FLOWTEL_NOTE=""
build_swift() {
  local scratch_args=()
  [[ -n ${BENCH_SCRATCH_PATH:-} ]] && scratch_args=(--scratch-path "$SCRATCH")
  if [[ $SWIFT_BUILD == 1 ]]; then
    say "swift build -c release --product flowteld / flowtel (log: $LOGS/build-swift.log)"
    if ! {
      timeout -k 5 "$BUILD_TIMEOUT" swift build -c release "${scratch_args[@]}" --product flowteld &&
        timeout -k 5 "$BUILD_TIMEOUT" swift build -c release "${scratch_args[@]}" --product flowtel
    } >"$LOGS/build-swift.log" 2>&1; then
      FLOWTEL_NOTE="not built (swift build failed: $LOGS/build-swift.log)"
      return 1
    fi
  fi
  if [[ ! -x $FLOWTELD || ! -x $FLOWTEL ]]; then
    FLOWTEL_NOTE="not built ($SCRATCH/release/flowteld, flowtel missing)"
    return 1
  fi
  if ! timeout 30 "$FLOWTELD" --help-hidden 2>&1 | grep -q -- '--test-publisher'; then
    FLOWTEL_NOTE="not built (flowteld has no --test-publisher yet)"
    return 1
  fi
}

FLOWTEL_BENCH=$SCRATCH/release/flowtel-bench
FLOWTEL_BENCH_NOTE=""
build_flowtel_bench() {
  local scratch_args=()
  [[ -n ${BENCH_SCRATCH_PATH:-} ]] && scratch_args=(--scratch-path "$SCRATCH")
  if [[ $SWIFT_BUILD == 1 ]]; then
    say "swift build -c release --product flowtel-bench (log: $LOGS/build-swift-bench.log)"
    if ! timeout -k 5 "$BUILD_TIMEOUT" swift build -c release "${scratch_args[@]}" --product flowtel-bench \
      >"$LOGS/build-swift-bench.log" 2>&1; then
      FLOWTEL_BENCH_NOTE="not built (swift build failed: $LOGS/build-swift-bench.log)"
      return 1
    fi
  fi
  if [[ ! -x $FLOWTEL_BENCH ]]; then
    FLOWTEL_BENCH_NOTE="not built ($FLOWTEL_BENCH missing)"
    return 1
  fi
}

if wants cpp; then
  if build_cpp; then CPP_OK=1; fi
fi
if wants python; then
  if setup_python; then PY_OK=1; fi
fi
FLOWTEL_OK=0
if wants flowtel || wants sinks; then
  if build_swift; then FLOWTEL_OK=1; fi
fi
FLOWTEL_BENCH_OK=0
if wants packets || wants config || wants engine; then
  if build_flowtel_bench; then FLOWTEL_BENCH_OK=1; fi
fi

# ---------------------------------------------------------------------------------------------
# One scenario run. SERVER and CLIENT are arrays; @PORTFILE@ and @PORT@ are substituted.
# Sets RESULT="evps mbps bytes_per_event server_rss_kb client_rss_kb wall_s" or FAIL="why".

SERVER=()
CLIENT=()
NOTES=()
RESULT=""
FAIL=""

run_once() {
  local tag=$1 expected=$2
  local portfile=$RUN/$tag.port slog=$LOGS/$tag.server.log clog=$LOGS/$tag.client.log
  local rssfile=$RUN/$tag.client-rss a cmd=() tpid spid="" port="" i rc t0 t1 cpid
  RESULT=""
  FAIL=""
  rm -f "$portfile" "$rssfile"

  cmd=()
  for a in "${SERVER[@]}"; do cmd+=("${a//@PORTFILE@/$portfile}"); done
  timeout -k 5 "$TIMEOUT" "${cmd[@]}" >"$slog" 2>&1 &
  tpid=$!
  LIVE_PIDS+=("$tpid")

  for ((i = 0; i < READY_TIMEOUT * 10; i++)); do
    if [[ -s $portfile ]]; then
      # The last number in the file ("PORT" or "HOST:PORT"), once two reads agree (in case
      # the file is not written atomically).
      port=$(grep -oE '[0-9]+' "$portfile" | tail -n 1 || true)
      sleep 0.05
      if [[ -n $port && $port == "$(grep -oE '[0-9]+' "$portfile" | tail -n 1 || true)" ]]; then
        break
      fi
      port=""
    fi
    if ! kill -0 "$tpid" 2>/dev/null; then
      FAIL="server exited before it was ready ($slog)"
      forget_pid "$tpid"
      wait "$tpid" 2>/dev/null || true
      return 1
    fi
    sleep 0.1
  done
  if [[ -z $port ]]; then
    FAIL="server not ready after ${READY_TIMEOUT}s ($slog)"
    stop_pid "$tpid"
    forget_pid "$tpid"
    return 1
  fi
  spid=$(pgrep -P "$tpid" | head -n 1 || true)

  cmd=()
  for a in "${CLIENT[@]}"; do cmd+=("${a//@PORT@/$port}"); done
  t0=$(date +%s.%N)
  # In the background so that Ctrl-C (trapped) is handled at once.
  timeout -k 5 "$TIMEOUT" /usr/bin/time -f '%M' -o "$rssfile" "${cmd[@]}" >"$clog" 2>&1 &
  cpid=$!
  LIVE_PIDS+=("$cpid")
  rc=0
  wait "$cpid" || rc=$?
  forget_pid "$cpid"
  t1=$(date +%s.%N)

  # Peak RSS of the server, read before it is stopped.
  local srss="?"
  if [[ -n $spid && -r /proc/$spid/status ]]; then
    srss=$(awk '/^VmHWM:/ { print $2 }' "/proc/$spid/status" 2>/dev/null || true)
    [[ -n $srss ]] || srss="?"
  fi
  stop_pid "$tpid"
  forget_pid "$tpid"
  if ((STOP_STATUS != 0)); then
    NOTES+=("$tag: the server exited with status $STOP_STATUS after SIGTERM ($slog)")
  fi

  if ((rc != 0)); then
    if ((rc == 124)); then FAIL="client timed out after ${TIMEOUT}s ($clog)"; else FAIL="client failed, exit $rc ($clog)"; fi
    return 1
  fi
  local line events bytes seconds crss
  line=$(grep -E '^events=[0-9]+ bytes=[0-9]+ seconds=' "$clog" | tail -n 1 || true)
  if [[ -z $line ]]; then
    FAIL="no 'events= bytes= seconds=' line from the client ($clog)"
    return 1
  fi
  events=$(sed -E 's/.*events=([0-9]+).*/\1/' <<<"$line")
  bytes=$(sed -E 's/.*bytes=([0-9]+).*/\1/' <<<"$line")
  seconds=$(sed -E 's/.*seconds=([0-9.eE+-]+).*/\1/' <<<"$line")
  if [[ $events != "$expected" ]]; then
    FAIL="client got $events events, expected $expected ($clog)"
    return 1
  fi
  crss=$(tail -n 1 "$rssfile" 2>/dev/null | tr -dc '0-9' || true)
  [[ -n $crss ]] || crss="?"
  RESULT=$(awk -v e="$events" -v b="$bytes" -v s="$seconds" -v sr="$srss" -v cr="$crss" \
    -v t0="$t0" -v t1="$t1" 'BEGIN {
      if (s <= 0) s = 1e-9
      printf "%.0f %.2f %.1f %s %s %.2f\n", e / s, b / s / 1e6, b / e, sr, cr, t1 - t0 }')
}

# Runs a scenario up to BENCH_RUNS times and records the run with the median events/s. Extra
# runs are skipped when they would take the script past BENCH_BUDGET seconds.
declare -A ROW_LABEL ROW_RESULT ROW_FAIL ROW_RUNS
ROWS=()
scenario() { # scenario KEY LABEL EXPECTED  (SERVER/CLIENT set by the caller)
  local key=$1 label=$2 expected=$3 r results=() line started took
  ROWS+=("$key")
  ROW_LABEL[$key]=$label
  say "running: $label"
  for ((r = 1; r <= RUNS; r++)); do
    started=$SECONDS
    if run_once "$key.$r" "$expected"; then
      results+=("$RESULT")
      say "  run $r: $(awk '{ printf "%s events/s, %s MB/s", $1, $2 }' <<<"$RESULT")"
    else
      say "  run $r: FAILED: $FAIL"
      ROW_FAIL[$key]="FAILED: $FAIL"
      return 0
    fi
    took=$((SECONDS - started + 1))
    if ((r < RUNS && SECONDS + took > BUDGET)); then
      say "  skipping further runs of this row (time budget BENCH_BUDGET=${BUDGET}s)"
      break
    fi
  done
  ROW_RUNS[$key]=${#results[@]}
  line=$(printf '%s\n' "${results[@]}" | sort -n -k1,1 | sed -n "$(((${#results[@]} + 1) / 2))p")
  ROW_RESULT[$key]=$line
}
skip_row() { # skip_row KEY LABEL WHY
  ROWS+=("$1")
  ROW_LABEL[$1]=$2
  ROW_FAIL[$1]=$3
}

# ---------------------------------------------------------------------------------------------
# Scenarios

N_LABEL=$(thousands "$N")
PY1_LABEL=$(thousands "$PY1_N")

if wants flowtel; then
  for spec in "flowtel-1 1" "flowtel-b $FLOWTEL_BATCH" "flowtel-s $FLOWTEL_BATCH ,small"; do
    read -r key batch small <<<"$spec"
    label="flowtel flowteld->subscribe, $batch/msg ($N_LABEL ev)"
    [[ -n $small ]] && label="flowtel flowteld->subscribe, $batch/msg, small ev"
    if ((FLOWTEL_OK)); then
      SERVER=("$FLOWTELD" --listen 127.0.0.1:0 --port-file @PORTFILE@ --test-publisher "sessions:$N$small")
      # shellcheck disable=SC2206
      SERVER+=(${BENCH_FLOWTELD_ARGS:-})
      CLIENT=("$FLOWTEL" subscribe --target 127.0.0.1:@PORT@ --from-oldest --format count
        --max-events "$N" --batch-events "$batch")
      scenario "$key" "$label" "$N"
    else
      skip_row "$key" "$label" "$FLOWTEL_NOTE"
    fi
  done
fi

if wants cpp; then
  for spec in "cpp-1 1" "cpp-b $CPP_BATCH" "cpp-s $CPP_BATCH small"; do
    read -r key batch small <<<"$spec"
    label="C++ grpc++ sync, $batch/msg ($N_LABEL ev)"
    [[ -n $small ]] && label="C++ grpc++ sync, $batch/msg, small ev"
    if ((CPP_OK)); then
      # shellcheck disable=SC2206
      SERVER=("$OUT/cpp/server" 0 "$N" "$batch" @PORTFILE@ $small)
      CLIENT=("$OUT/cpp/client" 127.0.0.1:@PORT@ "$N")
      scenario "$key" "$label" "$N"
    else
      skip_row "$key" "$label" "not built (see $LOGS/build-cpp-*.log)"
    fi
  done
fi

if wants python; then
  for spec in "python-1 1 $PY1_N" "python-b $PY_BATCH $N"; do
    read -r key batch events <<<"$spec"
    label="Python grpcio sync, $batch/msg ($(thousands "$events") ev)"
    if ((PY_OK)); then
      SERVER=("$PY" "$BENCH_DIR/python/server.py" "$PY_GEN" 0 "$events" "$batch" @PORTFILE@)
      CLIENT=("$PY" "$BENCH_DIR/python/client.py" "$PY_GEN" 127.0.0.1:@PORT@ "$events")
      scenario "$key" "$label" "$events"
    else
      skip_row "$key" "$label" "not set up (see $LOGS/build-pip.log, $LOGS/build-py-protoc.log)"
    fi
  done
fi

# ---------------------------------------------------------------------------------------------
# Packets and config: one process per run, pinned to one core, timed by /usr/bin/time (wall,
# user and system CPU). Each row is the run with the median CPU time of RUNS runs.

PIN=()
if command -v taskset >/dev/null && taskset -c "$BENCH_CPU" true 2>/dev/null; then
  PIN=(taskset -c "$BENCH_CPU")
elif wants packets || wants config; then
  NOTES+=("taskset unavailable or core $BENCH_CPU absent: packet and config runs are not pinned")
fi

TIMED=""
timed() { # timed TAG STDOUT CMD...: sets TIMED="wall user sys"; stderr and timings in $LOGS/TAG.*
  local tag=$1 stdout=$2
  shift 2
  TIMED=""
  timeout -k 5 "$TIMEOUT" /usr/bin/time -f '%e %U %S' -o "$LOGS/$tag.time" "${PIN[@]}" "$@" \
    >"$stdout" 2>"$LOGS/$tag.err" || return 1
  TIMED=$(tail -n 1 "$LOGS/$tag.time")
}

PCAP=$OUT/packets-$PACKETS.pcap
make_pcap() { # writes $PCAP with flowtel-bench make-pcap, unless the same generator already did
  local stamp
  stamp=$( {
    cat "$ROOT/Sources/flowtel-bench/PacketBench.swift"
    echo "$PACKETS"
  } | sha256sum | cut -d' ' -f1)
  if [[ -f $PCAP && -f $PCAP.stamp && $(cat "$PCAP.stamp") == "$stamp" ]]; then
    say "reusing $PCAP"
    return 0
  fi
  say "writing $PCAP ($(thousands "$PACKETS") packets)"
  rm -f "$PCAP" "$PCAP.stamp"
  timeout -k 5 "$TIMEOUT" "$FLOWTEL_BENCH" make-pcap "$PCAP" "$PACKETS" >"$LOGS/make-pcap.log" 2>&1 || return 1
  echo "$stamp" >"$PCAP.stamp"
}

PACKET_ROWS=()
declare -A PKT_LABEL PKT_RESULT PKT_FAIL PKT_RUNS
spent=0
packet_row() { # packet_row KEY LABEL STDOUT CMD...
  local key=$1 label=$2 stdout=$3 r results=() out
  shift 3
  PACKET_ROWS+=("$key")
  PKT_LABEL[$key]=$label
  say "packets: $label"
  for ((r = 1; r <= RUNS; r++)); do
    out=$stdout
    [[ $out == log ]] && out=$LOGS/packets-$key-$r.out
    if ! timed "packets-$key-$r" "$out" "$@"; then
      PKT_FAIL[$key]="FAILED (see $LOGS/packets-$key-$r.err)"
      return
    fi
    if [[ $key == flowtel ]] && ! grep -q "packets=$PACKETS malformed=0 decode-errors=0 " "$out"; then
      PKT_FAIL[$key]="FAILED: not $PACKETS packets decoded without error (see $out)"
      return
    fi
    # cpu wall user sys run
    results+=("$(awk -v r="$r" '{ printf "%.2f %s %s %s %d\n", $2 + $3, $1, $2, $3, r }' <<<"$TIMED")")
    say "  run $r: $(awk '{ printf "%s s CPU (%s user, %s sys), %s s wall", $1, $3, $4, $2 }' <<<"${results[-1]}")"
    spent=$(awk -v s="${spent:-0}" '{ print s + $2 }' <<<"${results[-1]}")
    if ((r < RUNS)) && awk -v s="$spent" 'BEGIN { exit !(s > 30) }'; then
      say "  not repeating this row: its runs took ${spent} s (tshark dissects every packet)"
      break
    fi
  done
  spent=0
  PKT_RUNS[$key]=${#results[@]}
  PKT_RESULT[$key]=$(printf '%s\n' "${results[@]}" | sort -n -k1,1 | sed -n "$(((${#results[@]} + 1) / 2))p")
}

PCAP_NOTE=""
PCAP_OK=0
if wants packets; then
  if ((FLOWTEL_BENCH_OK)) && make_pcap; then
    PCAP_OK=1
    # Every tool finds the file cached the way reading a capture from disk leaves it: written
    # back, evicted, then read once untimed. (Reading fills the page cache in large folios,
    # which recent kernels map 2 MiB at a time; the file as just written sits in small ones.)
    sync "$PCAP" 2>/dev/null || sync
    dd if="$PCAP" iflag=nocache count=0 status=none 2>/dev/null || true
    cat "$PCAP" >/dev/null
    PCAP_NOTE=$(grep -o 'mean-frame-bytes=[0-9]*' "$LOGS/make-pcap.log" 2>/dev/null | cut -d= -f2 || true)
    packet_row flowtel "flowtel-bench read-decode (CaptureReader, PacketDecoder)" log \
      "$FLOWTEL_BENCH" read-decode "$PCAP"
  else
    PACKET_ROWS+=(flowtel)
    PKT_LABEL[flowtel]="flowtel-bench read-decode (CaptureReader, PacketDecoder)"
    PKT_FAIL[flowtel]=${FLOWTEL_BENCH_NOTE:-"FAILED: make-pcap (see $LOGS/make-pcap.log)"}
  fi
  if ((PCAP_OK)) && command -v tcpdump >/dev/null; then
    packet_row tcpdump "tcpdump -r FILE -w /dev/null" /dev/null tcpdump -r "$PCAP" -w /dev/null
  else
    PACKET_ROWS+=(tcpdump)
    PKT_LABEL[tcpdump]="tcpdump -r FILE -w /dev/null"
    PKT_FAIL[tcpdump]="not run (no pcap, or tcpdump not installed: see $LOGS/build-apt.log)"
  fi
  if ((PCAP_OK)) && command -v tshark >/dev/null; then
    packet_row tshark "tshark -r FILE -T fields -e frame.number" /dev/null \
      tshark -r "$PCAP" -T fields -e frame.number
  else
    PACKET_ROWS+=(tshark)
    PKT_LABEL[tshark]="tshark -r FILE -T fields -e frame.number"
    PKT_FAIL[tshark]="not run (no pcap, or tshark not installed: see $LOGS/build-apt.log)"
  fi
fi

CONFIG_RESULT=""
CONFIG_FAIL=""
if wants config; then
  if ((FLOWTEL_BENCH_OK)); then
    say "config: parsing $(thousands "$CONFIG_LINES") set-style lines"
    results=()
    for ((r = 1; r <= RUNS; r++)); do
      out=$LOGS/config-$r.out
      if ! timed "config-$r" "$out" "$FLOWTEL_BENCH" config-parse "$CONFIG_LINES" ||
        ! grep -q "lines=$CONFIG_LINES " "$out"; then
        CONFIG_FAIL="FAILED (see $LOGS/config-$r.err, $out)"
        break
      fi
      # seconds lines/s check-seconds wall user sys (seconds: the parse alone, check-seconds:
      # the typed DeviceConfig with its reference checks, both by the process's monotonic clock)
      results+=("$(awk -v t="$TIMED" '{
          for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
          printf "%s %s %s %s\n", v["seconds"], v["lines-per-second"], v["check-seconds"], t }' "$out")")
      say "  run $r: $(awk '{ printf "%s s, %s lines/s", $1, $2 }' <<<"${results[-1]}")"
    done
    if [[ -z $CONFIG_FAIL ]]; then
      CONFIG_RESULT=$(printf '%s\n' "${results[@]}" | sort -g -k1,1 | sed -n "$(((${#results[@]} + 1) / 2))p")
    fi
  else
    CONFIG_FAIL=$FLOWTEL_BENCH_NOTE
  fi
fi

# ---------------------------------------------------------------------------------------------
# Table

baseline_for() { # the C++ row with the same batching (one per message, or batched)
  case $1 in
  *-1) echo cpp-1 ;;
  *-s) echo cpp-s ;;
  *) echo cpp-b ;;
  esac
}

mib() { [[ $1 =~ ^[0-9]+$ ]] && awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }' || echo "?"; }

: >"$OUT/results.txt"
if wants_streaming; then {
  echo
  echo "flowtel streaming benchmark  $(date -u '+%Y-%m-%d %H:%M:%SZ')  $(uname -m), $(nproc) cores," \
    "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
  echo "loopback 127.0.0.1, plaintext; SessionClose events; events/s and MB/s measured by the client" \
    "from its first message to end of stream"
  echo
  fmt='%-54s %11s %9s %6s %8s %9s %9s %8s\n'
  # shellcheck disable=SC2059
  printf "$fmt" "scenario" "events/s" "MB/s" "B/ev" "vs C++" "srv MiB" "cli MiB" "wall s"
  # shellcheck disable=SC2059
  printf "$fmt" "$(printf '%.0s-' {1..54})" "-----------" "---------" "------" "--------" \
    "---------" "---------" "--------"
  for key in "${ROWS[@]}"; do
    if [[ -n ${ROW_RESULT[$key]:-} ]]; then
      read -r evps mbps bpe srss crss wall <<<"${ROW_RESULT[$key]}"
      base=$(baseline_for "$key")
      ratio="-"
      if [[ -n ${ROW_RESULT[$base]:-} ]]; then
        ratio=$(awk -v a="$evps" -v b="$(cut -d' ' -f1 <<<"${ROW_RESULT[$base]}")" \
          'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }')
      fi
      label=${ROW_LABEL[$key]}
      if ((${ROW_RUNS[$key]} < RUNS)); then label="$label *"; fi
      # shellcheck disable=SC2059
      printf "$fmt" "$label" "$(thousands "$evps")" "$mbps" "$bpe" "$ratio" \
        "$(mib "$srss")" "$(mib "$crss")" "$wall"
    else
      printf '%-54s %s\n' "${ROW_LABEL[$key]}" "${ROW_FAIL[$key]:-no result}"
    fi
  done
  echo
  echo "MB/s = protobuf payload bytes (gRPC framing and HTTP/2 not counted) / 10^6 / s." \
    "vs C++ = events/s over the C++ row with the same batching"
  echo "(one per message, or batched: C++ $CPP_BATCH/msg). srv/cli MiB = peak RSS (VmHWM of the" \
    "server, /usr/bin/time %M of the client). wall s = client process start to exit."
  echo "small ev = the smallest SessionClose (session id, protocol, reason, client counters; ~70 B" \
    "framed), $N_LABEL of them: the per-event floor of each stack."
  if ((RUNS > 1)); then
    echo "Each row is the run with the median events/s of $RUNS runs (* = fewer runs: time budget)."
  fi
  for note in "${NOTES[@]+"${NOTES[@]}"}"; do echo "note: $note"; done
  echo "Logs: $LOGS"
} | tee -a "$OUT/results.txt"; fi

per_second() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "-" }'; }
where="$(uname -m), $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
pinned="pinned to core $BENCH_CPU with taskset"
((${#PIN[@]})) || pinned="not pinned (no taskset)"

if wants packets; then {
  echo
  echo "flowtel packet reading and decoding  $(date -u '+%Y-%m-%d %H:%M:%SZ')  $where"
  echo "$(thousands "$PACKETS")-packet Ethernet pcap ($PCAP, mean frame ${PCAP_NOTE:-?} bytes)," \
    "in the page cache as a read leaves it, one process per run $pinned"
  echo
  fmt='%-58s %14s %8s %8s %8s %8s %10s\n'
  # shellcheck disable=SC2059
  printf "$fmt" "tool" "packets/s/core" "CPU s" "user s" "sys s" "wall s" "vs flowtel"
  # shellcheck disable=SC2059
  printf "$fmt" "$(printf '%.0s-' {1..58})" "--------------" "--------" "--------" "--------" "--------" \
    "----------"
  base=""
  [[ -n ${PKT_RESULT[flowtel]:-} ]] && base=$(per_second "$PACKETS" "$(cut -d' ' -f1 <<<"${PKT_RESULT[flowtel]}")")
  for key in "${PACKET_ROWS[@]}"; do
    if [[ -n ${PKT_RESULT[$key]:-} ]]; then
      read -r cpu wall user sys _ <<<"${PKT_RESULT[$key]}"
      rate=$(per_second "$PACKETS" "$cpu")
      ratio=$(awk -v a="$rate" -v b="$base" 'BEGIN {
          if (b > 0 && a > 0) printf (a / b < 0.1 ? "%.4fx" : "%.2fx"), a / b; else print "-" }')
      label=${PKT_LABEL[$key]}
      if ((${PKT_RUNS[$key]} < RUNS)); then label="$label *"; fi
      # shellcheck disable=SC2059
      printf "$fmt" "$label" "$(thousands "$rate")" "$cpu" "$user" "$sys" "$wall" "$ratio"
    else
      printf '%-58s %s\n' "${PKT_LABEL[$key]}" "${PKT_FAIL[$key]:-no result}"
    fi
  done
  echo
  echo "packets/s/core = packets / (user + system CPU seconds of the whole process, start-up and" \
    "unmapping included; /usr/bin/time, 10 ms resolution)."
  echo "vs flowtel = the tool's packets/s/core over flowtel's. Each row is the run with the median" \
    "CPU time of $RUNS runs (* = fewer: a row whose runs pass 30 s is not repeated)."
  if [[ -n ${PKT_RESULT[flowtel]:-} ]]; then
    run=$(cut -d' ' -f5 <<<"${PKT_RESULT[flowtel]}")
    inner=$(grep -o 'packets-per-second=[0-9]*' "$LOGS/packets-flowtel-$run.out" | cut -d= -f2)
    echo "flowtel's own clock around open, read and decode (monotonic, in the process):" \
      "$(thousands "${inner:-0}") packets/s."
    awk -v r="$base" 'BEGIN { printf "target: >= 8,000,000 packets/s per core: %s\n", (r >= 8000000 ? "met" : "NOT met") }'
  fi
  echo "Logs: $LOGS"
} | tee -a "$OUT/results.txt"; fi

if wants config; then {
  echo
  echo "flowtel Junos configuration parsing  $(date -u '+%Y-%m-%d %H:%M:%SZ')  $where"
  echo
  if [[ -n $CONFIG_RESULT ]]; then
    read -r seconds lps check _ <<<"$CONFIG_RESULT"
    fmt='%-58s %10s %10s %14s\n'
    # shellcheck disable=SC2059
    printf "$fmt" "input" "lines" "seconds" "lines/s"
    # shellcheck disable=SC2059
    printf "$fmt" "$(printf '%.0s-' {1..58})" "----------" "----------" "--------------"
    # shellcheck disable=SC2059
    printf "$fmt" "set-style configuration, ConfigParser.parse" "$(thousands "$CONFIG_LINES")" \
      "$(awk -v s="$seconds" 'BEGIN { printf "%.3f", s }')" "$(thousands "$lps")"
    # shellcheck disable=SC2059
    printf "$fmt" "  then DeviceConfig.check (typed, references checked)" "$(thousands "$CONFIG_LINES")" \
      "$(awk -v s="$check" 'BEGIN { printf "%.3f", s }')" \
      "$(thousands "$(awk -v s="$check" -v n="$CONFIG_LINES" 'BEGIN { printf "%d", (s > 0 ? n / s : 0) }')")"
    echo
    echo "seconds = ConfigParser.parse(text:file:) alone (monotonic clock in the process; the text" \
      "is built in memory first); median of $RUNS runs, $pinned."
    awk -v s="$seconds" -v n="$CONFIG_LINES" \
      'BEGIN { printf "target: %d lines in under a second: %s\n", n, (s < 1 ? "met" : "NOT met") }'
  else
    echo "set-style configuration: ${CONFIG_FAIL:-no result}"
  fi
} | tee -a "$OUT/results.txt"; fi

ENGINE_FAILED=0
if wants engine; then
  if ((FLOWTEL_BENCH_OK)); then
    # Its tables go to stdout and results.txt; exit 1 when a row that could run failed.
    FLOWTEL_BENCH=$FLOWTEL_BENCH BENCH_RUNS=$RUNS BENCH_CPU=$BENCH_CPU BENCH_TIMEOUT=$TIMEOUT \
      "$BENCH_DIR/engine.sh" || ENGINE_FAILED=1
  else
    { echo; echo "flowtel flow engine: $FLOWTEL_BENCH_NOTE"; } | tee -a "$OUT/results.txt"
  fi
fi

SINKS_FAILED=0
if wants sinks; then
  if ((FLOWTEL_OK)); then
    FLOWTELD=$FLOWTELD FLOWTEL=$FLOWTEL BENCH_TIMEOUT=$TIMEOUT "$BENCH_DIR/sinks.sh" || SINKS_FAILED=1
  else
    { echo; echo "flowtel sinks: $FLOWTEL_NOTE"; } | tee -a "$OUT/results.txt"
  fi
fi

# Nonzero exit if a scenario that could run failed (rows that are only "not built" don't count).
((ENGINE_FAILED == 0 && SINKS_FAILED == 0)) || exit 1
for key in "${ROWS[@]+"${ROWS[@]}"}"; do
  [[ ${ROW_FAIL[$key]:-} == FAILED:* ]] && exit 1
done
for key in "${PACKET_ROWS[@]+"${PACKET_ROWS[@]}"}"; do
  [[ ${PKT_FAIL[$key]:-} == FAILED* ]] && exit 1
done
[[ $CONFIG_FAIL == FAILED* ]] && exit 1
exit 0
