public import FlowtelCore

/// Renders session events as the plain-text RT_FLOW syslog an SRX sends with
/// `security log format syslog` (structured data off):
///
///     <14>Dec  7 08:05:30 fw1 RT_FLOW: RT_FLOW_SESSION_CLOSE: session closed TCP FIN: 10.0.0.5/51000->192.0.2.80/443 0x0 junos-https ...
///
/// An RFC 3164 line: priority 14 (facility user, severity informational), the time as
/// `Mmm dd HH:MM:SS` in UTC with no year, the event's node as HOSTNAME (left out when empty),
/// the tag `RT_FLOW:` and the message. The message carries the values of the sd-syslog form
/// (``SyslogRenderer``), in the same order, spelled as the plain form spells them: connection
/// tags `0x0` after each 4-tuple, `source rule` / `static rule` / `destination rule` / `N/A`,
/// `N/A(N/A)` for username and roles, `packets(bytes)`. Other events have no RT_FLOW form: the
/// renderer returns nil for them.
public struct PlainSyslogRenderer: Sendable {
    /// Creates a renderer.
    public init() {}

    /// The syslog line (without the newline) for a session event; nil for other events.
    public func render(_ event: Event) -> [UInt8]? {
        var line: [UInt8] = []
        return render(event, into: &line) ? line : nil
    }

    /// Appends the syslog line (without the newline) for a session event to `buffer`; false
    /// (nothing appended) for other events.
    ///
    /// Allocates nothing once `buffer` has the capacity: render a batch into one reused array.
    @discardableResult
    public func render(_ event: Event, into buffer: inout [UInt8]) -> Bool {
        guard RTFlowRecord.tag(event.payload) != nil else { return false }
        return RenderBuffer.appending(to: &buffer) { line in
            line.append("<14>")
            line.appendBSDSyslog(event.time)
            line.append(UInt8(ascii: " "))
            TextRenderer.appendHost(event, to: &line)
            line.append("RT_FLOW: ")
            return RTFlowText.write(event.payload, to: &line)
        }
    }
}
