import SDP

/// The RTP header extension ids one publisher negotiated (RFC 8285), by what Chorus reads.
/// A BUNDLE group shares one id space, so one set serves every m-section of a session.
public struct HeaderExtensionIDs: Sendable, Equatable {
    public var mid: UInt8?
    public var rid: UInt8?
    public var repairedRid: UInt8?
    public var audioLevel: UInt8?
    public var transportWideSequenceNumber: UInt8?
    public var absoluteSendTime: UInt8?
    public var dependencyDescriptor: UInt8?

    public init() {}

    /// Takes the ids of `extensions` for the URIs Chorus knows; earlier ids win.
    mutating func merge(_ extensions: [HeaderExtension]) {
        for element in extensions {
            guard (1...255).contains(element.id) else { continue }
            let id = UInt8(element.id)
            switch element.uri {
            case HeaderExtensionURI.mid: mid = mid ?? id
            case HeaderExtensionURI.rtpStreamID: rid = rid ?? id
            case HeaderExtensionURI.repairedRTPStreamID: repairedRid = repairedRid ?? id
            case HeaderExtensionURI.audioLevel: audioLevel = audioLevel ?? id
            case HeaderExtensionURI.transportWideCC: transportWideSequenceNumber = transportWideSequenceNumber ?? id
            case HeaderExtensionURI.absoluteSendTime: absoluteSendTime = absoluteSendTime ?? id
            case HeaderExtensionURI.dependencyDescriptor: dependencyDescriptor = dependencyDescriptor ?? id
            default: break
            }
        }
    }
}
