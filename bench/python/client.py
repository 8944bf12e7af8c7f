"""Python grpcio baseline client for bench/run.sh.

    client.py GEN_DIR TARGET EXPECTED_EVENTS

Calls flowtel.v1.Flowtel/Subscribe (from the oldest event) with grpcio's synchronous API,
deserializes every EventBatch (EventBatch.FromString, as the generated stub does), counts the
events and checks that seq runs 1, 2, 3, ... Prints one line on success:

    events=N bytes=B seconds=S wall=W messages=M events_per_s=R mb_per_s=X

bytes = protobuf payload bytes of every message (gRPC's 5-byte frame header and HTTP/2 not
included); seconds = first received message to end of stream; wall = call start to end of
stream. Exits 1 if the stream fails, the count differs or seq is out of order.
"""

import sys
import time


def main() -> int:
    if len(sys.argv) != 4:
        print(f"usage: {sys.argv[0]} GEN_DIR TARGET EXPECTED_EVENTS", file=sys.stderr)
        return 2
    sys.path.insert(0, sys.argv[1])
    target = sys.argv[2]
    expected = int(sys.argv[3])

    import grpc
    from flowtel.v1 import events_pb2, flowtel_pb2

    wire = [0]
    parse = events_pb2.EventBatch.FromString

    def deserialize(payload: bytes):
        wire[0] += len(payload)
        return parse(payload)

    channel = grpc.insecure_channel(target, options=[("grpc.max_receive_message_length", -1)])
    # What flowtel_pb2_grpc.FlowtelStub.Subscribe is, with a deserializer that also counts
    # the payload bytes.
    subscribe = channel.unary_stream(
        "/flowtel.v1.Flowtel/Subscribe",
        request_serializer=flowtel_pb2.SubscribeRequest.SerializeToString,
        response_deserializer=deserialize,
    )
    request = flowtel_pb2.SubscribeRequest(
        start=flowtel_pb2.START_POSITION_FROM_OLDEST, subscriber_name="bench-python"
    )

    events = 0
    messages = 0
    next_seq = 1
    in_order = True
    first = None
    call_start = time.perf_counter()
    try:
        for batch in subscribe(request, timeout=300, wait_for_ready=True):
            if first is None:
                first = time.perf_counter()
            messages += 1
            for e in batch.events:
                if e.seq != next_seq or e.WhichOneof("payload") != "session_close":
                    if in_order:
                        print(f"client.py: event {events} has seq {e.seq}", file=sys.stderr)
                    in_order = False
                next_seq = e.seq + 1
                events += 1
    except grpc.RpcError as err:
        print(f"client.py: stream failed: {err.code()} {err.details()}", file=sys.stderr)
        return 1
    end = time.perf_counter()
    channel.close()

    if events != expected or not in_order:
        print(
            f"client.py: got {events} events (expected {expected}), in order: {in_order}",
            file=sys.stderr,
        )
        return 1
    seconds = end - first if first is not None else 0.0
    wall = end - call_start
    rate = events / seconds if seconds > 0 else 0.0
    mbps = wire[0] / seconds / 1e6 if seconds > 0 else 0.0
    print(
        f"events={events} bytes={wire[0]} seconds={seconds:.6f} wall={wall:.6f} "
        f"messages={messages} events_per_s={rate:.0f} mb_per_s={mbps:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
