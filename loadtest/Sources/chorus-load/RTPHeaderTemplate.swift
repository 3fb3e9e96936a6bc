import RTP
import Wire

/// A precomputed RTP header with extensions for one outgoing stream. RTPHeaderWriter builds it once; each
/// packet then copies the bytes and patches the fields that change, so that sending allocates nothing.
struct RTPHeaderTemplate {
    private let bytes: [UInt8]
    var length: Int { bytes.count }
    /// Offsets of extension values patched per packet, nil when the extension is absent.
    private(set) var audioLevelOffset: Int?
    private(set) var transportWideOffset: Int?
    private(set) var absoluteSendTimeOffset: Int?
    private(set) var dependencyDescriptorOffset: Int?

    /// - Parameters:
    ///   - fixed: extensions whose values never change, such as mid and rid.
    ///   - dependencyDescriptorLength: the length of the dependency descriptor value this template carries,
    ///     or nil for none.
    init(
        payloadType: UInt8, ssrc: UInt32, ids: NegotiatedExtensionIDs, fixed: [(id: UInt8, value: [UInt8])],
        audioLevel: Bool, dependencyDescriptorLength: Int?
    ) {
        var extensions = fixed
        if audioLevel, let id = ids.audioLevel { extensions.append((id, [0x7F])) }
        if let id = ids.transportWideSequenceNumber { extensions.append((id, [0, 0])) }
        if let id = ids.absoluteSendTime { extensions.append((id, [0, 0, 0])) }
        if let length = dependencyDescriptorLength, let id = ids.dependencyDescriptor {
            extensions.append((id, [UInt8](repeating: 0, count: length)))
        }

        var buffer = [UInt8](repeating: 0, count: 256)
        let written = buffer.withUnsafeMutableBytes { raw in
            RTPHeaderWriter.write(
                into: raw, marker: false, payloadType: payloadType, sequenceNumber: 0, timestamp: 0, ssrc: ssrc,
                extensions: extensions)
        }
        guard let written else { preconditionFailure("an RTP header with \(extensions.count) extensions overflowed") }
        bytes = Array(buffer.prefix(written))

        func offset(of id: UInt8?) -> Int? {
            guard let id else { return nil }
            return bytes.withUnsafeBytes { raw -> Int? in
                guard let view = RTPPacketView.parse(raw), let element = view.extensionElement(id: id, in: raw),
                    let base = raw.baseAddress, let start = element.baseAddress
                else { return nil }
                return start - base
            }
        }
        if audioLevel { audioLevelOffset = offset(of: ids.audioLevel) }
        transportWideOffset = offset(of: ids.transportWideSequenceNumber)
        absoluteSendTimeOffset = offset(of: ids.absoluteSendTime)
        if dependencyDescriptorLength != nil { dependencyDescriptorOffset = offset(of: ids.dependencyDescriptor) }
    }

    /// Copies the header into `buffer` with the given marker, sequence number and timestamp; returns its length.
    func write(
        into buffer: UnsafeMutableRawBufferPointer, marker: Bool, sequenceNumber: UInt16, timestamp: UInt32
    ) -> Int {
        bytes.withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress!, byteCount: source.count)
        }
        if marker { buffer[1] |= 0x80 }
        buffer.storeBigEndian(sequenceNumber, at: 2)
        buffer.storeBigEndian(timestamp, at: 4)
        return bytes.count
    }

    /// Writes the 24-bit abs-send-time value: seconds in 6.18 fixed point, modulo 64 s.
    func patchAbsoluteSendTime(_ buffer: UnsafeMutableRawBufferPointer, microseconds: Int64) {
        guard let offset = absoluteSendTimeOffset else { return }
        let value = UInt32(truncatingIfNeeded: (microseconds << 18) / 1_000_000) & 0x00FF_FFFF
        buffer[offset] = UInt8(truncatingIfNeeded: value >> 16)
        buffer[offset + 1] = UInt8(truncatingIfNeeded: value >> 8)
        buffer[offset + 2] = UInt8(truncatingIfNeeded: value)
    }
}
