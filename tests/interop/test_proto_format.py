"""``flowtel subscribe --format proto``: a length-delimited stream of flowtel.v1.Event messages
that protobuf's own Python runtime reads back, field for field equal to what grpcio receives
from the daemon directly."""

from __future__ import annotations

import subprocess

from google.protobuf.internal.decoder import _DecodeVarint32

from conftest import FLOWTEL, RPC_TIMEOUT, SAMPLE_COUNT, read_until_sync, subscribe_request


def delimited(data: bytes, message_type) -> list:
    messages, offset = [], 0
    while offset < len(data):
        length, offset = _DecodeVarint32(data, offset)
        message = message_type()
        message.ParseFromString(data[offset:offset + length])
        messages.append(message)
        offset += length
    assert offset == len(data), "the stream ends on a record boundary"
    return messages


def test_proto_format_is_length_delimited_events(pb, daemon):
    result = subprocess.run(
        [str(FLOWTEL), "subscribe", "--target", daemon.target, "--from-oldest", "--max-events", str(SAMPLE_COUNT),
         "--format", "proto"],
        stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr
    from_cli = delimited(result.stdout, pb.events.Event)
    assert [event.seq for event in from_cli] == list(range(1, SAMPLE_COUNT + 1))

    batches = daemon.stub().Subscribe(subscribe_request(pb), metadata=daemon.metadata, timeout=RPC_TIMEOUT)
    direct = [event for event in read_until_sync(batches) if event.seq > 0]
    assert len(direct) == SAMPLE_COUNT
    assert from_cli == direct


def test_proto_format_into_a_file_without_newlines(pb, daemon, tmp_path):
    path = tmp_path / "events.pb"
    result = subprocess.run(
        [str(FLOWTEL), "subscribe", "--target", daemon.target, "--from-oldest", "--max-events", str(SAMPLE_COUNT),
         "--format", "proto", "--output", f"file:{path}"],
        stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
    assert result.returncode == 0, result.stderr
    events = delimited(path.read_bytes(), pb.events.Event)
    assert [event.seq for event in events] == list(range(1, SAMPLE_COUNT + 1))
    assert events[1].WhichOneof("payload") == "session_close"
