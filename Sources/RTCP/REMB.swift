import Wire

/// A receiver estimated maximum bitrate message, application layer feedback: payload-specific
/// feedback (PT 206) with FMT 15 (draft-alvestrand-rmcat-remb-03 section 2.2).
///
/// The media SSRC of the feedback header is zero; the FCI is:
///
///      0                   1                   2                   3
///      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |  Unique identifier 'R' 'E' 'M' 'B'                            |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |  Num SSRC     | BR Exp    |  BR Mantissa                      |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |   SSRC feedback                                               |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///
/// The bitrate in bits per second is mantissa * 2^exponent, with a 6-bit exponent and an
/// 18-bit mantissa.
public struct REMB: Equatable, Hashable, Sendable {
    /// The ASCII bytes "REMB" as a big-endian word.
    static let identifier: UInt32 = 0x5245_4D42
    static let mantissaBits = 18
    static let maxMantissa: UInt64 = (1 << 18) - 1
    static let maxExponent = 63

    public var senderSSRC: UInt32
    /// Estimated maximum bitrate in bits per second; saturates at `UInt64.max`.
    public var bitrate: UInt64
    /// The media sources the estimate applies to.
    public var ssrcs: [UInt32]

    public init(senderSSRC: UInt32, bitrate: UInt64, ssrcs: [UInt32]) {
        self.senderSSRC = senderSSRC
        self.bitrate = bitrate
        self.ssrcs = ssrcs
    }

    /// Returns whether `fci` starts with the "REMB" identifier.
    static func matches(fci: UnsafeRawBufferPointer) -> Bool {
        var reader = ByteReader(fci)
        return reader.readUInt32() == identifier
    }

    /// Parses the FCI; returns nil when it lacks the identifier or is shorter than its SSRC list.
    static func parse(senderSSRC: UInt32, fci: UnsafeRawBufferPointer) -> REMB? {
        var reader = ByteReader(fci)
        guard reader.readUInt32() == identifier,
            let ssrcCount = reader.readUInt8(),
            let encoded = reader.readUInt24(),
            reader.remaining >= Int(ssrcCount) * 4
        else { return nil }

        var ssrcs: [UInt32] = []
        ssrcs.reserveCapacity(Int(ssrcCount))
        for _ in 0..<ssrcCount {
            guard let ssrc = reader.readUInt32() else { return nil }
            ssrcs.append(ssrc)
        }
        let bitrate = decodeBitrate(exponent: Int(encoded >> 18), mantissa: UInt64(encoded) & maxMantissa)
        return REMB(senderSSRC: senderSSRC, bitrate: bitrate, ssrcs: ssrcs)
    }

    /// Returns mantissa * 2^exponent, or `UInt64.max` when the product does not fit in 64 bits.
    static func decodeBitrate(exponent: Int, mantissa: UInt64) -> UInt64 {
        guard mantissa != 0 else { return 0 }
        guard exponent <= mantissa.leadingZeroBitCount else { return UInt64.max }
        return mantissa << UInt64(exponent)
    }

    /// Returns the smallest exponent whose mantissa fits in 18 bits, and that mantissa. The low
    /// bits that do not fit are dropped, so the encoded value never exceeds `bitrate`.
    static func encodeBitrate(_ bitrate: UInt64) -> (exponent: Int, mantissa: UInt64) {
        var exponent = 0
        while bitrate >> UInt64(exponent) > maxMantissa {
            exponent += 1
        }
        return (exponent, bitrate >> UInt64(exponent))
    }
}
