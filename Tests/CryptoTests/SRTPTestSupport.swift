import SRTP

/// Builds an RTP packet (RFC 3550 section 5.1) with version 2, payload type 96 and no CSRCs.
func makeRTPPacket(
    sequenceNumber: UInt16, timestamp: UInt32 = 0x1234_5678, ssrc: UInt32 = 0xDECA_FBAD, payloadLength: Int = 160
) -> [UInt8] {
    var packet: [UInt8] = [0x80, 96, UInt8(sequenceNumber >> 8), UInt8(sequenceNumber & 0xFF)]
    packet += withUnsafeBytes(of: timestamp.bigEndian, Array.init)
    packet += withUnsafeBytes(of: ssrc.bigEndian, Array.init)
    packet += (0..<payloadLength).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ Int(sequenceNumber)) }
    return packet
}

/// Builds a receiver report (RFC 3550 section 6.4.2) with one report block.
func makeRTCPReceiverReport(ssrc: UInt32 = 0xDECA_FBAD) -> [UInt8] {
    var packet: [UInt8] = [0x81, 201, 0x00, 0x07]
    packet += withUnsafeBytes(of: ssrc.bigEndian, Array.init)
    packet += [0x11, 0x22, 0x33, 0x44]  // source SSRC
    packet += [0x05, 0x00, 0x00, 0x10]  // fraction lost, cumulative lost
    packet += [0x00, 0x01, 0x02, 0x03]  // extended highest sequence number
    packet += [0x00, 0x00, 0x00, 0x20]  // jitter
    packet += [0xAA, 0xBB, 0xCC, 0xDD]  // last SR
    packet += [0x00, 0x00, 0x01, 0x00]  // delay since last SR
    return packet
}

/// Protects `packet` with `session` and returns the protected bytes.
func protectRTP(_ session: SRTPSession, _ packet: [UInt8]) throws -> [UInt8] {
    var buffer = packet + [UInt8](repeating: 0, count: session.profile.rtpTrailerLength)
    let length = try buffer.withUnsafeMutableBytes {
        try session.protectRTP($0.baseAddress!, length: packet.count, capacity: $0.count)
    }
    return Array(buffer.prefix(length))
}

/// Unprotects `packet` with `session` and returns the plain bytes.
func unprotectRTP(_ session: SRTPSession, _ packet: [UInt8]) throws -> [UInt8] {
    var buffer = packet
    let length = try buffer.withUnsafeMutableBytes { try session.unprotectRTP($0.baseAddress!, length: $0.count) }
    return Array(buffer.prefix(length))
}

func protectRTCP(_ session: SRTPSession, _ packet: [UInt8]) throws -> [UInt8] {
    var buffer = packet + [UInt8](repeating: 0, count: session.profile.rtcpTrailerLength)
    let length = try buffer.withUnsafeMutableBytes {
        try session.protectRTCP($0.baseAddress!, length: packet.count, capacity: $0.count)
    }
    return Array(buffer.prefix(length))
}

func unprotectRTCP(_ session: SRTPSession, _ packet: [UInt8]) throws -> [UInt8] {
    var buffer = packet
    let length = try buffer.withUnsafeMutableBytes { try session.unprotectRTCP($0.baseAddress!, length: $0.count) }
    return Array(buffer.prefix(length))
}

/// Makes an outbound and an inbound session that share one fixed master key.
func makeSessionPair(_ profile: SRTPProtectionProfile, replayWindow: Int = 1024) throws -> (
    sender: SRTPSession, receiver: SRTPSession
) {
    let key = (0..<profile.keyLength).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 5) }
    let salt = (0..<profile.saltLength).map { UInt8(truncatingIfNeeded: $0 &* 17 &+ 3) }
    let sender = try SRTPSession(profile: profile, key: key, salt: salt, direction: .outbound)
    let receiver = try SRTPSession(
        profile: profile, key: key, salt: salt, direction: .inbound, replayWindow: replayWindow)
    return (sender, receiver)
}
