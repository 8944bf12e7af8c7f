#!/usr/bin/env bash
# Streaming benchmark: flowtel vs a C++ gRPC baseline vs a Python grpcio baseline.
#
# Streams session events over loopback (127.0.0.1) for each scenario and prints one table:
# events/s, MB/s of protobuf payload, ratio to the C++ baseline with the same batching, and the
# peak RSS of both ends. See bench/README.md for what each row means.
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
#   BENCH_ONLY            comma list of flowtel,cpp,python (default all three)
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
ONLY=${BENCH_ONLY:-flowtel,cpp,python}
SWIFT_BUILD=${BENCH_SWIFT_BUILD:-1}
SCRATCH=${BENCH_SCRATCH_PATH:-$ROOT/.build}
VENV=${BENCH_VENV:-$ROOT/.venv}
TIMEOUT=${BENCH_TIMEOUT:-300}
BUILD_TIMEOUT=${BENCH_BUILD_TIMEOUT:-900}
READY_TIMEOUT=120 # seconds a server may take to write its port file

for v in N PY1_N FLOWTEL_BATCH CPP_BATCH PY_BATCH RUNS BUDGET TIMEOUT BUILD_TIMEOUT; do
  if ! [[ ${!v} =~ ^[1-9][0-9]*$ ]]; then
    echo "bench: $v must be a positive integer (got '${!v}')" >&2
    exit 2
  fi
done

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

if wants cpp; then
  if build_cpp; then CPP_OK=1; fi
fi
if wants python; then
  if setup_python; then PY_OK=1; fi
fi
FLOWTEL_OK=0
if wants flowtel; then
  if build_swift; then FLOWTEL_OK=1; fi
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
  for spec in "flowtel-1 1" "flowtel-b $FLOWTEL_BATCH"; do
    read -r key batch <<<"$spec"
    label="flowtel flowteld->subscribe, $batch/msg ($N_LABEL ev)"
    if ((FLOWTEL_OK)); then
      SERVER=("$FLOWTELD" --listen 127.0.0.1:0 --port-file @PORTFILE@ --test-publisher "sessions:$N")
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
  for spec in "cpp-1 1" "cpp-b $CPP_BATCH"; do
    read -r key batch <<<"$spec"
    label="C++ grpc++ sync, $batch/msg ($N_LABEL ev)"
    if ((CPP_OK)); then
      SERVER=("$OUT/cpp/server" 0 "$N" "$batch" @PORTFILE@)
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
# Table

baseline_for() { # the C++ row with the same batching (one per message, or batched)
  case $1 in
  *-1) echo cpp-1 ;;
  *) echo cpp-b ;;
  esac
}

mib() { [[ $1 =~ ^[0-9]+$ ]] && awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }' || echo "?"; }

{
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
  if ((RUNS > 1)); then
    echo "Each row is the run with the median events/s of $RUNS runs (* = fewer runs: time budget)."
  fi
  for note in "${NOTES[@]+"${NOTES[@]}"}"; do echo "note: $note"; done
  echo "Logs: $LOGS"
} | tee "$OUT/results.txt"

# Nonzero exit if a scenario that could run failed (rows that are only "not built" don't count).
for key in "${ROWS[@]}"; do
  [[ ${ROW_FAIL[$key]:-} == FAILED:* ]] && exit 1
done
exit 0
