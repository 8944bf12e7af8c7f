"""GetFlowStatistics from a grpcio client: the counters of a capture file flowteld replays, and
an empty answer when there is no packet source."""

import struct

from conftest import RPC_TIMEOUT, wait_for


def ethernet(payload: bytes, vlan: int | None = None) -> bytes:
    header = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01"
    if vlan is not None:
        header += struct.pack("!HH", 0x8100, vlan)
    return header + struct.pack("!H", 0x0800) + payload


def ipv4(protocol: int, payload: bytes, flags_and_offset: int = 0, header_words: int = 5) -> bytes:
    return struct.pack("!BBHHHBBH4s4s", 0x40 | header_words, 0, 20 + len(payload), 0x1234, flags_and_offset,
                       64, protocol, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + payload


UDP = struct.pack("!HHHH", 1234, 53, 12, 0) + b"abcd"
TCP_SYN = struct.pack("!HHIIBBHHH", 40000, 443, 1, 0, 0x50, 0x02, 65535, 0, 0)
ICMP_ECHO = struct.pack("!BBHHH", 8, 0, 0, 1, 1) + b"ping"

#: TCP SYN, UDP, ICMP in VLAN 100, a first fragment (more-fragments set), and an IPv4 header
#: claiming 12 bytes (malformed).
FRAMES = [
    ethernet(ipv4(6, TCP_SYN)),
    ethernet(ipv4(17, UDP)),
    ethernet(ipv4(1, ICMP_ECHO), vlan=100),
    ethernet(ipv4(17, UDP, flags_and_offset=0x2000)),
    ethernet(ipv4(6, TCP_SYN, header_words=3)),
]


def write_pcap(path, frames) -> None:
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for index, frame in enumerate(frames):
            f.write(struct.pack("<IIII", 1_700_000_000 + index, 0, len(frame), len(frame)) + frame)


def flow_statistics(pb, daemon):
    return daemon.stub().GetFlowStatistics(pb.flowtel.FlowStatisticsRequest(), timeout=RPC_TIMEOUT)


def test_flow_statistics_of_a_capture_file(pb, start_daemon, tmp_path):
    capture = tmp_path / "sample.pcap"
    write_pcap(capture, FRAMES)
    daemon = start_daemon(publisher=None, extra=["--replay", str(capture)])

    def finished():
        statistics = flow_statistics(pb, daemon)
        if statistics.sources and statistics.sources[0].state == pb.flowtel.CAPTURE_SOURCE_STATE_FINISHED:
            return statistics
        return None

    statistics = wait_for(finished, timeout=10, what="the capture file read to its end")

    assert statistics.current_sessions == 0
    assert statistics.packets_received == 5
    assert statistics.packets_malformed == 1
    assert statistics.fragment_packets == 1
    assert statistics.packets_dropped == 0
    assert len(statistics.sources) == 1
    source = statistics.sources[0]
    assert source.name == str(capture)
    assert source.kind == pb.flowtel.CAPTURE_SOURCE_KIND_FILE
    assert source.error == ""
    assert source.packets == 5
    assert source.bytes == sum(len(frame) for frame in FRAMES)
    assert source.malformed == 1
    assert source.fragments == 1
    assert source.skipped_records == 0
    assert (source.kernel_received, source.kernel_drops, source.interface_drops) == (0, 0, 0)
    assert [(e.kind, e.count) for e in source.decode_errors] == [("ipv4HeaderLengthTooSmall", 1)]


def test_flow_statistics_without_sources(pb, start_daemon):
    daemon = start_daemon(publisher=None)
    statistics = flow_statistics(pb, daemon)
    assert statistics == pb.flowtel.FlowStatistics()
