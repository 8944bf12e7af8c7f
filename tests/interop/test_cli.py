"""flowtel CLI -> a Python grpcio server: the CLI's request and its JSON rendering of what a
foreign implementation of flowtel.v1.Flowtel/Subscribe sends, and its exit codes on errors."""

import json
import subprocess
import threading
from concurrent import futures
from datetime import datetime, timezone

import grpc
import pytest

from conftest import FLOWTEL, ip, run_cli

BOOT_ID = 0x00AB_CDEF_0123_4567  # leading zero digits: "boot-id" must still be 16 digits
BOOT_HEX = "00abcdef01234567"
NODE = "py-node-1"
BASE_TIME = 1_795_946_400_000_000_000  # 2026-11-29T10:00:00Z

CLI_ARGS = [
    "--format", "json", "--control", "--from-oldest", "--kinds", "session-close,alarm", "--batch-events", "7",
    "--heartbeat-ms", "1000", "--source-prefix", "10.0.0.0/8", "--name", "pytest",
]


def rfc3339(nanos: int) -> str:
    """flowtel's JSON time text: UTC, milliseconds, 'Z'."""
    moment = datetime.fromtimestamp(nanos // 1_000_000_000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos // 1_000_000 % 1000:03d}Z"


def test_rfc3339_helper():
    assert rfc3339(BASE_TIME + 123_456_789) == "2026-11-29T10:00:00.123Z"


# ---------------------------------------------------------------------------------------------
# What the Python server sends, and the JSON the CLI must print for it.

def info_v4(pb):
    """A SessionInfo with every field set (IPv4, source NAT and destination NAT)."""
    return pb.events.SessionInfo(
        source_address=ip("192.0.2.10"), source_port=40000,
        destination_address=ip("198.51.100.80"), destination_port=80, connection_tag=1,
        service_name="junos-http",
        nat_source_address=ip("203.0.113.9"), nat_source_port=61000,
        nat_destination_address=ip("10.0.0.80"), nat_destination_port=8080, nat_connection_tag=2,
        src_nat_rule_type=pb.events.NAT_RULE_TYPE_SOURCE, src_nat_rule_name="rs1/r1",
        dst_nat_rule_type=pb.events.NAT_RULE_TYPE_DESTINATION, dst_nat_rule_name="dnat/web",
        protocol_id=6, policy_name="web-out", policy_index=12,
        source_zone_name="trust", destination_zone_name="untrust", session_id=4_000_000_001,
        username="corp\\alice", roles="admins",
        packet_incoming_interface="ge-0/0/1.0", egress_interface="ge-0/0/0.0",
        application="HTTP", nested_application="FACEBOOK-ACCESS", encrypted="No",
        application_category="Web", application_sub_category="Social-Networking", application_risk=4,
        application_characteristics="Bandwidth Consumer;", src_vrf_grp="vrf-1", dst_vrf_grp="vrf-2",
        tunnel_inspection="On", tunnel_inspection_policy_set="tis-x", source_tenant="t1",
        destination_service="ds1", dst_identity_context_name="idc", dst_identity_context_roles="idr",
        fpc=3, pic=1, timeout_seconds=1800)


INFO_V4_JSON = {
    "source-address": "192.0.2.10", "source-port": 40000,
    "destination-address": "198.51.100.80", "destination-port": 80, "connection-tag": 1,
    "service-name": "junos-http",
    "nat-source-address": "203.0.113.9", "nat-source-port": 61000,
    "nat-destination-address": "10.0.0.80", "nat-destination-port": 8080, "nat-connection-tag": 2,
    "src-nat-rule-type": "source rule", "src-nat-rule-name": "rs1/r1",
    "dst-nat-rule-type": "destination rule", "dst-nat-rule-name": "dnat/web",
    "protocol-id": 6, "policy-name": "web-out", "policy-index": 12,
    "source-zone-name": "trust", "destination-zone-name": "untrust", "session-id-32": 4_000_000_001,
    "username": "corp\\alice", "roles": "admins",
    "packet-incoming-interface": "ge-0/0/1.0", "egress-interface": "ge-0/0/0.0",
    "application": "HTTP", "nested-application": "FACEBOOK-ACCESS", "encrypted": "No",
    "application-category": "Web", "application-sub-category": "Social-Networking", "application-risk": 4,
    "application-characteristics": "Bandwidth Consumer;", "src-vrf-grp": "vrf-1", "dst-vrf-grp": "vrf-2",
    "tunnel-inspection": "On", "tunnel-inspection-policy-set": "tis-x", "source-tenant": "t1",
    "destination-service": "ds1", "dst-identity-context-name": "idc", "dst-identity-context-roles": "idr",
    "fpc": 3, "pic": 1, "timeout": 1800,
}


def info_v6(pb):
    """A SessionInfo with every field set (IPv6, static NAT)."""
    return pb.events.SessionInfo(
        source_address=ip("2001:db8:1::10"), source_port=50000,
        destination_address=ip("2001:db8:2:0:0:0:0:20"), destination_port=443, connection_tag=3,
        service_name="junos-https",
        nat_source_address=ip("2001:db8:ffff::1"), nat_source_port=50001,
        nat_destination_address=ip("fd00::1:0:0:20"), nat_destination_port=8443, nat_connection_tag=4,
        src_nat_rule_type=pb.events.NAT_RULE_TYPE_STATIC, src_nat_rule_name="static/s1",
        dst_nat_rule_type=pb.events.NAT_RULE_TYPE_STATIC, dst_nat_rule_name="static/s2",
        protocol_id=6, policy_name="v6-web(global)", policy_index=2,
        source_zone_name="inside", destination_zone_name="dmz", session_id=77,
        username="bob", roles="ops", packet_incoming_interface="reth1.10", egress_interface="reth0.0",
        application="SSL", nested_application="GITHUB", encrypted="Yes",
        application_category="Infrastructure", application_sub_category="Encryption", application_risk=2,
        application_characteristics="Loss of Productivity;", src_vrf_grp="g1", dst_vrf_grp="g2",
        tunnel_inspection="Off", tunnel_inspection_policy_set="root", source_tenant="t2",
        destination_service="ds2", dst_identity_context_name="n2", dst_identity_context_roles="r2",
        fpc=1, pic=2, timeout_seconds=300)


INFO_V6_JSON = {
    "source-address": "2001:db8:1::10", "source-port": 50000,
    "destination-address": "2001:db8:2::20", "destination-port": 443, "connection-tag": 3,
    "service-name": "junos-https",
    "nat-source-address": "2001:db8:ffff::1", "nat-source-port": 50001,
    "nat-destination-address": "fd00::1:0:0:20", "nat-destination-port": 8443, "nat-connection-tag": 4,
    "src-nat-rule-type": "static rule", "src-nat-rule-name": "static/s1",
    "dst-nat-rule-type": "static rule", "dst-nat-rule-name": "static/s2",
    "protocol-id": 6, "policy-name": "v6-web(global)", "policy-index": 2,
    "source-zone-name": "inside", "destination-zone-name": "dmz", "session-id-32": 77,
    "username": "bob", "roles": "ops", "packet-incoming-interface": "reth1.10", "egress-interface": "reth0.0",
    "application": "SSL", "nested-application": "GITHUB", "encrypted": "Yes",
    "application-category": "Infrastructure", "application-sub-category": "Encryption", "application-risk": 2,
    "application-characteristics": "Loss of Productivity;", "src-vrf-grp": "g1", "dst-vrf-grp": "g2",
    "tunnel-inspection": "Off", "tunnel-inspection-policy-set": "root", "source-tenant": "t2",
    "destination-service": "ds2", "dst-identity-context-name": "n2", "dst-identity-context-roles": "r2",
    "fpc": 1, "pic": 2, "timeout": 300,
}

# The RT_FLOW placeholders for a session whose optional fields are all empty.
MINIMAL_INFO_JSON_PLACEHOLDERS = {
    "service-name": "None", "src-nat-rule-type": "N/A", "src-nat-rule-name": "N/A",
    "dst-nat-rule-type": "N/A", "dst-nat-rule-name": "N/A", "username": "N/A", "roles": "N/A",
    "application": "UNKNOWN", "nested-application": "UNKNOWN",
    "application-category": "N/A", "application-sub-category": "N/A", "application-risk": -1,
    "application-characteristics": "N/A", "src-vrf-grp": "N/A", "dst-vrf-grp": "N/A",
    "tunnel-inspection": "Off", "tunnel-inspection-policy-set": "root", "source-tenant": "N/A",
    "destination-service": "N/A", "dst-identity-context-name": "N/A", "dst-identity-context-roles": "N/A",
}


def build_batches(pb):
    """Three EventBatch messages and, per event, the JSON object the CLI must print."""
    E = pb.events
    expected = []
    events = []

    def add(seq, payload_name, payload, json_fields, event_name):
        index = len(events)
        time = BASE_TIME + index * 1_001_000_000 + 987_654  # sub-millisecond part is truncated
        event = E.Event(boot_id=BOOT_ID, seq=seq, time_unix_nano=time, node=NODE)
        getattr(event, payload_name).CopyFrom(payload)
        events.append(event)
        expected.append({
            "node": NODE, "boot-id": BOOT_HEX, "seq": seq, "time": rfc3339(time), "event": event_name,
            **json_fields,
        })

    # -- batch 1: sessions
    add(101, "session_create", E.SessionCreate(session=info_v4(pb)), INFO_V4_JSON, "RT_FLOW_SESSION_CREATE")

    close = E.SessionClose(
        session=info_v6(pb), reason=E.CLOSE_REASON_TCP_FIN,
        packets_from_client=1_000_001, bytes_from_client=5_000_000_000,
        packets_from_server=2_000_002, bytes_from_server=2**40 + 5, elapsed_time=3600,
        start_time_unix_nano=BASE_TIME - 3_600_000_000_000 + 250_000_000,
        secure_web_proxy_session_type="explicit", peer_session_id=123456789012,
        peer_source_address=ip("192.0.2.200"), peer_source_port=1111,
        peer_destination_address=ip("2001:db8::2:1"), peer_destination_port=2222,
        hostname="www.example.net", session_flag=33, user_type="on-prem-user",
        url_host="example.net", url_category="Business", url_risk=3, src_vrf="blue", dst_vrf="red",
        forwarded_for="198.51.100.7")
    add(102, "session_close", close, {
        "reason": "TCP FIN", **INFO_V6_JSON,
        "packets-from-client": 1_000_001, "bytes-from-client": 5_000_000_000,
        "packets-from-server": 2_000_002, "bytes-from-server": 2**40 + 5, "elapsed-time": 3600,
        "start-time": "2026-11-29T09:00:00.250Z", "secure-web-proxy-session-type": "explicit",
        "peer-session-id": 123456789012, "peer-source-address": "192.0.2.200", "peer-source-port": 1111,
        "peer-destination-address": "2001:db8::2:1", "peer-destination-port": 2222,
        "hostname": "www.example.net", "session-flag": 33, "user-type": "on-prem-user",
        "forwarded-for": "198.51.100.7", "url-host": "example.net", "url-cat": "Business", "url-risk": 3,
        "src-vrf": "blue", "dst-vrf": "red",
    }, "RT_FLOW_SESSION_CLOSE")

    deny = E.SessionDeny(
        source_address=ip("10.9.8.7"), source_port=5353, destination_address=ip("172.16.0.1"),
        destination_port=53, connection_tag=6, service_name="junos-dns-udp", protocol_id=17, icmp_type=8,
        policy_name="block-dns", policy_index=31, source_zone_name="guest", destination_zone_name="trust",
        application="DNS", nested_application="GOOGLE-DNS", username="guest\\x", roles="visitors",
        packet_incoming_interface="ge-0/0/3.5", encrypted="Yes", action=E.POLICY_ACTION_REJECT,
        session_id=4_294_967_295, application_category="Infrastructure", application_sub_category="DNS",
        application_risk=5, application_characteristics="Prone to Misuse;", src_vrf_grp="s-grp",
        dst_vrf_grp="d-grp", source_tenant="st", destination_service="dsvc", fpc=2, pic=3)
    add(103, "session_deny", deny, {
        "source-address": "10.9.8.7", "source-port": 5353, "destination-address": "172.16.0.1",
        "destination-port": 53, "connection-tag": 6, "service-name": "junos-dns-udp", "protocol-id": 17,
        "icmp-type": 8, "policy-name": "block-dns", "policy-index": 31, "source-zone-name": "guest",
        "destination-zone-name": "trust", "application": "DNS", "nested-application": "GOOGLE-DNS",
        "username": "guest\\x", "roles": "visitors", "packet-incoming-interface": "ge-0/0/3.5",
        "encrypted": "Yes", "reason": "Rejected by policy", "session-id-32": 4_294_967_295,
        "application-category": "Infrastructure", "application-sub-category": "DNS", "application-risk": 5,
        "application-characteristics": "Prone to Misuse;", "src-vrf-grp": "s-grp", "dst-vrf-grp": "d-grp",
        "source-tenant": "st", "destination-service": "dsvc", "fpc": 2, "pic": 3,
    }, "RT_FLOW_SESSION_DENY")

    # Only the required fields: the CLI prints the SRX placeholders for the rest.
    minimal_close = E.SessionClose(
        session=E.SessionInfo(
            source_address=ip("10.1.1.1"), source_port=1, destination_address=ip("10.2.2.2"), destination_port=2,
            nat_source_address=ip("10.1.1.1"), nat_source_port=1, nat_destination_address=ip("10.2.2.2"),
            nat_destination_port=2, protocol_id=17, policy_name="p", policy_index=1, source_zone_name="a",
            destination_zone_name="b", session_id=5, packet_incoming_interface="ge-0/0/1.0",
            egress_interface="ge-0/0/0.0"),
        reason=E.CLOSE_REASON_IDLE_TIMEOUT, packets_from_client=1, bytes_from_client=60, elapsed_time=30,
        start_time_unix_nano=BASE_TIME)
    add(104, "session_close", minimal_close, {
        "reason": "idle Timeout",
        "source-address": "10.1.1.1", "source-port": 1, "destination-address": "10.2.2.2", "destination-port": 2,
        "connection-tag": 0, "nat-source-address": "10.1.1.1", "nat-source-port": 1,
        "nat-destination-address": "10.2.2.2", "nat-destination-port": 2, "nat-connection-tag": 0,
        "protocol-id": 17, "policy-name": "p", "policy-index": 1, "source-zone-name": "a",
        "destination-zone-name": "b", "session-id-32": 5, "packet-incoming-interface": "ge-0/0/1.0",
        "egress-interface": "ge-0/0/0.0", "encrypted": "No", "fpc": 0, "pic": 0, "timeout": 0,
        **MINIMAL_INFO_JSON_PLACEHOLDERS,
        "packets-from-client": 1, "bytes-from-client": 60, "packets-from-server": 0, "bytes-from-server": 0,
        "elapsed-time": 30, "start-time": "2026-11-29T10:00:00.000Z", "secure-web-proxy-session-type": "NA",
        "peer-session-id": 0, "peer-source-address": "0.0.0.0", "peer-source-port": 0,
        "peer-destination-address": "0.0.0.0", "peer-destination-port": 0, "hostname": "NA NA",
        "session-flag": 0, "user-type": "N/A", "forwarded-for": "N/A", "url-host": "N/A", "url-cat": "N/A",
        "url-risk": 0, "src-vrf": "N/A", "dst-vrf": "N/A",
    }, "RT_FLOW_SESSION_CLOSE")

    minimal_deny = E.SessionDeny(
        source_address=ip("fe80::1"), destination_address=ip("ff02::1"), protocol_id=58, icmp_type=135,
        policy_name="deny-all", policy_index=1, source_zone_name="x", destination_zone_name="y",
        packet_incoming_interface="ge-0/0/9.0", action=E.POLICY_ACTION_DENY, session_id=9)
    add(105, "session_deny", minimal_deny, {
        "source-address": "fe80::1", "source-port": 0, "destination-address": "ff02::1", "destination-port": 0,
        "connection-tag": 0, "service-name": "None", "protocol-id": 58, "icmp-type": 135,
        "policy-name": "deny-all", "policy-index": 1, "source-zone-name": "x", "destination-zone-name": "y",
        "application": "UNKNOWN", "nested-application": "UNKNOWN", "username": "N/A", "roles": "N/A",
        "packet-incoming-interface": "ge-0/0/9.0", "encrypted": "No", "reason": "Denied by policy",
        "session-id-32": 9, "application-category": "N/A", "application-sub-category": "N/A",
        "application-risk": -1, "application-characteristics": "N/A", "src-vrf-grp": "N/A",
        "dst-vrf-grp": "N/A", "source-tenant": "N/A", "destination-service": "N/A", "fpc": 0, "pic": 0,
    }, "RT_FLOW_SESSION_DENY")
    batch1 = E.EventBatch(events=events[:])

    # -- batch 2: one fault event of each kind
    start = len(events)
    add(106, "fpc_error", E.FpcErrorOccurred(
        slot=1, pic=3, error_id="spc-ring-drop", module="dispatch", severity=E.SEVERITY_MINOR,
        error_type="packet", count=42, severity_total=1000, description='ring "0" full\tdrops'), {
        "slot": 1, "pic": 3, "error-id": "spc-ring-drop", "module": "dispatch", "severity": "minor",
        "error-type": "packet", "count": 42, "severity-total": 1000, "description": 'ring "0" full\tdrops',
    }, "fpc-error")
    add(107, "fpc_error_counters", E.FpcErrorCounters(
        slot=5, fpc_type=E.FPC_TYPE_IOC3,
        severities=[E.SeverityCounters(
            severity=E.SEVERITY_MAJOR, occurred=5, cleared=2, threshold=3,
            actions=[E.FPC_ACTION_ALARM, E.FPC_ACTION_OFFLINE, E.FPC_ACTION_TRAP])],
        errors=[E.ErrorCounters(
            error_id="ioc-capture-kernel-drop", module="capture", severity=E.SEVERITY_MAJOR, error_type="packet",
            occurred=5, cleared=2, last_occurred_unix_nano=BASE_TIME + 42_000_000)]), {
        "slot": 5, "fpc-type": "IOC3",
        "severities": [{"severity": "major", "occurred": 5, "cleared": 2, "threshold": 3,
                        "actions": ["alarm", "offline", "trap"]}],
        # last_cleared_unix_nano 0 = never: the key is left out.
        "errors": [{"error-id": "ioc-capture-kernel-drop", "module": "capture", "severity": "major",
                    "error-type": "packet", "occurred": 5, "cleared": 2,
                    "last-occurred": "2026-11-29T10:00:00.042Z"}],
    }, "fpc-error-counters")
    add(108, "alarm_raised", E.AlarmRaised(
        alarm_id=12, alarm_class=E.ALARM_CLASS_MINOR, description="FPC 4 Minor Errors", slot=4,
        error_id="spc-shard-slow"), {
        "alarm-id": 12, "class": "Minor", "description": "FPC 4 Minor Errors", "slot": 4,
        "error-id": "spc-shard-slow",
    }, "alarm-raised")
    add(109, "alarm_cleared", E.AlarmCleared(
        alarm_id=12, alarm_class=E.ALARM_CLASS_MAJOR, description="FPC 4 Major Errors", slot=4,
        reason="condition cleared"), {
        "alarm-id": 12, "class": "Major", "description": "FPC 4 Major Errors", "slot": 4,
        "reason": "condition cleared",
    }, "alarm-cleared")
    add(110, "wedge_detected", E.WedgeDetected(
        slot=1, pic=2, stage=E.WEDGE_STAGE_XL, stalled_ms=800, pending=17, irreversible=False), {
        "slot": 1, "pic": 2, "stage": "XL", "stalled-ms": 800, "pending": 17, "irreversible": False,
    }, "wedge-detected")
    add(111, "wedge_cleared", E.WedgeCleared(slot=1, pic=2, stage=E.WEDGE_STAGE_LU, duration_ms=950), {
        "slot": 1, "pic": 2, "stage": "LU", "duration-ms": 950,
    }, "wedge-cleared")
    add(112, "fpc_state_change", E.FpcStateChange(
        slot=1, fpc_type=E.FPC_TYPE_SPC2, previous_state=E.FPC_STATE_OFFLINE, state=E.FPC_STATE_PRESENT,
        reason="request chassis fpc"), {
        "slot": 1, "fpc-type": "SPC2", "previous-state": "Offline", "state": "Present",
        "reason": "request chassis fpc",
    }, "fpc-state-change")
    add(113, "cluster_failover", E.ClusterFailover(
        redundancy_group=1, previous_primary=1, new_primary=0, reason="manual", failover_count=9), {
        "redundancy-group": 1, "previous-primary": 1, "new-primary": 0, "reason": "manual", "failover-count": 9,
    }, "cluster-failover")
    add(114, "fpc_error_action", E.FpcErrorAction(
        slot=1, severity=E.SEVERITY_FATAL, error_type="stall", threshold=1, count=1,
        action=E.FPC_ACTION_RESET, detail="workers restarted"), {
        "slot": 1, "severity": "fatal", "error-type": "stall", "threshold": 1, "count": 1,
        "action": "reset", "detail": "workers restarted",
    }, "fpc-error-action")
    add(115, "fpc_state_snapshot", E.FpcStateSnapshot(
        slot=1, fpc_type=E.FPC_TYPE_SPC2, state=E.FPC_STATE_RESETTING,
        items=[E.StateItem(name="dispatch-ring.depth", value=5), E.StateItem(name="sessions.valid", value=-7)],
        file="/var/log/flowtel/fpc1-state-2.txt"), {
        "slot": 1, "fpc-type": "SPC2", "state": "Resetting",
        "items": {"dispatch-ring.depth": 5, "sessions.valid": -7}, "file": "/var/log/flowtel/fpc1-state-2.txt",
    }, "fpc-state-snapshot")
    batch2 = E.EventBatch(events=events[start:])

    # -- batch 3: stream control (seq 0)
    start = len(events)
    add(0, "gap", E.Gap(boot_id=1, first_seq=3, last_seq=7, reason=E.GAP_REASON_EVICTED, detail="ring wrapped"), {
        "gap-boot-id": "0000000000000001", "first-seq": 3, "last-seq": 7, "reason": "evicted",
        "detail": "ring wrapped",
    }, "gap")
    add(0, "heartbeat", E.Heartbeat(boot_id=BOOT_ID, head_seq=115), {"head-seq": 115}, "heartbeat")
    add(0, "sync_response", E.SyncResponse(boot_id=BOOT_ID, head_seq=115), {"head-seq": 115}, "sync-response")
    batch3 = E.EventBatch(events=events[start:])

    return [batch1, batch2, batch3], expected


# ---------------------------------------------------------------------------------------------
# The fake daemon


class FakeFlowtel:
    """flowtel.v1.Flowtel/Subscribe in Python: records each request, sends ``batches``, then ends
    the stream OK, or aborts with ``abort`` = (code, details) after them."""

    def __init__(self, pb):
        self.pb = pb
        self.batches = []
        self.abort = None
        self.requests = []
        self.metadata = []
        self.lock = threading.Lock()

    def subscribe(self, request, context):
        with self.lock:
            self.requests.append(request)
            self.metadata.append(dict(context.invocation_metadata()))
        for batch in self.batches:
            yield batch
        if self.abort:
            context.abort(*self.abort)

    def handler(self):
        return grpc.method_handlers_generic_handler("flowtel.v1.Flowtel", {
            "Subscribe": grpc.unary_stream_rpc_method_handler(
                self.subscribe,
                request_deserializer=self.pb.flowtel.SubscribeRequest.FromString,
                response_serializer=self.pb.events.EventBatch.SerializeToString),
        })


@pytest.fixture
def fake(pb):
    service = FakeFlowtel(pb)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers((service.handler(),))
    port = server.add_insecure_port("127.0.0.1:0")
    assert port > 0
    server.start()
    service.target = f"127.0.0.1:{port}"
    yield service
    server.stop(grace=None).wait(timeout=5)


def json_lines(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_cli_renders_every_event_kind_and_sends_its_request(pb, fake):
    batches, expected = build_batches(pb)
    fake.batches = batches

    result = run_cli("subscribe", "--target", fake.target, *CLI_ARGS)
    assert result.returncode == 0, f"flowtel exited {result.returncode}\nstderr:\n{result.stderr}"

    lines = json_lines(result.stdout)
    assert len(lines) == len(expected)
    for line, want in zip(lines, expected):
        assert line == want, f"seq {want['seq']} ({want['event']})"

    # What the CLI asked for.
    assert len(fake.requests) == 1
    request = fake.requests[0]
    F = pb.flowtel
    assert request.start == F.START_POSITION_FROM_OLDEST
    assert not request.HasField("resume")
    assert list(request.kinds) == [F.EVENT_KIND_SESSION_CLOSE, F.EVENT_KIND_ALARM]
    assert request.filter == F.SessionFilter(source_prefix="10.0.0.0/8")
    assert request.max_batch_events == 7
    assert request.max_batch_latency_ms == 0
    assert request.heartbeat_interval_ms == 1000
    assert request.slow_consumer_policy == F.SLOW_CONSUMER_POLICY_DROP
    assert request.subscriber_name == "pytest"
    assert "authorization" not in fake.metadata[0]


def test_cli_without_control_hides_stream_control(pb, fake):
    batches, expected = build_batches(pb)
    fake.batches = batches
    result = run_cli("subscribe", "--target", fake.target, "--from-oldest", "--token", "tok-1")
    assert result.returncode == 0, result.stderr
    lines = json_lines(result.stdout)
    assert [line["seq"] for line in lines] == [want["seq"] for want in expected if want["seq"] != 0]
    assert fake.requests[0].subscriber_name == "flowtel-cli"
    assert fake.metadata[0].get("authorization") == "Bearer tok-1"


def test_cli_exit_code_3_on_unavailable(pb, fake):
    batches, expected = build_batches(pb)
    fake.batches = batches[:1]
    fake.abort = (grpc.StatusCode.UNAVAILABLE, "maintenance window, come back later")

    result = run_cli("subscribe", "--target", fake.target, *CLI_ARGS)
    assert result.returncode == 3, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert "UNAVAILABLE" in result.stderr
    assert "maintenance window, come back later" in result.stderr
    # What arrived before the status was printed.
    assert json_lines(result.stdout) == expected[: len(batches[0].events)]


def test_cli_exit_code_5_on_invalid_argument(pb, fake):
    fake.abort = (grpc.StatusCode.INVALID_ARGUMENT, "SubscribeRequest.kinds[0]: unknown event kind 99")

    result = run_cli("subscribe", "--target", fake.target, *CLI_ARGS)
    # A permanent error: its own exit status (README, "Storing events"), no retry.
    assert result.returncode == 5, f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert "INVALID_ARGUMENT" in result.stderr
    assert "SubscribeRequest.kinds[0]: unknown event kind 99" in result.stderr
    assert result.stdout == ""


# ---------------------------------------------------------------------------------------------
# The CLI against the real daemon


def test_cli_against_flowteld_with_token(pb, token_daemon):
    daemon = token_daemon
    boot_id = daemon.list_subscribers().boot_id
    token_file = daemon.log_path.with_suffix(".cli-token")
    token_file.write_text("s3cret\n")

    result = run_cli("subscribe", "--target", daemon.target, "--token-file", str(token_file), "--from-oldest",
                     "--max-events", "13", "--name", "pytest-cli")
    assert result.returncode == 0, result.stderr
    lines = json_lines(result.stdout)
    assert [line["seq"] for line in lines] == list(range(1, 14))
    assert {line["boot-id"] for line in lines} == {f"{boot_id:016x}"}
    assert {line["node"] for line in lines} == {"srx-lab-1"}
    assert [line["event"] for line in lines] == [
        "RT_FLOW_SESSION_CREATE", "RT_FLOW_SESSION_CLOSE", "RT_FLOW_SESSION_DENY", "fpc-error", "fpc-error-counters", "alarm-raised",
        "alarm-cleared", "wedge-detected", "wedge-cleared", "fpc-state-change", "cluster-failover",
        "fpc-error-action", "fpc-state-snapshot"]
    assert lines[0]["time"] == "2026-11-29T10:00:00.000Z"
    assert lines[1]["reason"] == "TCP SERVER RST"
    assert lines[2]["source-address"] == "fd00:0:0:1::25"

    result = run_cli("subscribe", "--target", daemon.target, "--from-oldest", "--max-events", "1")
    assert result.returncode == 6, result.stderr  # UNAUTHENTICATED
    assert "UNAUTHENTICATED" in result.stderr


def test_cli_exit_code_3_when_flowteld_stops(daemon):
    cli = subprocess.Popen(
        [str(FLOWTEL), "subscribe", "--target", daemon.target, "--from-oldest", "--name", "pytest-cli-live"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    printed = threading.Event()

    def read_stdout():
        for line in cli.stdout:
            lines.append(line)
            if len(lines) == 13:
                printed.set()

    reader = threading.Thread(target=read_stdout, daemon=True)
    reader.start()
    try:
        # Stop the daemon once the CLI has printed the samples (see also
        # test_stream.py::test_sigterm_flushes_events_already_taken_for_a_batch).
        assert printed.wait(timeout=10), f"the CLI printed {len(lines)} lines"
        daemon.terminate()
        cli.wait(timeout=10)
        stderr = cli.stderr.read()
        reader.join(timeout=5)
    finally:
        if cli.poll() is None:
            cli.kill()
            cli.wait(timeout=5)
    assert cli.returncode == 3, stderr
    assert "UNAVAILABLE" in stderr and "shutting down" in stderr
    assert [line["seq"] for line in json_lines("".join(lines))] == list(range(1, 14))
