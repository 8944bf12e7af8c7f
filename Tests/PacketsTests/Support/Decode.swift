import Packets

/// Decodes `frame` as `linkType`.
func decode(_ frame: [UInt8], _ linkType: LinkType = .ethernet, wireLength: Int? = nil) throws(PacketDecodeError) -> DecodedPacket {
    try PacketDecoder(linkType: linkType).decode(frame, wireLength: wireLength)
}

/// The error decoding `frame` throws, or nil if it decodes.
func decodeError(_ frame: [UInt8], _ linkType: LinkType = .ethernet, wireLength: Int? = nil) -> PacketDecodeError? {
    do {
        _ = try decode(frame, linkType, wireLength: wireLength)
        return nil
    } catch {
        return error
    }
}
