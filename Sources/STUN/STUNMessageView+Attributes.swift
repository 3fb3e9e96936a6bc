import Wire

/// Typed readers for the attributes that ICE and the Binding method use. Each returns nil when
/// the attribute is absent or its value has the wrong length.
extension STUNMessageView {
    /// USERNAME (RFC 8489 section 14.3), nil when absent or not valid UTF-8.
    public var username: String? {
        guard let value = attribute(STUNAttributeType.username) else { return nil }
        return String(validating: value, as: UTF8.self)
    }

    /// PRIORITY (RFC 8445 section 7.1.1).
    public var priority: UInt32? {
        guard let value = attribute(STUNAttributeType.priority), value.count == 4 else { return nil }
        return value.loadBigEndianUInt32(at: 0)
    }

    /// Whether USE-CANDIDATE (RFC 8445 section 7.1.2) is present.
    public var useCandidate: Bool {
        attribute(STUNAttributeType.useCandidate) != nil
    }

    /// The tie-breaker of ICE-CONTROLLING (RFC 8445 section 7.1.3).
    public var iceControlling: UInt64? {
        uint64Attribute(STUNAttributeType.iceControlling)
    }

    /// The tie-breaker of ICE-CONTROLLED (RFC 8445 section 7.1.3).
    public var iceControlled: UInt64? {
        uint64Attribute(STUNAttributeType.iceControlled)
    }

    /// SOFTWARE (RFC 8489 section 14.14), nil when absent or not valid UTF-8.
    public var software: String? {
        guard let value = attribute(STUNAttributeType.software) else { return nil }
        return String(validating: value, as: UTF8.self)
    }

    /// XOR-MAPPED-ADDRESS (RFC 8489 section 14.2).
    public var xorMappedAddress: SocketAddress? {
        guard let value = attribute(STUNAttributeType.xorMappedAddress) else { return nil }
        return XORAddress.decode(value, transactionID: transactionID)
    }

    /// ERROR-CODE (RFC 8489 section 14.8): the code in 300...699 and the reason phrase.
    public var errorCode: (code: Int, reason: String)? {
        guard let value = attribute(STUNAttributeType.errorCode), value.count >= 4 else { return nil }
        let hundreds = Int(value[2] & 0x07)
        let number = Int(value[3])
        guard (3...6).contains(hundreds), number < 100 else { return nil }
        let reason = String(decoding: UnsafeRawBufferPointer(rebasing: value[4...]), as: UTF8.self)
        return (hundreds * 100 + number, reason)
    }

    /// UNKNOWN-ATTRIBUTES (RFC 8489 section 14.13): the attribute types a 420 response lists.
    public var unknownAttributes: [UInt16]? {
        guard let value = attribute(STUNAttributeType.unknownAttributes), value.count % 2 == 0 else { return nil }
        return stride(from: 0, to: value.count, by: 2).map { value.loadBigEndianUInt16(at: $0) }
    }

    private func uint64Attribute(_ type: UInt16) -> UInt64? {
        guard let value = attribute(type), value.count == 8 else { return nil }
        return UInt64(value.loadBigEndianUInt32(at: 0)) << 32 | UInt64(value.loadBigEndianUInt32(at: 4))
    }
}
