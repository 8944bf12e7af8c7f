# flowtel -- build, test and benchmark entry points.
#
#   make demo    flowteld on an example SRX configuration with generated traffic, its RT_FLOW
#                events streamed to the terminal by flowtel subscribe (Ctrl-C stops both)
#   make test    install what is missing, build, and run every test (CI runs this)
#   make bench   benchmarks: streaming vs C++ and Python gRPC, packet decoding vs tcpdump and
#                tshark, config parsing, the flow engine vs softflowd and argus (BENCH_ONLY picks)
#   make build   debug build of flowteld and flowtel
#   make release release build
#   make proto   regenerate the protobuf-c code after editing proto/

SHELL := /bin/bash
.DEFAULT_GOAL := build

# tshark and softflowd: CrossCheckTests counts sessions against them (docs/CROSS-CHECK.md).
APT_PACKAGES := libgrpc-dev libprotobuf-c-dev protobuf-c-compiler protobuf-compiler pkg-config \
                python3-venv libsqlite3-dev zlib1g-dev openssl time \
                libpcap-dev iproute2 tshark softflowd
# tshark asks a debconf question on install; apt-deps installs with DEBIAN_FRONTEND=noninteractive.
BENCH_APT_PACKAGES := libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev tcpdump tshark \
                      softflowd argus-server argus-client valgrind
VENV := .venv
PYTHON := $(VENV)/bin/python
PIP_PACKAGES := grpcio grpcio-tools grpcio-reflection grpcio-health-checking pytest

.PHONY: demo build release test deps apt-deps venv proto proto-check swift-test sanitizer-test fuzz-test interop-test bench clean

build: apt-deps
	swift build

# The demo: flowteld runs the flow engine on deploy/examples/$(DEMO_CONFIG) with generated
# traffic ($(DEMO_RATE) new sessions per second) and flowtel subscribe prints every event.
DEMO_CONFIG ?= branch-srx.set
DEMO_RATE ?= 20
demo: apt-deps
	swift build --product flowteld
	swift build --product flowtel
	@rm -f .build/demo.port
	@echo "== flowteld --config deploy/examples/$(DEMO_CONFIG) --generate $(DEMO_RATE); Ctrl-C stops"
	@trap 'kill $$daemon 2>/dev/null; wait $$daemon 2>/dev/null' EXIT INT TERM; \
	  .build/debug/flowteld --listen 127.0.0.1:0 --port-file .build/demo.port \
	    --config deploy/examples/$(DEMO_CONFIG) --generate $(DEMO_RATE) --log-level warning & daemon=$$!; \
	  for i in $$(seq 100); do [ -s .build/demo.port ] && break; sleep 0.1; done; \
	  [ -s .build/demo.port ] || { echo "flowteld did not start"; exit 1; }; \
	  .build/debug/flowtel subscribe --target 127.0.0.1:$$(cat .build/demo.port) --from-oldest

release: apt-deps
	swift build -c release --product flowteld
	swift build -c release --product flowtel

# Debian packages: installed only when missing (apt-get update once first).
apt-deps:
	@missing=""; for p in $(APT_PACKAGES) $(EXTRA_APT); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

# Python venv for the interoperability tests (real grpcio peers).
venv: $(VENV)/.installed
$(VENV)/.installed: tests/interop/requirements.txt
	@test -x $(PYTHON) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -r tests/interop/requirements.txt
	@touch $@

deps: apt-deps venv

proto: apt-deps
	proto/generate.sh

proto-check: apt-deps
	proto/generate.sh --check

swift-test: apt-deps
	swift build --build-tests
	swift test --skip-build

# The C shim, the transport, the codec, the hub, the packet decoder, the capture-file readers,
# the flow engine (its unsafe-buffer session table, its SPU threads) and the renderers
# under AddressSanitizer and LeakSanitizer: streams, cancellations and shutdowns must leave no
# leak and no memory error, and no input, however malformed, may make a reader step outside it.
SANITIZED_SUITES := Transport|StreamingTests|ProtoPassThroughTests|SQLiteCompactRowsTests|CodecTests|ChassisCodecTests|DecoderFastPathTests|ByteSinkTests|EventHubTests|ReplayRingTests|MalformedTests|RobustnessTests|PacketSourcesTests|FlowEngineTests|SyslogRenderer
sanitizer-test: apt-deps
	@mkdir -p .build-asan
	@# gold prints ~140 harmless "Cannot export local symbol '__asan_...'" lines per link: keep the log.
	swift build --scratch-path .build-asan --build-tests -Xswiftc -sanitize=address -Xcc -fsanitize=address \
	  > .build-asan/build.log 2>&1 || { grep -v "Cannot export local symbol" .build-asan/build.log; exit 1; }
	ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/lsan.supp SWIFT_BACKTRACE=enable=no \
	  .build-asan/debug/flowtelPackageTests.xctest --testing-library swift-testing --filter '$(SANITIZED_SUITES)'

# libFuzzer on the packet decoder, the capture-file readers and the configuration parser (see
# Fuzz/README.md). For each target: replay every file in Fuzz/regressions/<target>/, then a bounded, seeded search from
# Fuzz/corpus/<target>/. Inputs it finds go to a scratch corpus (libFuzzer writes to, and may
# delete from, its first corpus directory), crashes to .build-fuzz/artifacts/; a crash fails.
FUZZ_TARGETS := decoder capture config
FUZZ_RUNS ?= 200000
# A configuration input costs a parse, a typed build and two print-and-reparse round trips, so
# the config target runs 1/100 as many inputs (2,000 by default; a 30,000-input run found nothing).
FUZZ_FLAGS ?= -max_len=4096 -seed=1
FUZZ_RUN := SWIFT_BACKTRACE=enable=no .build-fuzz/debug/flowtel-fuzz
fuzz-test: apt-deps
	@mkdir -p .build-fuzz/artifacts
	swift build --scratch-path .build-fuzz --product flowtel-fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING \
	  > .build-fuzz/build.log 2>&1 || { grep -v "Cannot export local symbol" .build-fuzz/build.log; exit 1; }
	@set -e; for target in $(FUZZ_TARGETS); do \
	  regressions=$$(find Fuzz/regressions/$$target -type f ! -name '.*' | sort); \
	  if [ -n "$$regressions" ]; then \
	    echo "== $$target: replaying $$(echo "$$regressions" | wc -l) regressions"; \
	    $(FUZZ_RUN) $$target -artifact_prefix=.build-fuzz/artifacts/$$target- $$regressions; \
	  fi; \
	  rm -rf .build-fuzz/corpus/$$target && mkdir -p .build-fuzz/corpus/$$target; \
	  runs=$(FUZZ_RUNS); [ $$target = config ] && runs=$$(( ($(FUZZ_RUNS) + 99) / 100 )); \
	  echo "== $$target: -runs=$$runs $(FUZZ_FLAGS)"; \
	  $(FUZZ_RUN) $$target -runs=$$runs $(FUZZ_FLAGS) -artifact_prefix=.build-fuzz/artifacts/$$target- \
	    .build-fuzz/corpus/$$target Fuzz/corpus/$$target Fuzz/regressions/$$target; \
	done

interop-test: venv
	swift build --product flowteld
	swift build --product flowtel
	FLOWTELD=$(CURDIR)/.build/debug/flowteld FLOWTEL=$(CURDIR)/.build/debug/flowtel \
	  $(VENV)/bin/pytest -q tests/interop

test: deps proto-check swift-test sanitizer-test fuzz-test interop-test

bench:
	$(MAKE) apt-deps EXTRA_APT="$(BENCH_APT_PACKAGES)"
	$(MAKE) venv
	bench/run.sh

clean:
	rm -rf .build .build-* bench/out
