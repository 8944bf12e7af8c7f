public import FlowtelCore
import FlowtelGRPC

/// The records of one `--format`, appended straight to an output's buffer: what
/// `flowtel subscribe` writes for each event, chosen once, not per event.
///
/// json and text print stream control only with `control`; sd-syslog and syslog have no
/// record for events other than sessions. With `gapsAsRecords` (files), gaps are always
/// records, as a text line where the format has none. Text formats end each record with a
/// newline; proto records are length-delimited `flowtel.v1.Event` messages (see
/// ``LengthDelimited``), encoded in place by ``ProtoRecordEncoder``.
///
/// One per owner thread (the proto encoder keeps scratch memory).
public final class RecordRenderer {
    private enum Format {
        case json, text, sdSyslog, syslog, proto
    }

    private let format: Format
    private let control: Bool
    private let gapsAsRecords: Bool
    private let syslog: SyslogRenderer
    private let proto = ProtoRecordEncoder()

    /// The renderer of `format` (json, text, sd-syslog, syslog, proto); nil for count or an
    /// unknown name.
    public init?(format: String, model: Int, control: Bool, gapsAsRecords: Bool) {
        switch format {
        case "json": self.format = .json
        case "text": self.format = .text
        case "sd-syslog": self.format = .sdSyslog
        case "syslog": self.format = .syslog
        case "proto": self.format = .proto
        default: return nil
        }
        self.control = control
        self.gapsAsRecords = gapsAsRecords
        syslog = SyslogRenderer(model: model)
    }

    /// Whether records end with a newline (every format but proto).
    public var newlines: Bool { format != .proto }

    /// Appends `event`'s record to `buffer`; false (nothing appended) when the format has none
    /// for it.
    @inline(__always)
    public func append(_ event: Event, to buffer: inout [UInt8]) -> Bool {
        let isGap = if case .gap = event.payload { true } else { false }
        let printed = !event.payload.isStreamControl || control || (gapsAsRecords && isGap)
        switch format {
        case .json:
            guard printed else { return false }
            JSONRenderer().render(event, into: &buffer)
        case .text:
            guard printed else { return false }
            TextRenderer().render(event, into: &buffer)
        case .sdSyslog, .syslog:
            if gapsAsRecords && isGap {
                TextRenderer().render(event, into: &buffer)
            } else {
                let before = buffer.count
                let rendered =
                    format == .sdSyslog
                    ? syslog.render(event, into: &buffer) : PlainSyslogRenderer().render(event, into: &buffer)
                guard rendered else {
                    buffer.removeSubrange(before...)
                    return false
                }
            }
        case .proto:
            guard printed else { return false }
            proto.append(event, to: &buffer)
            return true
        }
        buffer.append(0x0A)
        return true
    }
}

/// Length-delimited `flowtel.v1.Event` records encoded without protobuf-c for the envelope:
/// the body (time and payload) by the encoder's session fast path, then the record framed in
/// place as the length, `boot_id` and `node` (`EventBatchWriter.envelopePrefix`, rebuilt only
/// when they change), `seq` (omitted when 0, as protobuf omits defaults) and the body.
/// Protobuf allows fields in any order, so the message decodes to the same event as
/// protobuf-c's canonical encoding.
final class ProtoRecordEncoder {
    private let encoder = EventEncoder()
    private let bodies = EncodedEvents()
    private var prefix: [UInt8] = []
    private var prefixBoot: BootID? = nil
    private var prefixNode = ""

    /// Appends `event`'s record to `buffer`.
    func append(_ event: Event, to buffer: inout [UInt8]) {
        if prefixBoot != event.bootID || prefixNode != event.node {
            prefix = EventBatchWriter.envelopePrefix(bootID: event.bootID.rawValue, node: event.node)
            prefixBoot = event.bootID
            prefixNode = event.node
        }
        bodies.removeAll()
        encoder.append(time: event.time, payload: event.payload, to: bodies)
        bodies.withBody(0) { body in
            let seqLength = event.seq == 0 ? 0 : 1 + ProtoVarint.length(event.seq)
            let length = prefix.count + seqLength + body.count
            let total = ProtoVarint.length(UInt64(length)) + length
            // Framed in scratch memory, then appended in one copy (an array grown by a
            // filler sequence first would be written twice).
            withUnsafeTemporaryAllocation(byteCount: total, alignment: 8) { record in
                var at = ProtoVarint.write(UInt64(length), at: record.baseAddress!)
                prefix.withUnsafeBytes { at.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
                at += prefix.count
                if event.seq != 0 {
                    at.storeBytes(of: 0x10, as: UInt8.self)
                    at = ProtoVarint.write(event.seq, at: at + 1)
                }
                if body.count > 0 { at.copyMemory(from: body.baseAddress!, byteCount: body.count) }
                buffer.append(contentsOf: UnsafeRawBufferPointer(record))
            }
        }
    }
}
