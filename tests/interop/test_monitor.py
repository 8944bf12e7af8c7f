"""Flow monitoring from a grpcio client: status codes, the Junos refusals, a trace written for
a replayed capture and read back with ReadLog."""

import struct

import grpc
import pytest

from conftest import RPC_TIMEOUT, wait_for
from test_flow_statistics import ethernet, write_pcap

CONFIG = """\
set interfaces ge-0/0/0 unit 0 family inet address 192.0.2.2/24
set interfaces ge-0/0/1 unit 0 family inet address 10.0.0.1/24
set routing-options static route 0.0.0.0/0 next-hop 192.0.2.1
set security zones security-zone untrust interfaces ge-0/0/0.0
set security zones security-zone trust interfaces ge-0/0/1.0
set security policies from-zone trust to-zone untrust policy web match source-address any destination-address any application junos-https
set security policies from-zone trust to-zone untrust policy web then permit
"""


def tcp_syn(source: str, sport: int, destination: str, dport: int) -> bytes:
    segment = struct.pack("!HHIIBBHHH", sport, dport, 1, 0, 0x50, 0x02, 65535, 0, 0)
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(segment), 1, 0, 64, 6, 0,
                         bytes(map(int, source.split("."))), bytes(map(int, destination.split("."))))
    return ethernet(header + segment)


def engine_daemon(start_daemon, tmp_path, extra=()):
    config = tmp_path / "monitor.set"
    config.write_text(CONFIG)
    return start_daemon(publisher=None, extra=["--config", str(config), "--log-dir", str(tmp_path / "log"), *extra])


def rpc_error(call) -> grpc.RpcError:
    """The error `call` fails with (it must fail)."""
    with pytest.raises(grpc.RpcError) as raised:
        call()
    return raised.value


def test_without_engine_every_monitor_rpc_is_failed_precondition(pb, start_daemon):
    daemon = start_daemon(publisher=None)
    stub = daemon.stub()
    error = rpc_error(lambda: stub.GetMonitorStatus(pb.flowtel.MonitorStatusRequest(), timeout=RPC_TIMEOUT))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "flow engine" in error.details()
    error = rpc_error(lambda: list(stub.ReadLog(pb.flowtel.ReadLogRequest(name="x.log"), timeout=RPC_TIMEOUT)))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_bad_names_and_limits_are_invalid_argument(pb, start_daemon, tmp_path):
    daemon = engine_daemon(start_daemon, tmp_path)
    stub = daemon.stub()
    for name in ["../etc/passwd", "a/b", "..", ""]:
        error = rpc_error(lambda: list(stub.ReadLog(pb.flowtel.ReadLogRequest(name=name), timeout=RPC_TIMEOUT)))
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, name
    error = rpc_error(lambda: list(stub.ReadLog(pb.flowtel.ReadLogRequest(name="missing.log"), timeout=RPC_TIMEOUT)))
    assert error.code() == grpc.StatusCode.NOT_FOUND
    error = rpc_error(lambda: stub.SetMonitorFile(pb.flowtel.SetMonitorFileRequest(name="t.log", size=100),
                                                timeout=RPC_TIMEOUT))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert error.details() == "size 100 is out of range (10240..1073741824 bytes)"
    error = rpc_error(lambda: stub.SetMonitorFile(pb.flowtel.SetMonitorFileRequest(name="t/log"), timeout=RPC_TIMEOUT))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    error = rpc_error(lambda: stub.SetMonitorFilter(
        pb.flowtel.SetMonitorFilterRequest(filter=pb.flowtel.MonitorFilter(name="f", protocol="bogus")),
        timeout=RPC_TIMEOUT))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_start_refusals_carry_the_junos_texts(pb, start_daemon, tmp_path):
    daemon = engine_daemon(start_daemon, tmp_path)
    stub = daemon.stub()
    error = rpc_error(lambda: stub.StartMonitor(pb.flowtel.StartMonitorRequest(), timeout=RPC_TIMEOUT))
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error.details() == "error: Please specify the monitor flow trace file."
    stub.SetMonitorFile(pb.flowtel.SetMonitorFileRequest(name="t.log"), timeout=RPC_TIMEOUT)
    error = rpc_error(lambda: stub.StartMonitor(pb.flowtel.StartMonitorRequest(), timeout=RPC_TIMEOUT))
    assert error.details() == "error: Please specify monitor security flow filter."


def test_trace_of_a_replayed_capture(pb, start_daemon, tmp_path):
    capture = tmp_path / "traffic.pcap"
    write_pcap(capture, [tcp_syn("10.0.0.5", 40000 + i, "203.0.113.9", 443 if i % 2 else 80) for i in range(10)])
    daemon = engine_daemon(start_daemon, tmp_path, extra=["--replay", str(capture), "--loop", "--replay-rate", "200"])
    stub = daemon.stub()
    status = stub.SetMonitorFilter(pb.flowtel.SetMonitorFilterRequest(
        filter=pb.flowtel.MonitorFilter(name="https", destination_port=443, incoming_interface="ge-0/0/1")),
        timeout=RPC_TIMEOUT)
    assert [f.incoming_interface for f in status.filters] == ["ge-0/0/1.0"]
    stub.SetMonitorFile(pb.flowtel.SetMonitorFileRequest(name="https.log", size=10240, files=2), timeout=RPC_TIMEOUT)
    status = stub.StartMonitor(pb.flowtel.StartMonitorRequest(), timeout=RPC_TIMEOUT)
    assert status.active and status.basic_datapath
    assert (status.file_size, status.file_count) == (10240, 2)
    assert status.trace_file == str(tmp_path / "log" / "https.log")

    def read():
        return b"".join(chunk.data for chunk in stub.ReadLog(pb.flowtel.ReadLogRequest(name="https.log"),
                                                              timeout=RPC_TIMEOUT))

    wait_for(lambda: read().count(b"matched filter https:") >= 5, timeout=15, what="five traced packets")
    status = stub.StopMonitor(pb.flowtel.StopMonitorRequest(), timeout=RPC_TIMEOUT)
    assert not status.active and not status.basic_datapath
    heads = [line for line in read().decode().splitlines() if "matched filter" in line]
    assert heads and all("/443;6> matched filter https:" in line for line in heads)
