"""grpc.health.v1.Health on flowteld, with stubs generated from proto/grpc/health/v1."""

import json
import queue
import subprocess
import sys
import threading
import time

import grpc

from conftest import RPC_TIMEOUT, status_of


def test_check(pb, daemon):
    stub = pb.health_grpc.HealthStub(daemon.channel())
    H = pb.health
    for service in ("", "flowtel.v1.Flowtel"):
        response = stub.Check(H.HealthCheckRequest(service=service), timeout=RPC_TIMEOUT)
        assert response.status == H.HealthCheckResponse.SERVING, service
    error = status_of(stub.Check, H.HealthCheckRequest(service="nope"), timeout=RPC_TIMEOUT)
    assert error.code() == grpc.StatusCode.NOT_FOUND


def test_watch_ends_on_sigterm(pb, daemon):
    stub = pb.health_grpc.HealthStub(daemon.channel())
    H = pb.health
    watch = stub.Watch(H.HealthCheckRequest(service="flowtel.v1.Flowtel"), timeout=30)
    try:
        first = next(watch)
        assert first.status == H.HealthCheckResponse.SERVING

        # Read the rest on a thread, so that the 10 s bound holds whatever the stream does.
        received = queue.Queue()

        def drain():
            try:
                for response in watch:
                    received.put(("status", response.status))
                received.put(("end", grpc.StatusCode.OK))
            except grpc.RpcError as error:
                received.put(("end", error.code()))

        threading.Thread(target=drain, daemon=True).start()
        time.sleep(0.2)
        assert received.empty(), "Watch sent a second status before anything changed"

        daemon.terminate()
        deadline = time.monotonic() + 10
        seen = []
        while True:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"Watch neither reported NOT_SERVING nor ended within 10 s (saw {seen})"
            try:
                kind, value = received.get(timeout=remaining)
            except queue.Empty:
                raise AssertionError(f"Watch neither reported NOT_SERVING nor ended within 10 s (saw {seen})")
            seen.append((kind, value))
            if kind == "end":
                raise AssertionError(f"Watch ended without reporting NOT_SERVING (saw {seen})")
            if value == H.HealthCheckResponse.NOT_SERVING:
                break
            assert value == H.HealthCheckResponse.SERVING, f"unexpected status {value}"
    finally:
        watch.cancel()


def test_watch_unknown_service(pb, daemon):
    stub = pb.health_grpc.HealthStub(daemon.channel())
    H = pb.health
    watch = stub.Watch(H.HealthCheckRequest(service="nope"), timeout=RPC_TIMEOUT)
    try:
        assert next(watch).status == H.HealthCheckResponse.SERVICE_UNKNOWN
    finally:
        watch.cancel()


STOCK_CLIENT = r"""
import json, sys
import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

channel = grpc.insecure_channel(sys.argv[1])
stub = health_pb2_grpc.HealthStub(channel)
report = {}
for service in ("", "flowtel.v1.Flowtel"):
    report[service or "server"] = health_pb2.HealthCheckResponse.ServingStatus.Name(
        stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=10).status)
try:
    stub.Check(health_pb2.HealthCheckRequest(service="nope"), timeout=10)
    report["nope"] = "answered"
except grpc.RpcError as error:
    report["nope"] = error.code().name
watch = stub.Watch(health_pb2.HealthCheckRequest(service="flowtel.v1.Flowtel"), timeout=10)
report["watch"] = health_pb2.HealthCheckResponse.ServingStatus.Name(next(watch).status)
watch.cancel()
print(json.dumps(report))
channel.close()
"""


def test_grpcio_health_checking_stock_client(daemon):
    # In a subprocess: grpcio-health-checking's health_pb2 defines the same file as the stubs this
    # process generated, and one process's default descriptor pool holds only one of them.
    result = subprocess.run(
        [sys.executable, "-c", STOCK_CLIENT, daemon.target], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "server": "SERVING", "flowtel.v1.Flowtel": "SERVING", "nope": "NOT_FOUND", "watch": "SERVING"}
