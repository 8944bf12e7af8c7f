"""Python grpcio client -> flowteld: every field of every payload kind crosses the wire.

With ``--test-publisher samples`` flowteld publishes SampleEvents.all() without its three
stream-control samples: 13 events, seq 1..13 in the order of all(). The expected values below
are transcribed by hand from Sources/FlowtelTestSupport/SampleEvents.swift.
"""

from conftest import NODE, SAMPLE_COUNT, RPC_TIMEOUT, default_fields, ip, message_to_dict, read_until_sync
from conftest import subscribe_request, unknown_fields

# SampleEvents.baseTime: 2026-11-29T10:00:00Z; event i (0-based) is at base + i ms.
BASE_TIME = 1_795_946_400_000_000_000

# SampleEvents.sessionInfo() (id 40_001).
SESSION_INFO = {
    "source_address": ip("10.1.0.25"),
    "source_port": 51157,
    "destination_address": ip("198.51.100.10"),
    "destination_port": 443,
    "connection_tag": 7,
    "service_name": "junos-https",
    "nat_source_address": ip("203.0.113.5"),
    "nat_source_port": 20123,
    "nat_destination_address": ip("10.200.0.10"),
    "nat_destination_port": 8443,
    "nat_connection_tag": 9,
    "src_nat_rule_type": "NAT_RULE_TYPE_SOURCE",
    "src_nat_rule_name": "trust-to-untrust/snat-pool",
    "dst_nat_rule_type": "NAT_RULE_TYPE_STATIC",
    "dst_nat_rule_name": "web-static/rule1",
    "protocol_id": 6,
    "policy_name": "allow-web",
    "policy_index": 4,
    "source_zone_name": "trust",
    "destination_zone_name": "untrust",
    "session_id": 40001,
    "username": "lab\\user01",
    "roles": "staff",
    "packet_incoming_interface": "ge-0/0/1.100",
    "egress_interface": "ge-0/0/0.0",
    "application": "HTTPS",
    "nested_application": "GOOGLE",
    "encrypted": "Yes",
    "application_category": "Web",
    "application_sub_category": "Search",
    "application_risk": 3,
    "application_characteristics": "Supports File Transfer;",
    "src_vrf_grp": "vrf-a",
    "dst_vrf_grp": "vrf-b",
    "tunnel_inspection": "On",
    "tunnel_inspection_policy_set": "tis-1",
    "source_tenant": "tenant-a",
    "destination_service": "svc-b",
    "dst_identity_context_name": "ctx-name",
    "dst_identity_context_roles": "ctx-roles",
    "fpc": 2,
    "pic": 1,
    "timeout_seconds": 1800,
}

# (payload oneof name, every field of the payload message) in the order of SampleEvents.all().
EXPECTED = [
    ("session_create", {"session": SESSION_INFO}),
    ("session_close", {
        "session": SESSION_INFO,
        "reason": "CLOSE_REASON_TCP_SERVER_RST",
        "packets_from_client": 12,
        "bytes_from_client": 2125,
        "packets_from_server": 11,
        "bytes_from_server": 2288,
        "elapsed_time": 178,
        "start_time_unix_nano": BASE_TIME - 178_000_000_000,
        "secure_web_proxy_session_type": "explicit",
        "peer_session_id": 99,
        "peer_source_address": ip("2001:db8::1"),
        "peer_source_port": 1111,
        "peer_destination_address": ip("2001:db8::2"),
        "peer_destination_port": 2222,
        "hostname": "www.example.com",
        "session_flag": 5,
        "user_type": "on-prem-user",
        "url_host": "example.com",
        "url_category": "Search",
        "url_risk": 2,
        "src_vrf": "blue",
        "dst_vrf": "red",
        "forwarded_for": "192.0.2.7",
    }),
    ("session_deny", {
        "source_address": ip("fd00:0:0:1::25"),
        "source_port": 4242,
        "destination_address": ip("2001:db8::80"),
        "destination_port": 3,
        "connection_tag": 11,
        "service_name": "junos-icmp6-all",
        "protocol_id": 58,
        "icmp_type": 128,
        "policy_name": "default-deny(global)",
        "policy_index": 9,
        "source_zone_name": "trust",
        "destination_zone_name": "dmz",
        "application": "ICMP6",
        "nested_application": "PING6",
        "username": "lab\\user02",
        "roles": "guests",
        "packet_incoming_interface": "ge-0/0/2.0",
        "encrypted": "No",
        "action": "POLICY_ACTION_REJECT",
        "session_id": 40002,
        "application_category": "Infrastructure",
        "application_sub_category": "Networking",
        "application_risk": 1,
        "application_characteristics": "Loss of Productivity;",
        "src_vrf_grp": "vrf-c",
        "dst_vrf_grp": "vrf-d",
        "source_tenant": "tenant-c",
        "destination_service": "svc-d",
        "fpc": 1,
        "pic": 0,
    }),
    ("fpc_error", {
        "slot": 1,
        "pic": 2,
        "error_id": "spc-session-table-full",
        "module": "flow",
        "severity": "SEVERITY_MAJOR",
        "error_type": "resource",
        "count": 3,
        "severity_total": 17,
        "description": "session table full: 3 first packets dropped",
    }),
    ("fpc_error_counters", {
        "slot": 1,
        "fpc_type": "FPC_TYPE_SPC2",
        "severities": [
            {"severity": "SEVERITY_MINOR", "occurred": 25, "cleared": 4, "threshold": 10,
             "actions": ["FPC_ACTION_LOG", "FPC_ACTION_GET_STATE"]},
            {"severity": "SEVERITY_FATAL", "occurred": 1, "cleared": 1, "threshold": 1,
             "actions": ["FPC_ACTION_ALARM", "FPC_ACTION_RESET"]},
        ],
        "errors": [
            {"error_id": "spc-shard-stall", "module": "flow", "severity": "SEVERITY_FATAL",
             "error_type": "stall", "occurred": 1, "cleared": 1,
             "last_occurred_unix_nano": BASE_TIME - 5_000_000_000,
             "last_cleared_unix_nano": BASE_TIME - 1_000_000_000},
        ],
    }),
    ("alarm_raised", {
        "alarm_id": 7,
        "alarm_class": "ALARM_CLASS_MAJOR",
        "description": "FPC 1 Major Errors",
        "slot": 1,
        "error_id": "spc-session-table-full",
    }),
    ("alarm_cleared", {
        "alarm_id": 7,
        "alarm_class": "ALARM_CLASS_MAJOR",
        "description": "FPC 1 Major Errors",
        "slot": 1,
        "reason": "cleared by operator",
    }),
    ("wedge_detected", {
        "slot": 2,
        "pic": 1,
        "stage": "WEDGE_STAGE_TOE",
        "stalled_ms": 1500,
        "pending": 321,
        "irreversible": True,
    }),
    ("wedge_cleared", {
        "slot": 2,
        "pic": 1,
        "stage": "WEDGE_STAGE_HOST_LOOPBACK",
        "duration_ms": 2750,
    }),
    ("fpc_state_change", {
        "slot": 2,
        "fpc_type": "FPC_TYPE_SPC2",
        "previous_state": "FPC_STATE_ONLINE",
        "state": "FPC_STATE_RESETTING",
        "reason": "error action reset (fatal threshold 1 reached)",
    }),
    ("cluster_failover", {
        "redundancy_group": 1,
        "previous_primary": 0,
        "new_primary": 1,
        "reason": "FPC 1 Major Errors alarm",
        "failover_count": 2,
    }),
    ("fpc_error_action", {
        "slot": 1,
        "severity": "SEVERITY_MINOR",
        "error_type": "packet",
        "threshold": 10,
        "count": 20,
        "action": "FPC_ACTION_GET_STATE",
        "detail": "state snapshot written",
    }),
    ("fpc_state_snapshot", {
        "slot": 1,
        "fpc_type": "FPC_TYPE_SPC2",
        "state": "FPC_STATE_ONLINE",
        "items": [{"name": "sessions.valid", "value": 1234}, {"name": "dispatch-ring.depth", "value": -1}],
        "file": "/var/log/flowtel/fpc1-state-1.txt",
    }),
]

# Fields SampleEvents deliberately leaves at their default (0): they cannot be told apart from
# "not sent" on the wire, so ListFields does not list them.
DEFAULT_VALUED_FIELDS = {
    "SessionDeny.pic",  # deny.pic = 0
    "ClusterFailover.previous_primary",  # failover.previousPrimary = 0
}


def subscribe_raw(pb, daemon, request):
    """Subscribe with a raw-bytes deserializer, so the test itself parses each EventBatch."""
    call = daemon.channel().unary_stream(
        "/flowtel.v1.Flowtel/Subscribe",
        request_serializer=pb.flowtel.SubscribeRequest.SerializeToString,
        response_deserializer=None,
    )
    return call(request, timeout=RPC_TIMEOUT)


def test_expected_table_matches_the_contract(pb):
    """The hand-written expectations name every field of every payload message, and every
    payload kind of the contract except stream control appears exactly once."""
    event_fields = pb.events.Event.DESCRIPTOR.oneofs_by_name["payload"].fields
    kinds = [field.name for field in event_fields if field.name not in ("gap", "heartbeat", "sync_response")]
    assert sorted(kinds) == sorted(name for name, _ in EXPECTED)
    for name, fields in EXPECTED:
        descriptor = pb.events.Event.DESCRIPTOR.fields_by_name[name].message_type
        assert set(fields) == {field.name for field in descriptor.fields}, name
    assert set(SESSION_INFO) == {field.name for field in pb.events.SessionInfo.DESCRIPTOR.fields}


def test_every_field_of_every_payload(pb, daemon):
    responses = subscribe_raw(pb, daemon, subscribe_request(pb, subscriber_name="pytest-samples"))
    raw_batches = []

    def parsed():
        for raw in responses:
            assert isinstance(raw, bytes)
            raw_batches.append(raw)
            batch = pb.events.EventBatch()
            consumed = batch.ParseFromString(raw)
            assert consumed == len(raw)
            assert unknown_fields(batch) == [], "fields the contract does not define"
            yield batch

    try:
        events = read_until_sync(parsed())
    finally:
        responses.cancel()

    assert raw_batches, "no EventBatch message received"
    data, sync = events[:-1], events[-1]
    assert [event.seq for event in data] == list(range(1, SAMPLE_COUNT + 1))
    boot_ids = {event.boot_id for event in events}
    assert len(boot_ids) == 1, f"several boot ids: {boot_ids}"
    (boot_id,) = boot_ids
    assert boot_id != 0

    # The stream-control event: seq 0, the daemon's boot and head.
    assert sync.WhichOneof("payload") == "sync_response"
    assert sync.seq == 0
    assert sync.node == NODE
    assert message_to_dict(sync.sync_response) == {"boot_id": boot_id, "head_seq": SAMPLE_COUNT}

    for index, (event, (kind, fields)) in enumerate(zip(data, EXPECTED)):
        assert event.WhichOneof("payload") == kind, f"seq {event.seq}"
        assert event.node == NODE
        assert event.time_unix_nano == BASE_TIME + index * 1_000_000, f"seq {event.seq} ({kind})"
        payload = getattr(event, kind)
        assert message_to_dict(payload) == fields, f"seq {event.seq} ({kind})"

    # Every field of every payload (nested messages included) is set to a non-default value,
    # except the few SampleEvents leaves at 0 on purpose.
    unset = set()
    for event, (kind, _) in zip(data, EXPECTED):
        unset |= default_fields(getattr(event, kind))
    assert unset == DEFAULT_VALUED_FIELDS

    # A second parse of the concatenated events proves the batches' contents re-encode and
    # parse as one EventBatch too.
    merged = pb.events.EventBatch()
    for raw in raw_batches:
        merged.MergeFromString(raw)
    again = pb.events.EventBatch.FromString(merged.SerializeToString())
    assert list(again.events)[: len(events)] == events


def test_ring_is_replayed_from_oldest_on_every_subscription(pb, daemon):
    """Two subscriptions in a row both get the whole ring, with the same boot id."""
    stub = daemon.stub()
    boots = []
    for name in ("first", "second"):
        call = stub.Subscribe(subscribe_request(pb, subscriber_name=name), timeout=RPC_TIMEOUT)
        try:
            events = read_until_sync(call)
        finally:
            call.cancel()
        assert [event.seq for event in events[:-1]] == list(range(1, SAMPLE_COUNT + 1))
        boots.append(events[0].boot_id)
    assert boots[0] == boots[1]
    statistics = daemon.list_subscribers(stub)
    assert statistics.boot_id == boots[0]
    assert statistics.head_seq == SAMPLE_COUNT
    assert statistics.ring_oldest_seq == 1
