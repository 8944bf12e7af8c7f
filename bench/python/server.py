"""Python grpcio baseline server for bench/run.sh.

    server.py GEN_DIR PORT EVENTS PER_MESSAGE [PORT_FILE]

Serves flowtel.v1.Flowtel/Subscribe (every other method answers UNIMPLEMENTED) on
127.0.0.1:PORT (0 picks a free port) with grpcio's synchronous server. Each Subscribe call
streams EVENTS SessionClose events, seq 1..EVENTS, PER_MESSAGE events per EventBatch, built
and encoded as they are sent. GEN_DIR holds the grpc_tools.protoc output for
proto/flowtel/v1/*.proto. The bound port is written to PORT_FILE (atomically) and to stdout
when the server is ready. Runs until SIGTERM or SIGINT.

The event values are the same functions of seq as in bench/cpp/session_event.h, so both
baselines put the same bytes on the wire.
"""

import os
import random
import signal
import sys
import threading
import time
from concurrent import futures


def main() -> int:
    if len(sys.argv) not in (5, 6):
        print(f"usage: {sys.argv[0]} GEN_DIR PORT EVENTS PER_MESSAGE [PORT_FILE]", file=sys.stderr)
        return 2
    sys.path.insert(0, sys.argv[1])
    port = int(sys.argv[2])
    events = int(sys.argv[3])
    per_message = int(sys.argv[4])
    port_file = sys.argv[5] if len(sys.argv) == 6 else None
    if not 0 <= port <= 65535 or per_message <= 0:
        print("server.py: port must be 0..65535 and per-message > 0", file=sys.stderr)
        return 2

    import grpc
    from flowtel.v1 import events_pb2, flowtel_pb2_grpc

    EventBatch = events_pb2.EventBatch
    NAT_SOURCE = events_pb2.NAT_RULE_TYPE_SOURCE
    TCP_FIN = events_pb2.CLOSE_REASON_TCP_FIN
    NAT_ADDRESS = bytes((198, 51, 100, 1))
    boot_id = random.getrandbits(64)

    class FlowtelBaseline(flowtel_pb2_grpc.FlowtelServicer):
        def Subscribe(self, request, context):
            base_ns = time.time_ns()
            seq = 0
            while seq < events:
                batch = EventBatch()
                add = batch.events.add
                end = min(seq + per_message, events)
                while seq < end:
                    seq += 1
                    i = seq
                    t = base_ns + i * 1000
                    elapsed = 1 + i % 600
                    destination = bytes((203, 0, 113, 10 + i % 16))

                    e = add()
                    e.boot_id = boot_id
                    e.seq = i
                    e.time_unix_nano = t
                    e.node = "srx-lab-1"
                    c = e.session_close
                    s = c.session
                    s.source_address = bytes((10, 0, (i >> 8) & 0xFF, i & 0xFF))
                    s.source_port = 1024 + i % 64000
                    s.destination_address = destination
                    s.destination_port = 443
                    s.service_name = "junos-https"
                    s.nat_source_address = NAT_ADDRESS
                    s.nat_source_port = 1024 + (i * 13) % 64000
                    s.nat_destination_address = destination
                    s.nat_destination_port = 443
                    s.src_nat_rule_type = NAT_SOURCE
                    s.src_nat_rule_name = "trust-to-untrust/snat-all"
                    s.protocol_id = 6
                    s.policy_name = "allow-web"
                    s.policy_index = 4
                    s.source_zone_name = "trust"
                    s.destination_zone_name = "untrust"
                    s.session_id = i & 0xFFFFFFFF
                    s.packet_incoming_interface = "ge-0/0/1.0"
                    s.egress_interface = "ge-0/0/0.0"
                    s.timeout_seconds = 1800
                    c.reason = TCP_FIN
                    c.packets_from_client = 10 + i % 50
                    c.bytes_from_client = 1000 + (i * 37) % 100000
                    c.packets_from_server = 8 + i % 40
                    c.bytes_from_server = 4000 + (i * 101) % 1000000
                    c.elapsed_time = elapsed
                    c.start_time_unix_nano = t - elapsed * 1_000_000_000
                # grpcio serializes the batch (SerializeToString) when it sends it.
                yield batch

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    flowtel_pb2_grpc.add_FlowtelServicer_to_server(FlowtelBaseline(), server)
    bound = server.add_insecure_port(f"127.0.0.1:{port}")
    if bound == 0:
        print(f"server.py: cannot listen on 127.0.0.1:{port}", file=sys.stderr)
        return 1
    server.start()

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    if port_file:
        tmp = port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{bound}\n")
        os.replace(tmp, port_file)
    print(f"listening on 127.0.0.1:{bound}", flush=True)

    while not stop.wait(0.5):
        pass
    server.stop(grace=2).wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
