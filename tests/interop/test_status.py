"""Status codes flowteld answers with: request validation, unknown and unserved methods, bearer
tokens, and the request size limit."""

import grpc
import pytest

from conftest import RPC_TIMEOUT, SAMPLE_COUNT, TOKEN, read_until_sync, status_of, subscribe_request


def subscribe_error(pb, daemon, request, metadata=None, channel=None):
    stub = pb.flowtel_grpc.FlowtelStub(channel or daemon.channel())
    return status_of(stub.Subscribe, request, metadata=metadata, timeout=RPC_TIMEOUT)


@pytest.mark.parametrize("fields, mentions", [
    ({"heartbeat_interval_ms": 5}, "heartbeat_interval_ms"),
    ({"heartbeat_interval_ms": 3_600_001}, "heartbeat_interval_ms"),
    ({"filter": {"source_prefix": "10.0.0.300/8"}}, "source_prefix"),
    ({"filter": {"destination_prefix": "2001:db8::/129"}}, "destination_prefix"),
    ({"kinds": [99]}, "kinds"),
    ({"max_batch_events": 65_537}, "max_batch_events"),
    ({"max_batch_latency_ms": 10_001}, "max_batch_latency_ms"),
    ({"subscriber_name": "x" * 257}, "subscriber_name"),
])
def test_subscribe_invalid_argument(pb, daemon, fields, mentions):
    error = subscribe_error(pb, daemon, subscribe_request(pb, **fields))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, error
    assert mentions in error.details()


def test_unknown_method_is_unimplemented(pb, daemon):
    nope = daemon.channel().unary_unary("/flowtel.v1.Flowtel/Nope")
    error = status_of(nope, b"", timeout=RPC_TIMEOUT)
    assert error.code() == grpc.StatusCode.UNIMPLEMENTED
    other = daemon.channel().unary_unary("/no.such.Service/Method")
    assert status_of(other, b"", timeout=RPC_TIMEOUT).code() == grpc.StatusCode.UNIMPLEMENTED


def test_token_required(pb, token_daemon):
    daemon = token_daemon
    channel = daemon.channel()
    request = subscribe_request(pb, subscriber_name="token-test")

    error = subscribe_error(pb, daemon, request, channel=channel)
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    error = subscribe_error(pb, daemon, request, metadata=[("authorization", "Bearer wrong")], channel=channel)
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    error = subscribe_error(pb, daemon, request, metadata=[("authorization", TOKEN)], channel=channel)
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    stub = pb.flowtel_grpc.FlowtelStub(channel)
    error = status_of(stub.ListSubscribers, pb.flowtel.ListSubscribersRequest(), timeout=RPC_TIMEOUT)
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED

    call = stub.Subscribe(request, metadata=[("authorization", f"Bearer {TOKEN}")], timeout=RPC_TIMEOUT)
    try:
        events = read_until_sync(call)
    finally:
        call.cancel()
    assert [event.seq for event in events[:-1]] == list(range(1, SAMPLE_COUNT + 1))

    # Health stays open without a token (probes).
    health = pb.health_grpc.HealthStub(channel)
    response = health.Check(pb.health.HealthCheckRequest(service="flowtel.v1.Flowtel"), timeout=RPC_TIMEOUT)
    assert response.status == pb.health.HealthCheckResponse.SERVING


def test_request_over_max_receive_size_is_resource_exhausted(pb, daemon):
    request = subscribe_request(pb, subscriber_name="x" * (5 << 20))
    error = subscribe_error(pb, daemon, request)
    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED, error
    # The daemon still serves afterwards.
    statistics = daemon.list_subscribers()
    assert statistics.head_seq == SAMPLE_COUNT
