"""Shared fixtures and helpers of flowtel's Python interoperability tests.

* ``pb``: Python stubs generated at test time (session scope) from proto/ with grpcio-tools,
  into a temporary directory: flowtel/v1/*.proto, grpc/health/v1/health.proto and both
  grpc/reflection versions (our own copies, so the tests do not depend on what grpcio-reflection
  ships). Nothing generated is ever written into the repository.
* ``start_daemon``: starts flowteld (``$FLOWTELD``, default ``.build/debug/flowteld``) on
  127.0.0.1 port 0 with ``--port-file`` and ``--test-publisher samples``, waits (at most 20 s)
  for the port file, and at teardown stops it with SIGTERM and asserts exit status 0 within 10 s.
* ``daemon`` / ``token_daemon``: one started daemon, without / with ``--token-file`` (token
  ``s3cret``).

Every subprocess and every RPC has a timeout.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import types
from pathlib import Path

import grpc
import pytest

REPO = Path(__file__).resolve().parents[2]
PROTO = REPO / "proto"

#: The node name the daemon under test is started with (SampleEvents.node).
NODE = "srx-lab-1"
#: The bearer token of ``token_daemon``.
TOKEN = "s3cret"
#: Events ``--test-publisher samples`` publishes: SampleEvents.all() minus its three
#: stream-control samples.
SAMPLE_COUNT = 13

#: Bound of one ordinary RPC, seconds.
RPC_TIMEOUT = 10
#: Bound of the daemon's start-up (port file written), seconds.
START_TIMEOUT = 20
#: Bound of the daemon's exit after SIGTERM, seconds.
STOP_TIMEOUT = 10

#: The package the generated grpc.health / grpc.reflection stubs are imported from.
GRPC_STUB_PACKAGE = "interop_grpc"

PROTO_FILES = [
    "flowtel/v1/events.proto",
    "flowtel/v1/flowtel.proto",
    "grpc/health/v1/health.proto",
    "grpc/reflection/v1/reflection.proto",
    "grpc/reflection/v1alpha/reflection.proto",
]


def binary(env_var: str, default: str) -> Path:
    """The path of a binary under test: ``$env_var`` (relative paths are taken from the
    repository root), else ``default``."""
    path = Path(os.environ.get(env_var) or default)
    if not path.is_absolute():
        path = REPO / path
    return path


FLOWTELD = binary("FLOWTELD", ".build/debug/flowteld")
FLOWTEL = binary("FLOWTEL", ".build/debug/flowtel")


# ---------------------------------------------------------------------------------------------
# Generated stubs


@pytest.fixture(scope="session")
def pb(tmp_path_factory) -> types.SimpleNamespace:
    """The generated modules, generated once per test session into a temporary directory."""
    gen = tmp_path_factory.mktemp("gen")
    command = [
        sys.executable, "-m", "grpc_tools.protoc", f"-I{PROTO}",
        f"--python_out={gen}", f"--grpc_python_out={gen}", *PROTO_FILES,
    ]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"protoc failed:\n{result.stdout}\n{result.stderr}"

    # grpc/health/v1 and grpc/reflection/* come out as modules of a `grpc` package, as their
    # .proto paths say; but `grpc` is grpcio's, which maps `grpc.health` and `grpc.reflection`
    # to grpcio-health-checking's and grpcio-reflection's packages. Move our modules to a package
    # of their own and point the _pb2_grpc files' imports at it. (The descriptors keep their
    # .proto names, grpc/health/v1/health.proto etc., as in the daemon's reflection.) Only these
    # stubs may be imported in this process: grpcio-health-checking's and grpcio-reflection's
    # own _pb2 modules define the same symbols, so the test using grpcio-reflection's stock
    # client runs it in a subprocess.
    shutil.move(gen / "grpc", gen / GRPC_STUB_PACKAGE)
    for path in (gen / GRPC_STUB_PACKAGE).rglob("*_pb2_grpc.py"):
        text, count = re.subn(r"^from grpc\.(health|reflection)\.", rf"from {GRPC_STUB_PACKAGE}.\1.",
                              path.read_text(), flags=re.MULTILINE)
        assert count == 1, f"{path}: expected one import of its _pb2 module to redirect, found {count}"
        path.write_text(text)
    sys.path.insert(0, str(gen))

    from flowtel.v1 import events_pb2, flowtel_pb2, flowtel_pb2_grpc
    from interop_grpc.health.v1 import health_pb2, health_pb2_grpc
    from interop_grpc.reflection.v1 import reflection_pb2 as reflection_v1_pb2
    from interop_grpc.reflection.v1 import reflection_pb2_grpc as reflection_v1_pb2_grpc
    from interop_grpc.reflection.v1alpha import reflection_pb2 as reflection_v1alpha_pb2
    from interop_grpc.reflection.v1alpha import reflection_pb2_grpc as reflection_v1alpha_pb2_grpc

    return types.SimpleNamespace(
        gen_dir=gen,
        events=events_pb2,
        flowtel=flowtel_pb2,
        flowtel_grpc=flowtel_pb2_grpc,
        health=health_pb2,
        health_grpc=health_pb2_grpc,
        reflection_v1=reflection_v1_pb2,
        reflection_v1_grpc=reflection_v1_pb2_grpc,
        reflection_v1alpha=reflection_v1alpha_pb2,
        reflection_v1alpha_grpc=reflection_v1alpha_pb2_grpc,
    )


# ---------------------------------------------------------------------------------------------
# The daemon under test


class Daemon:
    """A running flowteld and the channels opened to it."""

    def __init__(self, process: subprocess.Popen, port: int, log_path: Path, token: str | None, pb):
        self.process = process
        self.port = port
        self.log_path = log_path
        self.token = token
        self.pb = pb
        self.terminated = False
        self._channels: list[grpc.Channel] = []

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def metadata(self) -> list[tuple[str, str]]:
        """The right authorization metadata (empty without a token)."""
        return [("authorization", f"Bearer {self.token}")] if self.token else []

    def channel(self, options=()) -> grpc.Channel:
        """A new insecure channel to the daemon, closed at teardown."""
        channel = grpc.insecure_channel(self.target, options=list(options))
        self._channels.append(channel)
        return channel

    def stub(self, channel: grpc.Channel | None = None):
        return self.pb.flowtel_grpc.FlowtelStub(channel or self.channel())

    def list_subscribers(self, stub=None):
        stub = stub or self.stub()
        return stub.ListSubscribers(
            self.pb.flowtel.ListSubscribersRequest(), metadata=self.metadata, timeout=RPC_TIMEOUT)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def terminate(self) -> None:
        """Sends SIGTERM once."""
        if not self.terminated and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        self.terminated = True

    def close_channels(self) -> None:
        for channel in self._channels:
            channel.close()
        self._channels.clear()

    def stop(self) -> int:
        """SIGTERM (unless already sent), then the exit status; kills it after STOP_TIMEOUT."""
        self.close_channels()
        self.terminate()
        try:
            return self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)
            raise AssertionError(
                f"flowteld did not exit within {STOP_TIMEOUT} s of SIGTERM\n--- log ---\n{self.log()}")


@pytest.fixture
def start_daemon(pb, tmp_path):
    """Factory: ``start_daemon(token=None, publisher="samples", node=NODE, extra=())`` starts a
    flowteld and returns its ``Daemon`` once it listens (and, with the samples publisher, once
    all samples are published). Every daemon is stopped at teardown and must exit 0."""
    started: list[Daemon] = []

    def start(token: str | None = None, publisher: str | None = "samples", node: str = NODE, extra=()) -> Daemon:
        assert FLOWTELD.is_file(), f"flowteld not found at {FLOWTELD} (set FLOWTELD)"
        index = len(started)
        port_file = tmp_path / f"flowteld-{index}.port"
        log_path = tmp_path / f"flowteld-{index}.log"
        command = [str(FLOWTELD), "--listen", "127.0.0.1:0", "--port-file", str(port_file), "--node", node]
        if publisher:
            command += ["--test-publisher", publisher]
        if token is not None:
            token_file = tmp_path / f"flowteld-{index}.token"
            token_file.write_text(token + "\n")
            command += ["--token-file", str(token_file)]
        command += list(extra)
        with open(log_path, "wb") as log:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        port = None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if port_file.exists():  # written atomically (temporary name, then rename)
                port = int(port_file.read_text().strip())
                break
            if process.poll() is not None:
                break
            time.sleep(0.02)
        daemon = Daemon(process, port or 0, log_path, token, pb)
        started.append(daemon)
        if port is None:
            status = process.poll()
            raise AssertionError(
                f"flowteld wrote no port file within {START_TIMEOUT} s (exit status {status})\n"
                f"--- log ---\n{daemon.log()}")
        if publisher == "samples":
            # The publisher thread starts right after the port file is written: wait until
            # every sample is in the replay ring, so that replay from the oldest is complete.
            stub = daemon.stub()
            wait_for(lambda: daemon.list_subscribers(stub).head_seq == SAMPLE_COUNT, timeout=5,
                     what=f"head_seq {SAMPLE_COUNT}")
        return daemon

    yield start

    failures = []
    for daemon in started:
        status = daemon.stop()
        if status != 0:
            failures.append(f"flowteld on port {daemon.port} exited with {status}\n--- log ---\n{daemon.log()}")
    assert not failures, "\n".join(failures)


@pytest.fixture
def daemon(start_daemon) -> Daemon:
    """flowteld with the sample events, no token."""
    return start_daemon()


@pytest.fixture
def token_daemon(start_daemon) -> Daemon:
    """flowteld with the sample events and ``--token-file`` holding TOKEN."""
    return start_daemon(token=TOKEN)


# ---------------------------------------------------------------------------------------------
# Helpers


def wait_for(predicate, timeout: float, what: str = "condition", interval: float = 0.05):
    """Polls ``predicate`` until it returns a truthy value (returned) or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except grpc.RpcError as error:  # e.g. the daemon not yet answering
            last_error = error
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what} (last error: {last_error})")
        time.sleep(interval)


def ip(text: str) -> bytes:
    """An address as flowtel sends it: 4 bytes for IPv4, 16 for IPv6, network order."""
    return ipaddress.ip_address(text).packed


def subscribe_request(pb, **fields):
    """A SubscribeRequest from the oldest event unless ``start`` is given."""
    fields.setdefault("start", pb.flowtel.START_POSITION_FROM_OLDEST)
    return pb.flowtel.SubscribeRequest(**fields)


def read_until_sync(batches, limit: int = 10_000) -> list:
    """Events from an iterator of EventBatch messages, through the first SyncResponse event
    (included). Fails if the stream ends first or more than ``limit`` events arrive."""
    events = []
    for batch in batches:
        for event in batch.events:
            events.append(event)
            if event.WhichOneof("payload") == "sync_response":
                return events
            assert len(events) <= limit, "no SyncResponse"
    raise AssertionError(f"stream ended without a SyncResponse after {len(events)} events")


def status_of(call, *args, **kwargs) -> grpc.RpcError:
    """Calls ``call`` (consuming a stream if it returns one) and returns the grpc.RpcError it
    ends with; fails if it succeeds."""
    try:
        result = call(*args, **kwargs)
        if hasattr(result, "__iter__") and not isinstance(result, (bytes, str)):
            for _ in result:
                pass
    except grpc.RpcError as error:
        return error
    raise AssertionError(f"{call} succeeded; expected an error status")


def message_to_dict(message) -> dict:
    """Every field of ``message`` (defaults included) as plain Python values: nested messages as
    dicts, repeated fields as lists, enums by their proto names, bytes as bytes."""
    result = {}
    for field in message.DESCRIPTOR.fields:
        value = getattr(message, field.name)
        if _is_repeated(field):
            result[field.name] = [_field_value(field, item) for item in value]
        else:
            result[field.name] = _field_value(field, value)
    return result


def _is_repeated(field) -> bool:
    # protobuf >= 5.28 has `is_repeated`; `label` is gone in protobuf 7.
    if hasattr(field, "is_repeated"):
        return field.is_repeated
    return field.label == field.LABEL_REPEATED


def _field_value(field, value):
    if field.type == field.TYPE_MESSAGE:
        return message_to_dict(value)
    if field.type == field.TYPE_ENUM:
        known = field.enum_type.values_by_number.get(value)
        return known.name if known else value
    return value


def default_fields(message, prefix: str = "") -> set[str]:
    """Qualified names (``Message.field``) of the fields of ``message`` and its nested messages
    that are at their default value (not listed by ListFields)."""
    name = message.DESCRIPTOR.name
    present = {field.name for field, _ in message.ListFields()}
    missing = set()
    for field in message.DESCRIPTOR.fields:
        if field.name not in present:
            missing.add(f"{name}.{field.name}")
            continue
        if field.type != field.TYPE_MESSAGE:
            continue
        value = getattr(message, field.name)
        for item in value if _is_repeated(field) else [value]:
            missing |= default_fields(item)
    return missing


def unknown_fields(message) -> list[str]:
    """Paths of unknown fields anywhere in ``message`` (fields the contract does not define)."""
    from google.protobuf import unknown_fields as unknown

    found = [f"{message.DESCRIPTOR.full_name}#{f.field_number}" for f in unknown.UnknownFieldSet(message)]
    for field, value in message.ListFields():
        if field.type != field.TYPE_MESSAGE:
            continue
        for item in value if _is_repeated(field) else [value]:
            found += unknown_fields(item)
    return found


def run_cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess:
    """Runs the flowtel CLI (``$FLOWTEL``) with a timeout; text output captured."""
    assert FLOWTEL.is_file(), f"flowtel not found at {FLOWTEL} (set FLOWTEL)"
    return subprocess.run(
        [str(FLOWTEL), *args], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
