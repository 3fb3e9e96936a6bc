import SRTP
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Prints the cost of protecting and unprotecting 1200-byte RTP packets. It asserts nothing about
/// time; run it with `swift test -c release --filter SRTPBenchmark` for figures worth quoting.
@Suite(.serialized) struct SRTPBenchmarkTests {
    static let packetLength = 1200
    static let iterations = 20_000

    static func monotonicNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }

    @Test(arguments: SRTPProtectionProfile.allCases)
    func protectCostPer1200BytePacket(_ profile: SRTPProtectionProfile) throws {
        let (sender, receiver) = try makeSessionPair(profile)
        let template = makeRTPPacket(sequenceNumber: 0, payloadLength: Self.packetLength - 12)
        var buffer = [UInt8](repeating: 0, count: Self.packetLength + profile.rtpTrailerLength)
        var protectedPackets: [[UInt8]] = []
        protectedPackets.reserveCapacity(Self.iterations)

        var protectNanoseconds: UInt64 = 0
        for iteration in 0..<Self.iterations {
            let sequenceNumber = UInt16(truncatingIfNeeded: iteration)
            let length = try buffer.withUnsafeMutableBytes { raw -> Int in
                template.withUnsafeBytes { raw.copyMemory(from: $0) }
                raw[2] = UInt8(sequenceNumber >> 8)
                raw[3] = UInt8(sequenceNumber & 0xFF)
                let start = Self.monotonicNanoseconds()
                let length = try sender.protectRTP(raw.baseAddress!, length: Self.packetLength, capacity: raw.count)
                protectNanoseconds += Self.monotonicNanoseconds() - start
                return length
            }
            protectedPackets.append(Array(buffer.prefix(length)))
        }

        var unprotectNanoseconds: UInt64 = 0
        for var packet in protectedPackets {
            try packet.withUnsafeMutableBytes { raw in
                let start = Self.monotonicNanoseconds()
                _ = try receiver.unprotectRTP(raw.baseAddress!, length: raw.count)
                unprotectNanoseconds += Self.monotonicNanoseconds() - start
            }
        }

        let protectPerPacket = Double(protectNanoseconds) / Double(Self.iterations)
        let unprotectPerPacket = Double(unprotectNanoseconds) / Double(Self.iterations)
        let label = "\(SRTPLibrary.version) \(profile), \(Self.packetLength)-byte RTP, \(Self.iterations) packets"
        print("\(label): protect \(Int(protectPerPacket)) ns, unprotect \(Int(unprotectPerPacket)) ns per packet")
        #expect(protectedPackets.count == Self.iterations)
    }
}
