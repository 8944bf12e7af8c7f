"""Subscribe semantics seen from a Python client: daemon-side selection (kinds, session filter),
resume points, heartbeats, shutdown, and a batch waiting for its latency bound."""

import os
import time

import grpc
import pytest

from conftest import NODE, RPC_TIMEOUT, SAMPLE_COUNT, message_to_dict, read_until_sync, subscribe_request, wait_for

# Sample seqs by kind (SampleEvents.all() order): 1 create, 2 close, 3 deny (IPv6 source),
# 4..13 fault events.
FAULT_SEQS = list(range(4, SAMPLE_COUNT + 1))


def subscribe(pb, daemon, request):
    call = daemon.stub().Subscribe(request, timeout=RPC_TIMEOUT)
    try:
        return read_until_sync(call)
    finally:
        call.cancel()


def seqs(events):
    return [event.seq for event in events if event.seq]


def test_kinds_and_filter_are_applied_by_the_daemon(pb, daemon):
    F = pb.flowtel
    ten_slash_8 = F.SessionFilter(source_prefix="10.0.0.0/8")

    events = subscribe(pb, daemon, subscribe_request(
        pb, kinds=[F.EVENT_KIND_SESSION_CLOSE, F.EVENT_KIND_ALARM], filter=ten_slash_8))
    assert seqs(events) == [2, 6, 7]
    assert [event.WhichOneof("payload") for event in events] == [
        "session_close", "alarm_raised", "alarm_cleared", "sync_response"]
    # Filtered-out events are not gaps: the SyncResponse still reports the head.
    assert events[-1].sync_response.head_seq == SAMPLE_COUNT

    # Session criteria do not affect fault events; the IPv6 deny is outside 10/8.
    assert seqs(subscribe(pb, daemon, subscribe_request(pb, filter=ten_slash_8))) == [1, 2] + FAULT_SEQS
    v6 = F.SessionFilter(source_prefix="fd00::/8")
    assert seqs(subscribe(pb, daemon, subscribe_request(pb, kinds=[F.EVENT_KIND_SESSION_DENY], filter=v6))) == [3]
    assert seqs(subscribe(pb, daemon, subscribe_request(pb, kinds=[F.EVENT_KIND_WEDGE]))) == [8, 9]


def test_resume(pb, daemon):
    F = pb.flowtel
    boot_id = daemon.list_subscribers().boot_id

    def resume(boot, seq):
        return F.SubscribeRequest(start=F.START_POSITION_RESUME, resume=F.ResumePoint(boot_id=boot, seq=seq))

    assert seqs(subscribe(pb, daemon, resume(boot_id, 10))) == [11, 12, 13]
    assert seqs(subscribe(pb, daemon, resume(boot_id, SAMPLE_COUNT))) == []
    assert seqs(subscribe(pb, daemon, F.SubscribeRequest(start=F.START_POSITION_FROM_NOW))) == []

    # A resume point of another boot: a Gap for the lost rest of that boot (end unknown), then
    # the current boot from its oldest event.
    events = subscribe(pb, daemon, resume(boot_id ^ 1, 5))
    gap = events[0]
    assert gap.WhichOneof("payload") == "gap"
    assert gap.seq == 0 and gap.boot_id == boot_id and gap.node == NODE
    fields = message_to_dict(gap.gap)
    assert fields.pop("detail")
    assert fields == {"boot_id": boot_id ^ 1, "first_seq": 6, "last_seq": 0, "reason": "GAP_REASON_BOOT_CHANGED"}
    assert seqs(events[1:]) == list(range(1, SAMPLE_COUNT + 1))


def test_heartbeats_on_a_silent_stream(pb, daemon):
    call = daemon.stub().Subscribe(subscribe_request(pb, heartbeat_interval_ms=100), timeout=RPC_TIMEOUT)
    try:
        events = read_until_sync(call)
        boot_id = events[0].boot_id
        synced = time.monotonic()
        heartbeats = []
        for batch in call:
            heartbeats += batch.events
            if len(heartbeats) >= 2:
                break
        elapsed = time.monotonic() - synced
    finally:
        call.cancel()
    assert 0.1 <= elapsed < 2, elapsed
    for event in heartbeats:
        assert event.WhichOneof("payload") == "heartbeat"
        assert event.seq == 0 and event.boot_id == boot_id and event.node == NODE
        assert message_to_dict(event.heartbeat) == {"boot_id": boot_id, "head_seq": SAMPLE_COUNT}


def test_sigterm_ends_open_streams_with_unavailable(pb, daemon):
    call = daemon.stub().Subscribe(subscribe_request(pb, subscriber_name="live"), timeout=RPC_TIMEOUT + 10)
    try:
        read_until_sync(call)
        daemon.terminate()
        started = time.monotonic()
        try:
            for batch in call:
                assert all(event.seq == 0 for event in batch.events), "events after SIGTERM"
            raise AssertionError("the stream ended OK; expected UNAVAILABLE")
        except grpc.RpcError as error:
            assert error.code() == grpc.StatusCode.UNAVAILABLE, error
            assert "resume" in error.details()
        assert time.monotonic() - started < 10
    finally:
        call.cancel()
    assert daemon.process.wait(timeout=10) == 0, daemon.log()


def take_samples_into_a_waiting_batch(pb, daemon, name):
    """Subscribes with a 10 s batch latency and returns the call once the daemon is filling the
    subscriber's batch with the 13 samples (it then waits for more until the latency bound).
    Events are consumed only when their batch is flushed, so `sent` stays 0 meanwhile: wait for
    the subscriber to register, then give its handler time to scan the ring."""
    request = subscribe_request(pb, subscriber_name=name, max_batch_latency_ms=10_000)
    call = daemon.stub().Subscribe(request, timeout=RPC_TIMEOUT + 10)
    wait_for(lambda: any(sub.name == name for sub in daemon.list_subscribers().subscribers),
             timeout=5, what="the subscriber to register")
    time.sleep(0.3)
    assert all(sub.sent == 0 for sub in daemon.list_subscribers().subscribers if sub.name == name)
    return call


def test_sigterm_flushes_events_already_taken_for_a_batch(pb, daemon):
    call = take_samples_into_a_waiting_batch(pb, daemon, "pending")
    try:
        daemon.terminate()
        events = []
        try:
            for batch in call:
                events += batch.events
            code = grpc.StatusCode.OK
        except grpc.RpcError as error:
            code = error.code()
    finally:
        call.cancel()
    assert code == grpc.StatusCode.UNAVAILABLE
    assert seqs(events) == list(range(1, SAMPLE_COUNT + 1))


def test_cancel_is_noticed_while_a_batch_waits(pb, daemon):
    call = take_samples_into_a_waiting_batch(pb, daemon, "cancelled-while-batching")
    call.cancel()
    # The handler wakes at least every 200 ms to notice a cancelled call (SubscribeHandler).
    wait_for(lambda: not daemon.list_subscribers().subscribers, timeout=1.5,
             what="the cancelled subscriber to leave the bus")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="needs Linux /proc")
def test_a_waiting_batch_does_not_spin(pb, daemon):
    call = take_samples_into_a_waiting_batch(pb, daemon, "spin-check")
    try:
        before = cpu_seconds(daemon.process.pid)
        time.sleep(1)
        used = cpu_seconds(daemon.process.pid) - before
    finally:
        call.cancel()
    assert used < 0.1, f"flowteld used {used:.2f} s of CPU in 1 s with one subscriber waiting for its batch"
