/// The structure of an unencrypted H.264 RTP payload in non-interleaved mode (RFC 6184
/// section 5.6 to 5.8): a single NAL unit, a STAP-A aggregate, or an FU-A fragment.
///
/// Every form starts with a NAL unit header (RFC 6184 section 5.3):
///
///     +---------------+
///     |0|1|2|3|4|5|6|7|
///     +-+-+-+-+-+-+-+-+
///     |F|NRI|  Type   |
///     +---------------+
///
/// A STAP-A (type 24) continues with NAL units, each preceded by a 16-bit size. An FU-A
/// (type 28) continues with an FU header whose S and E bits mark the first and last fragment
/// and whose type is that of the fragmented NAL unit.
public struct H264Payload: Equatable, Sendable {
    public enum Packetization: Equatable, Sendable {
        case singleNALUnit
        case stapA
        case fuA(start: Bool, end: Bool)
    }

    /// NAL unit types (ITU-T H.264 table 7-1).
    public enum NALUnitType {
        public static let codedSliceNonIDR: UInt8 = 1
        public static let codedSliceIDR: UInt8 = 5
        public static let sequenceParameterSet: UInt8 = 7
        public static let pictureParameterSet: UInt8 = 8
        public static let stapA: UInt8 = 24
        public static let fuA: UInt8 = 28
    }

    public var packetization: Packetization
    /// Bit n is set when the packet contains, or starts, a NAL unit of type n.
    public var nalUnitTypes: UInt32

    public func contains(nalUnitType: UInt8) -> Bool {
        nalUnitType < 32 && nalUnitTypes & (1 << UInt32(nalUnitType)) != 0
    }

    /// Whether the packet starts an IDR picture: it contains an IDR slice, or is the first
    /// fragment of one. Parameter sets alone do not count, and their size is not checked.
    public var isKeyFrame: Bool { contains(nalUnitType: NALUnitType.codedSliceIDR) }

    /// Parses the NAL unit structure of `payload`.
    ///
    /// Returns nil for an empty payload or a set forbidden bit. It also returns nil for a STAP-A
    /// whose sizes run past the payload or that contains an empty NAL unit, and for an FU-A
    /// without its FU header or data. Types that non-interleaved mode does not allow (STAP-B,
    /// MTAP, FU-B) and undefined types are rejected too.
    public static func parse(_ payload: UnsafeRawBufferPointer) -> H264Payload? {
        guard let header = payload.first, header & 0x80 == 0 else { return nil }
        let type = header & 0x1F

        switch type {
        case 1...23:
            return H264Payload(packetization: .singleNALUnit, nalUnitTypes: 1 << UInt32(type))
        case NALUnitType.stapA:
            return parseAggregate(payload)
        case NALUnitType.fuA:
            guard payload.count >= 3 else { return nil }
            let fragmentHeader = payload[1]
            let start = fragmentHeader & 0x80 != 0
            let end = fragmentHeader & 0x40 != 0
            guard !(start && end) else { return nil }
            // Only the first fragment carries the start of the NAL unit, so only it reports the type.
            let types: UInt32 = start ? 1 << UInt32(fragmentHeader & 0x1F) : 0
            return H264Payload(packetization: .fuA(start: start, end: end), nalUnitTypes: types)
        default:
            return nil
        }
    }

    private static func parseAggregate(_ payload: UnsafeRawBufferPointer) -> H264Payload? {
        var offset = 1
        var types: UInt32 = 0
        while offset < payload.count {
            guard payload.count - offset >= 2 else { return nil }
            let size = Int(payload[offset]) << 8 | Int(payload[offset + 1])
            offset += 2
            guard size > 0, payload.count - offset >= size else { return nil }
            types |= 1 << UInt32(payload[offset] & 0x1F)
            offset += size
        }
        guard types != 0 else { return nil }
        return H264Payload(packetization: .stapA, nalUnitTypes: types)
    }
}
