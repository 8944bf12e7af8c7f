"""The session RPCs from a grpcio client: ListSessions, GetSessionSummary, ClearSessions and
GetFlowSettings against flowteld running its flow engine over a small capture, their
validation errors, and FAILED_PRECONDITION without a flow engine."""

import ipaddress
import struct
import time

import grpc
import pytest

from conftest import RPC_TIMEOUT, ip, status_of, wait_for

CONFIG = """\
set system host-name interop-sessions
set interfaces ge-0/0/0 unit 0 family inet address 192.0.2.2/24
set interfaces ge-0/0/1 unit 0 family inet address 10.0.0.1/24
set routing-options static route 0.0.0.0/0 next-hop 192.0.2.1
set security zones security-zone untrust interfaces ge-0/0/0.0
set security zones security-zone trust interfaces ge-0/0/1.0
set security nat source pool out-pool address 192.0.2.10/32
set security nat source rule-set out from zone trust
set security nat source rule-set out to zone untrust
set security nat source rule-set out rule all match source-address 10.0.0.0/24
set security nat source rule-set out rule all then source-nat pool out-pool
set security policies from-zone trust to-zone untrust policy internet match source-address any destination-address any application any
set security policies from-zone trust to-zone untrust policy internet then permit
set security flow allow-dns-reply
set security flow route-change-timeout 90
set security flow tcp-mss all-tcp mss 1400
set security flow tcp-session tcp-initial-timeout 40
"""


def frame(protocol: int, source: str, destination: str, payload: bytes) -> bytes:
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64, protocol, 0,
                         ipaddress.ip_address(source).packed, ipaddress.ip_address(destination).packed)
    return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + header + payload


#: A TCP SYN to 198.51.100.7:443 (a pending session) and a UDP datagram to 198.51.100.8:514,
#: both from the trust zone and source-NATed to 192.0.2.10.
FRAMES = [
    frame(6, "10.0.0.5", "198.51.100.7", struct.pack("!HHIIBBHHH", 40001, 443, 1, 0, 0x50, 0x02, 65535, 0, 0)),
    frame(17, "10.0.0.6", "198.51.100.8", struct.pack("!HHHH", 5000, 514, 12, 0) + b"abcd"),
]


def write_pcap(path, frames) -> int:
    """Writes ``frames`` one second apart, the last one a second ago; returns the first one's
    Unix time. Recent times, because flowteld's engine clock may start at the wall clock before
    the first packet arrives: older packets would make sessions that had already timed out."""
    start = int(time.time()) - len(frames)
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for index, data in enumerate(frames):
            f.write(struct.pack("<IIII", start + index, 0, len(data), len(data)) + data)
    return start


@pytest.fixture
def engine_daemon(pb, start_daemon, tmp_path):
    """flowteld running the flow engine (one SPU) over FRAMES, once both sessions exist."""
    config = tmp_path / "sessions.set"
    config.write_text(CONFIG)
    capture = tmp_path / "sessions.pcap"
    capture_start = write_pcap(capture, FRAMES)
    daemon = start_daemon(publisher=None, extra=["--config", str(config), "--replay", str(capture), "--spus", "1"])
    stub = daemon.stub()
    wait_for(lambda: stub.GetFlowStatistics(pb.flowtel.FlowStatisticsRequest(), timeout=RPC_TIMEOUT)
             .current_sessions == 2, timeout=10, what="two sessions")
    daemon.capture_start = capture_start
    return daemon


def list_sessions(pb, daemon, **filter_fields):
    request = pb.flowtel.ListSessionsRequest(filter=pb.flowtel.SessionFilter(**filter_fields))
    return daemon.stub().ListSessions(request, timeout=RPC_TIMEOUT)


def test_list_sessions(pb, engine_daemon):
    response = list_sessions(pb, engine_daemon)
    assert response.total == 2
    assert [(spu.fpc, spu.pic, spu.total) for spu in response.spus] == [(1, 0, 2)]
    tcp, udp = response.spus[0].sessions
    assert (tcp.session_id, tcp.policy_name, tcp.state) == (1, "internet", pb.flowtel.SESSION_STATE_PENDING)
    assert (tcp.source_zone, tcp.destination_zone, tcp.source_nat_pool) == ("trust", "untrust", "out-pool")
    assert (tcp.fpc, tcp.pic, tcp.application) == (1, 0, "junos-https")
    assert tcp.timeout_max == 1800 and 0 < tcp.timeout_remaining <= 40 and not tcp.no_timeout
    assert (tcp.start_time_unix_nano, tcp.policy_index) == (engine_daemon.capture_start * 10**9, 1)
    # In: as the client sent it; Out: the server's answer to the translated address. (`in` is
    # a Python keyword, hence getattr.)
    wing_in, wing_out = getattr(tcp, "in"), tcp.out
    assert (wing_in.source_address, wing_in.source_port, wing_in.destination_address, wing_in.destination_port) == (
        ip("10.0.0.5"), 40001, ip("198.51.100.7"), 443)
    assert (wing_in.protocol_id, wing_in.interface, wing_in.packets, wing_in.bytes) == (6, "ge-0/0/1.0", 1, 40)
    assert (wing_out.source_address, wing_out.destination_address, wing_out.destination_port) == (
        ip("198.51.100.7"), ip("192.0.2.10"), 40001)
    assert (wing_out.interface, wing_out.packets) == ("ge-0/0/0.0", 0)
    assert (udp.session_id, udp.state, udp.timeout_max) == (2, pb.flowtel.SESSION_STATE_VALID, 60)


@pytest.mark.parametrize("fields, ids", [
    ({"protocol": "udp"}, [2]),
    ({"destination_port": 443}, [1]),
    ({"source_prefix": "192.0.2.10/32", "nat_only": True}, [1, 2]),
    ({"family": "inet6"}, []),
    ({"tunnel_only": True}, []),
    ({"idp_only": True}, []),
])
def test_list_sessions_filters(pb, engine_daemon, fields, ids):
    response = list_sessions(pb, engine_daemon, **fields)
    assert [session.session_id for spu in response.spus for session in spu.sessions] == ids
    assert response.total == len(ids)


def test_session_summary(pb, engine_daemon):
    stub = engine_daemon.stub()
    summary = stub.GetSessionSummary(pb.flowtel.SessionSummaryRequest(), timeout=RPC_TIMEOUT)
    assert (summary.active_unicast_sessions, summary.active_sessions) == (2, 2)
    assert (summary.active_session_valid, summary.active_session_pending, summary.active_session_invalidated) == (1, 1, 0)
    assert summary.max_sessions > 0
    inet6 = stub.GetSessionSummary(pb.flowtel.SessionSummaryRequest(family="inet6"), timeout=RPC_TIMEOUT)
    assert inet6.active_sessions == 0


def test_flow_settings(pb, engine_daemon):
    settings = engine_daemon.stub().GetFlowSettings(pb.flowtel.FlowSettingsRequest(), timeout=RPC_TIMEOUT)
    assert settings.allow_dns_reply and settings.syn_check and settings.sequence_check
    assert (settings.route_change_timeout, settings.tcp_mss_all_tcp, settings.tcp_initial_timeout) == (90, 1400, 40)
    assert settings.syn_flood_protection_mode == "syn-proxy"
    assert (settings.spus, settings.early_ageout, settings.high_watermark) == (1, 20, 100)


def test_clear_sessions(pb, engine_daemon):
    stub = engine_daemon.stub()
    cleared = stub.ClearSessions(pb.flowtel.ClearSessionsRequest(
        filter=pb.flowtel.SessionFilter(protocol="udp")), timeout=RPC_TIMEOUT)
    assert cleared.cleared == 1
    assert [s.session_id for spu in list_sessions(pb, engine_daemon).spus for s in spu.sessions] == [1]
    cleared = stub.ClearSessions(pb.flowtel.ClearSessionsRequest(all=True), timeout=RPC_TIMEOUT)
    assert cleared.cleared == 1
    assert list_sessions(pb, engine_daemon).total == 0


@pytest.mark.parametrize("method, request_fields, mentions", [
    ("ListSessions", {"filter": {"source_prefix": "10.0.0.300/8"}}, "source_prefix"),
    ("ListSessions", {"filter": {"protocol": "nope"}}, "protocol"),
    ("ListSessions", {"view": 7}, "view"),
    ("GetSessionSummary", {"family": "ipx"}, "family"),
    ("ClearSessions", {}, "ClearSessionsRequest"),
    ("ClearSessions", {"all": True, "filter": {"destination_port": 22}}, "all"),
])
def test_session_calls_invalid_argument(pb, engine_daemon, method, request_fields, mentions):
    request_type = {"ListSessions": pb.flowtel.ListSessionsRequest, "GetSessionSummary": pb.flowtel.SessionSummaryRequest,
                    "ClearSessions": pb.flowtel.ClearSessionsRequest}[method]
    error = status_of(getattr(engine_daemon.stub(), method), request_type(**request_fields), timeout=RPC_TIMEOUT)
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error
    assert mentions in error.details()
    # A refused clear cleared nothing.
    assert list_sessions(pb, engine_daemon).total == 2


@pytest.mark.parametrize("method, request_type", [
    ("ListSessions", "ListSessionsRequest"),
    ("GetSessionSummary", "SessionSummaryRequest"),
    ("GetFlowSettings", "FlowSettingsRequest"),
])
def test_session_calls_without_engine_fail_precondition(pb, daemon, method, request_type):
    request = getattr(pb.flowtel, request_type)()
    error = status_of(getattr(daemon.stub(), method), request, timeout=RPC_TIMEOUT)
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert "--config" in error.details()
    error = status_of(daemon.stub().ClearSessions, pb.flowtel.ClearSessionsRequest(all=True), timeout=RPC_TIMEOUT)
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
