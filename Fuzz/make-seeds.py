#!/usr/bin/env python3
"""Writes the seed corpora in Fuzz/corpus/ from the documented wire formats.

Run once; the outputs are committed. Rerunning rewrites the same bytes. Frames follow
RFC 791/8200/793/768/792/4443, IEEE 802.1Q, and the pcap/pcapng layouts in
draft-ietf-opsawg-pcap / draft-ietf-opsawg-pcapng. Only the standard library is used.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

# Index into LinkType.supported (Sources/Packets/LinkType.swift): the decoder target's first byte.
NULL, ETHERNET, RAW, LINUX_SLL, IPV4, IPV6, LINUX_SLL2 = 0, 1, 4, 6, 7, 8, 9

MAC_A = bytes([2, 0, 0, 0, 0, 1])
MAC_B = bytes([2, 0, 0, 0, 0, 2])
V4_A, V4_B = bytes([10, 0, 0, 1]), bytes([192, 0, 2, 7])
V6_A = bytes.fromhex("20010db8000000000000000000000001")
V6_B = bytes.fromhex("20010db8000000000000000000000002")


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ipv4(proto, payload, src=V4_A, dst=V4_B, ident=0x1234, frag=0x4000, ttl=64):
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, ttl, proto, 0, src, dst)
    return header[:10] + struct.pack("!H", checksum(header)) + header[12:] + payload


def ipv6(next_header, payload, src=V6_A, dst=V6_B, hop=64):
    return struct.pack("!IHBB16s16s", 0x60000000 | 0xBEEF, len(payload), next_header, hop, src, dst) + payload


def tcp(flags=0x02, payload=b"", sport=49152, dport=443):
    return struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, 5 << 4, flags, 65535, 0, 0) + payload


def udp(payload=b"", sport=5353, dport=53):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def icmp(kind, code, rest, body):
    return struct.pack("!BBHI", kind, code, 0, rest) + body


def ethernet(ether_type, payload, tags=()):
    frame = MAC_B + MAC_A
    for tpid, vid in tags:
        frame += struct.pack("!HH", tpid, vid)
    return frame + struct.pack("!H", ether_type) + payload


def sll(protocol, payload, packet_type=0):
    return struct.pack("!HHH8sH", packet_type, 1, 6, MAC_A + b"\0\0", protocol) + payload


def sll2(protocol, payload, ifindex=3):
    return struct.pack("!HHIHBB8s", protocol, 0, ifindex, 1, 4, 6, MAC_A + b"\0\0") + payload


def decoder_seeds():
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, MAC_A, V4_A, b"\0" * 6, V4_B)
    embedded = ipv4(17, udp(b"q"), src=V4_B, dst=V4_A)
    hop_by_hop = bytes([44, 0, 1, 4, 0, 0, 0, 0])  # next: fragment; PadN
    fragment = struct.pack("!BBHI", 17, 0, (0 << 3) | 1, 0xCAFE)
    return {
        "ethernet-ipv4-tcp-syn": bytes([ETHERNET]) + ethernet(0x0800, ipv4(6, tcp(0x02, b"hello"))),
        "ethernet-vlan-ipv6-udp": bytes([ETHERNET]) + ethernet(0x86DD, ipv6(17, udp(b"dns?")), tags=[(0x8100, 42)]),
        "ethernet-qinq-ipv4-udp": bytes([ETHERNET])
        + ethernet(0x0800, ipv4(17, udp(b"x")), tags=[(0x88A8, 100), (0x8100, 200)]),
        "ethernet-ipv4-icmp-unreachable": bytes([ETHERNET])
        + ethernet(0x0800, ipv4(1, icmp(3, 3, 0, embedded))),
        "ethernet-arp": bytes([ETHERNET]) + ethernet(0x0806, arp),
        "raw-ipv6-icmpv6-echo": bytes([RAW]) + ipv6(58, icmp(128, 0, (7 << 16) | 1, b"ping")),
        "ipv6-hop-by-hop-fragment-udp": bytes([IPV6]) + ipv6(0, hop_by_hop + fragment + udp(b"frag")),
        "ipv4-non-first-fragment": bytes([IPV4]) + ipv4(17, b"\0" * 16, frag=0x2000 | 185),
        "null-ipv4-tcp-ack": bytes([NULL]) + struct.pack("<I", 2) + ipv4(6, tcp(0x10)),
        "linux-sll-ipv4-udp": bytes([LINUX_SLL]) + sll(0x0800, ipv4(17, udp(b"sll"))),
        "linux-sll2-ipv6-tcp-fin": bytes([LINUX_SLL2]) + sll2(0x86DD, ipv6(6, tcp(0x11))),
    }


PACKETS = [
    ethernet(0x0800, ipv4(6, tcp(0x02))),
    ethernet(0x86DD, ipv6(17, udp(b"v6")), tags=[(0x8100, 10)]),
    ethernet(0x0800, ipv4(1, icmp(8, 0, (1 << 16) | 1, b"echo"))),
]


def pcap(link_type, packets, nanoseconds=False, endian="<", snap=65535):
    magic = 0xA1B23C4D if nanoseconds else 0xA1B2C3D4
    out = struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, snap, link_type)
    for index, (data, original) in enumerate(packets):
        out += struct.pack(endian + "IIII", 1_700_000_000 + index, 500 * index, len(data), original) + data
    return out


def block(kind, body):
    body += b"\0" * (-len(body) % 4)
    length = 12 + len(body)
    return struct.pack("<II", kind, length) + body + struct.pack("<I", length)


def option(code, value):
    return struct.pack("<HH", code, len(value)) + value + b"\0" * (-len(value) % 4)


def pcapng():
    shb = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + option(4, b"flowtel seeds") + option(0, b""))
    idb_ethernet = block(1, struct.pack("<HHI", 1, 0, 65535) + option(9, bytes([9])) + option(0, b""))
    idb_sll = block(1, struct.pack("<HHI", 113, 0, 96))
    out = shb + idb_ethernet + idb_sll
    for index, data in enumerate(PACKETS):
        out += block(6, struct.pack("<IIIII", 0, 0x0006_0000, 1000 * index, len(data), len(data)) + data)
    cut = sll(0x0800, ipv4(17, udp(b"a longer payload cut by the snapshot length")))
    out += block(6, struct.pack("<IIIII", 1, 0x0006_0000, 9000, 48, len(cut)) + cut[:48])
    out += block(3, struct.pack("<I", len(PACKETS[0])) + PACKETS[0])  # simple packet block
    return out


def capture_seeds():
    truncated = PACKETS[1]
    return {
        "ethernet-microseconds-le.pcap": pcap(1, [(p, len(p)) for p in PACKETS]),
        "raw-nanoseconds-be-snaplen.pcap": pcap(
            101, [(ipv4(6, tcp(0x18, b"abcdef")), 46), (truncated[18:66], len(truncated) - 18)],
            nanoseconds=True, endian=">", snap=64),
        "two-interfaces.pcapng": pcapng(),
    }


def write(folder, seeds):
    for name, data in seeds.items():
        assert len(data) < 2048, name
        with open(os.path.join(HERE, "corpus", folder, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    write("decoder", decoder_seeds())
    write("capture", capture_seeds())
