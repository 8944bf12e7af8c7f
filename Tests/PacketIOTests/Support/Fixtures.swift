import FlowtelCore
import Foundation
import PacketIO
import Packets

/// Integers in a chosen byte order, for building capture files by hand from the documented
/// formats.
struct Encoder {
    var order: ByteOrder

    func u16(_ value: UInt16) -> [UInt8] {
        let bytes = [UInt8(value >> 8), UInt8(value & 0xFF)]
        return order == .bigEndian ? bytes : bytes.reversed()
    }

    func u32(_ value: UInt32) -> [UInt8] {
        let bytes = (0..<4).map { UInt8((value >> (24 - 8 * $0)) & 0xFF) }
        return order == .bigEndian ? bytes : bytes.reversed()
    }

    func u64(_ value: UInt64) -> [UInt8] {
        let bytes = (0..<8).map { UInt8((value >> (56 - 8 * $0)) & 0xFF) }
        return order == .bigEndian ? bytes : bytes.reversed()
    }
}

/// Classic pcap files.
enum Pcap {
    static func header(
        _ order: ByteOrder, nanoseconds: Bool = false, major: UInt16 = 2, minor: UInt16 = 4,
        snapLength: UInt32 = 65_535, linkType: UInt32 = 1
    ) -> [UInt8] {
        let e = Encoder(order: order)
        return e.u32(nanoseconds ? 0xA1B2_3C4D : 0xA1B2_C3D4) + e.u16(major) + e.u16(minor) + e.u32(0) + e.u32(0)
            + e.u32(snapLength) + e.u32(linkType)
    }

    static func record(
        _ order: ByteOrder, seconds: UInt32, fraction: UInt32, _ data: [UInt8], captured: UInt32? = nil,
        original: UInt32? = nil
    ) -> [UInt8] {
        let e = Encoder(order: order)
        return e.u32(seconds) + e.u32(fraction) + e.u32(captured ?? UInt32(data.count))
            + e.u32(original ?? UInt32(data.count)) + data
    }
}

/// pcapng blocks.
enum PcapNG {
    static func block(_ order: ByteOrder, type: UInt32, _ body: [UInt8], length: UInt32? = nil, trailing: UInt32? = nil)
        -> [UInt8]
    {
        let e = Encoder(order: order)
        let padded = body + [UInt8](repeating: 0, count: (4 - body.count % 4) % 4)
        let total = UInt32(padded.count + 12)
        return e.u32(type) + e.u32(length ?? total) + padded + e.u32(trailing ?? length ?? total)
    }

    static func section(_ order: ByteOrder, major: UInt16 = 1) -> [UInt8] {
        let e = Encoder(order: order)
        return block(order, type: 0x0A0D_0D0A, e.u32(0x1A2B_3C4D) + e.u16(major) + e.u16(0) + e.u64(UInt64.max))
    }

    static func option(_ order: ByteOrder, code: UInt16, _ value: [UInt8]) -> [UInt8] {
        let e = Encoder(order: order)
        return e.u16(code) + e.u16(UInt16(value.count)) + value + [UInt8](repeating: 0, count: (4 - value.count % 4) % 4)
    }

    static func interface(
        _ order: ByteOrder, linkType: UInt16, snapLength: UInt32 = 0, tsresol: UInt8? = nil, tsoffset: Int64? = nil,
        extraOptions: [UInt8] = []
    ) -> [UInt8] {
        let e = Encoder(order: order)
        var options = extraOptions
        if let tsresol { options += option(order, code: 9, [tsresol]) }
        if let tsoffset { options += option(order, code: 14, e.u64(UInt64(bitPattern: tsoffset))) }
        if !options.isEmpty { options += e.u32(0) }
        return block(order, type: 1, e.u16(linkType) + e.u16(0) + e.u32(snapLength) + options)
    }

    static func enhanced(
        _ order: ByteOrder, interface: UInt32, units: UInt64, _ data: [UInt8], captured: UInt32? = nil,
        original: UInt32? = nil
    ) -> [UInt8] {
        let e = Encoder(order: order)
        return block(
            order, type: 6,
            e.u32(interface) + e.u32(UInt32(units >> 32)) + e.u32(UInt32(units & 0xFFFF_FFFF))
                + e.u32(captured ?? UInt32(data.count)) + e.u32(original ?? UInt32(data.count)) + data)
    }

    static func simple(_ order: ByteOrder, original: UInt32, _ data: [UInt8]) -> [UInt8] {
        block(order, type: 3, Encoder(order: order).u32(original) + data)
    }
}

/// Frames that decode, one per link type used here.
enum Frames {
    static func ipv4UDP(payload: [UInt8] = [1, 2, 3, 4]) -> [UInt8] {
        let udpLength = 8 + payload.count
        let total = 20 + udpLength
        let ip: [UInt8] = [
            0x45, 0, UInt8(total >> 8), UInt8(total & 0xFF), 0, 1, 0, 0, 64, 17, 0, 0,
            10, 0, 0, 1, 10, 0, 0, 2,
        ]
        let udp: [UInt8] = [0x30, 0x39, 0x00, 0x35, UInt8(udpLength >> 8), UInt8(udpLength & 0xFF), 0, 0]
        return ip + udp + payload
    }

    static func ethernetIPv4UDP(payload: [UInt8] = [1, 2, 3, 4]) -> [UInt8] {
        [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00] + ipv4UDP(payload: payload)
    }
}

/// Everything a reader yields, copied out of the mapping.
struct ReadResult {
    struct Record: Equatable {
        var timestamp: Timestamp?
        var capturedLength: Int
        var originalLength: Int
        var interfaceIndex: Int
        var linkType: LinkType
        var bytes: [UInt8]
        var offset: Int
    }

    var records: [Record] = []
    var malformed: [CaptureRecordError] = []
    var error: CaptureFileError?
}

/// Reads every entry of `bytes` (never more than `limit`, so a looping reader fails the test
/// instead of hanging it).
func readAll(_ bytes: [UInt8], limit: Int = 100_000) -> ReadResult {
    var result = ReadResult()
    do {
        var reader = try CaptureReader(file: CaptureFile(copying: bytes))
        var count = 0
        while let entry = try reader.next() {
            count += 1
            precondition(count <= limit, "reader yielded more entries than the file can hold")
            switch entry {
            case .packet(let record):
                precondition(record.bytes.count == record.capturedLength)
                result.records.append(
                    ReadResult.Record(
                        timestamp: record.timestamp, capturedLength: record.capturedLength,
                        originalLength: record.originalLength, interfaceIndex: record.interfaceIndex,
                        linkType: record.linkType, bytes: Array(record.bytes), offset: record.offset))
            case .malformed(let error):
                result.malformed.append(error)
            }
        }
        // A finished reader stays finished.
        precondition((try? reader.next()) == nil)
    } catch {
        result.error = error
    }
    return result
}

/// A fresh path in the temporary directory, removed by the caller.
func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("flowtel-\(UUID().uuidString)-\(name)").path
}
