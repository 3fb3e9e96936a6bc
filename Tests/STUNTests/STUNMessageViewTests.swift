import Crypto
import STUN
import Testing
import Wire

@Suite("STUN message view")
struct STUNMessageViewTests {
    static let transactionID = STUNTransactionID(0x0102_0304, 0x0506_0708, 0x090A_0B0C)

    /// Builds a Binding request with USERNAME "local:remote".
    static func request(key: [UInt8]?, fingerprint: Bool) -> [UInt8] {
        var builder = STUNMessageBuilder(class: .request, method: STUNMethod.binding, transactionID: transactionID)
        builder.addUsername("local:remote")
        return builder.finish(integrityKey: key, fingerprint: fingerprint)
    }

    /// Appends a raw attribute after the last one and fixes the header length.
    static func appending(_ message: [UInt8], type: UInt16, value: [UInt8]) -> [UInt8] {
        var result = message
        result += [UInt8(type >> 8), UInt8(type & 0xFF), 0, UInt8(value.count)] + value
        result += [UInt8](repeating: 0, count: (4 - value.count % 4) % 4)
        let length = result.count - 20
        result[2] = UInt8(length >> 8)
        result[3] = UInt8(length & 0xFF)
        return result
    }

    static let sample = RFC5769.request
    static let invalidHeaders: [(String, [UInt8])] = [
        ("too short for a header", Array(sample.prefix(19))),
        ("top bits set", [0x40] + sample.dropFirst()),
        ("wrong magic cookie", sample.prefix(4) + [0x21, 0x12, 0xa4, 0x43] + sample.dropFirst(8)),
        ("length not a multiple of 4", [0x00, 0x01, 0x00, 0x02] + sample[4..<20] + [0, 0]),
        ("length larger than the datagram", [0x00, 0x01, 0x00, 0x5C] + sample.dropFirst(4)),
        ("length smaller than the datagram", [0x00, 0x01, 0x00, 0x54] + sample.dropFirst(4)),
        ("attribute past the end", [0x00, 0x01, 0x00, 0x04] + sample[4..<20] + [0x80, 0x22, 0x00, 0x01]),
        (
            "attribute padding past the end",
            [0x00, 0x01, 0x00, 0x08] + sample[4..<20] + [0x80, 0x22, 0x00, 0x05, 1, 2, 3, 4]
        ),
    ]

    @Test(arguments: invalidHeaders)
    func invalidHeaderFailsToParse(name: String, datagram: [UInt8]) {
        datagram.withUnsafeBytes { buffer in
            #expect(STUNMessageView.parse(buffer) == nil, "\(name)")
        }
    }

    @Test func headerOnlyMessageParses() throws {
        let message = STUNMessageBuilder(
            class: .indication, method: STUNMethod.binding, transactionID: Self.transactionID
        )
        .finish(integrityKey: nil, fingerprint: false)
        #expect(message.count == 20)
        try message.withUnsafeBytes { buffer in
            let view = try #require(STUNMessageView.parse(buffer))
            #expect(view.messageClass == .indication)
            #expect(view.transactionID == Self.transactionID)
            #expect(view.verifyFingerprint() == .absent)
            #expect(view.integrityAlgorithm == nil)
            #expect(!view.verifyMessageIntegrity(key: [1, 2, 3]))
        }
    }

    @Test(
        arguments: [STUNClass.request, .indication, .successResponse, .errorResponse],
        [UInt16(0x001), 0x003, 0xABC, 0xFFF])
    func messageTypeRoundTrips(messageClass: STUNClass, method: UInt16) throws {
        let message = STUNMessageBuilder(class: messageClass, method: method, transactionID: Self.transactionID)
            .finish(integrityKey: nil, fingerprint: false)
        try message.withUnsafeBytes { buffer in
            let view = try #require(STUNMessageView.parse(buffer))
            #expect(view.messageClass == messageClass)
            #expect(view.method == method)
        }
    }

    @Test func bindingTypesMatchRFC8489() {
        let types: [(STUNClass, UInt16)] = [
            (.request, 0x0001), (.indication, 0x0011), (.successResponse, 0x0101), (.errorResponse, 0x0111),
        ]
        for (messageClass, expected) in types {
            let message = STUNMessageBuilder(
                class: messageClass, method: STUNMethod.binding, transactionID: Self.transactionID
            )
            .finish(integrityKey: nil, fingerprint: false)
            #expect(UInt16(message[0]) << 8 | UInt16(message[1]) == expected)
        }
    }

    @Test func attributeAfterIntegrityIsIgnored() throws {
        let key = Array("password".utf8)
        let signed = Self.request(key: key, fingerprint: false)
        let extended = Self.appending(signed, type: STUNAttributeType.priority, value: [0, 0, 0, 1])
        try extended.withUnsafeBytes { buffer in
            let view = try #require(STUNMessageView.parse(buffer))
            #expect(view.priority == nil)
            #expect(view.verifyMessageIntegrity(key: key))
        }
    }

    @Test func unknownAttributeAfterIntegrityIsNotReported() throws {
        let key = Array("password".utf8)
        let extended = Self.appending(Self.request(key: key, fingerprint: false), type: 0x7777, value: [1])
        try extended.withUnsafeBytes { buffer in
            let view = try #require(STUNMessageView.parse(buffer))
            #expect(view.unknownComprehensionRequired == [])
        }
    }

    @Test func unknownComprehensionRequiredListedOnce() throws {
        var builder = STUNMessageBuilder(class: .request, method: STUNMethod.binding, transactionID: Self.transactionID)
        builder.add(type: 0x7777, value: [1, 2])
        builder.add(type: 0xC057, value: [0, 1, 0, 0])  // Comprehension-optional: ignored.
        builder.add(type: 0x7777, value: [3])
        builder.add(type: 0x0003, value: [0, 0, 0, 0])
        builder.addUsername("a:b")
        let message = builder.finish(integrityKey: nil, fingerprint: true)
        try message.withUnsafeBytes { buffer in
            let view = try #require(STUNMessageView.parse(buffer))
            #expect(view.unknownComprehensionRequired == [0x7777, 0x0003])
        }
    }

    @Test func firstOccurrenceWins() throws {
        var builder = STUNMessageBuilder(class: .request, method: STUNMethod.binding, transactionID: Self.transactionID)
        builder.addPriority(1)
        builder.addPriority(2)
        let message = builder.finish(integrityKey: nil, fingerprint: false)
        try message.withUnsafeBytes { buffer in
            let view = try #require(STUNMessageView.parse(buffer))
            #expect(view.priority == 1)
        }
    }

    @Test func wrongLengthAttributesReadAsAbsent() throws {
        var builder = STUNMessageBuilder(class: .request, method: STUNMethod.binding, transactionID: Self.transactionID)
        builder.add(type: STUNAttributeType.priority, value: [1, 2, 3])
        builder.add(type: STUNAttributeType.iceControlling, value: [1, 2, 3, 4])
        builder.add(type: STUNAttributeType.xorMappedAddress, value: [0, 1, 0, 0, 1])
        builder.add(type: STUNAttributeType.errorCode, value: [0, 0, 2, 1])
        builder.add(type: STUNAttributeType.username, value: [0xFF, 0xFE])
        let message = builder.finish(integrityKey: nil, fingerprint: false)
        try message.withUnsafeBytes { buffer in
            let view = try #require(STUNMessageView.parse(buffer))
            #expect(view.priority == nil)
            #expect(view.iceControlling == nil)
            #expect(view.xorMappedAddress == nil)
            #expect(view.errorCode == nil)
            #expect(view.username == nil)
        }
    }

    @Test func fingerprintMismatchIsInvalid() throws {
        var message = Self.request(key: nil, fingerprint: true)
        message[message.count - 1] ^= 0xFF
        try message.withUnsafeBytes { buffer in
            let view = try #require(STUNMessageView.parse(buffer))
            #expect(view.verifyFingerprint() == .invalid)
        }
    }

    @Test func fingerprintNotLastIsInvalid() throws {
        let message = Self.appending(
            Self.request(key: nil, fingerprint: true), type: STUNAttributeType.software, value: [0x41])
        try message.withUnsafeBytes { buffer in
            let view = try #require(STUNMessageView.parse(buffer))
            #expect(view.verifyFingerprint() == .invalid)
            #expect(view.software == nil)
        }
    }

    @Test func fingerprintWithWrongLengthIsInvalid() throws {
        let message = Self.appending(
            Self.request(key: nil, fingerprint: false), type: STUNAttributeType.fingerprint, value: [1, 2])
        try message.withUnsafeBytes { buffer in
            let view = try #require(STUNMessageView.parse(buffer))
            #expect(view.verifyFingerprint() == .invalid)
        }
    }

    @Test func integrityWithWrongLengthFails() throws {
        let message = Self.appending(
            Self.request(key: nil, fingerprint: false), type: STUNAttributeType.messageIntegrity,
            value: [UInt8](repeating: 0, count: 16))
        try message.withUnsafeBytes { buffer in
            let view = try #require(STUNMessageView.parse(buffer))
            #expect(view.integrityAlgorithm == .sha1)
            #expect(!view.verifyMessageIntegrity(key: []))
        }
    }

    @Test func errorResponseRoundTrips() throws {
        var builder = STUNMessageBuilder(
            class: .errorResponse, method: STUNMethod.binding, transactionID: Self.transactionID)
        builder.addErrorCode(420, reason: "Unknown Attribute")
        builder.addUnknownAttributes([0x7777, 0x0003, 0x1234])
        let message = builder.finish(integrityKey: nil, fingerprint: true)
        try message.withUnsafeBytes { buffer in
            let view = try #require(STUNMessageView.parse(buffer))
            #expect(view.messageClass == .errorResponse)
            #expect(view.errorCode?.code == 420)
            #expect(view.errorCode?.reason == "Unknown Attribute")
            #expect(view.unknownAttributes == [0x7777, 0x0003, 0x1234])
            #expect(view.verifyFingerprint() == .valid)
        }
    }

    @Test(arguments: [
        SocketAddress.v4(address: 0x7F00_0001, port: 1),
        SocketAddress.v4(address: 0xFFFF_FFFF, port: 65535),
        SocketAddress.v6(address: IPv6Bytes(bytes("00000000000000000000000000000001")), port: 443),
    ])
    func xorMappedAddressRoundTrips(address: SocketAddress) throws {
        var builder = STUNMessageBuilder(
            class: .successResponse, method: STUNMethod.binding, transactionID: Self.transactionID)
        builder.addXORMappedAddress(address)
        let message = builder.finish(integrityKey: nil, fingerprint: false)
        try message.withUnsafeBytes { buffer in
            let view = try #require(STUNMessageView.parse(buffer))
            #expect(view.xorMappedAddress == address)
        }
    }

    static let demultiplexCases: [([UInt8], Bool)] = [
        (sample, true),
        (RFC5769.longTermRequest, true),
        ([0x04] + sample.dropFirst(), false),  // First byte outside 0...3.
        ([0x16, 0xFE, 0xFD] + [UInt8](repeating: 0, count: 30), false),  // A DTLS record.
        ([0x80, 0x60] + [UInt8](repeating: 0, count: 30), false),  // An RTP packet.
        (Array(sample.prefix(19)), false),
        (sample.prefix(4) + [0, 0, 0, 0] + sample.dropFirst(8), false),
    ]

    @Test(arguments: demultiplexCases)
    func demultiplexesSTUN(datagram: [UInt8], expected: Bool) {
        datagram.withUnsafeBytes { buffer in
            #expect(isSTUNPacket(buffer) == expected)
        }
    }

    @Test func transactionIDRoundTripsBytes() {
        let id = STUNTransactionID(bytes: RFC5769.transactionID)
        #expect(id.bytes == RFC5769.transactionID)
        #expect(id.description == "b7e7a701bc34d686fa87dfae")
        #expect(Set([id, STUNTransactionID(bytes: RFC5769.transactionID)]).count == 1)
        #expect(STUNTransactionID.random() != STUNTransactionID.random())
    }

    /// Every prefix of every fixture fails to parse, and the whole fixture yields a view whose
    /// readers and checks all run without trapping.
    static let truncationFixtures: [[UInt8]] =
        RFC5769.all + [appending(request(key: [1], fingerprint: false), type: 0x7777, value: [1, 2, 3])]

    @Test(arguments: truncationFixtures)
    func everyTruncationFailsCleanly(fixture: [UInt8]) {
        for length in 0...fixture.count {
            // A fresh array per prefix, so reading past the prefix would hit the end of the
            // allocation instead of the rest of the fixture.
            let prefix = Array(fixture.prefix(length))
            prefix.withUnsafeBytes { buffer in
                _ = isSTUNPacket(buffer)
                guard let view = STUNMessageView.parse(buffer) else { return }
                // The header length must equal the datagram size, so only the whole fixture parses.
                #expect(length == fixture.count)
                exercise(view)
            }
        }
    }

    /// Every prefix of every attribute value in the RFC 5769 samples, alone in a message: the
    /// typed readers return nil for a value shorter than its fixed size and never trap.
    @Test(arguments: RFC5769.all)
    func everyTruncatedAttributeValueReadsCleanly(fixture: [UInt8]) throws {
        var attributes: [(type: UInt16, value: [UInt8])] = []
        let transactionID = try fixture.withUnsafeBytes { buffer in
            let view = try #require(STUNMessageView.parse(buffer))
            view.forEachAttribute { type, value in
                attributes.append((type, Array(value)))
                return true
            }
            return view.transactionID
        }
        #expect(!attributes.isEmpty)

        for (type, value) in attributes {
            for length in 0...value.count {
                var builder = STUNMessageBuilder(class: .request, method: STUNMethod.binding, transactionID: transactionID)
                builder.add(type: type, value: Array(value.prefix(length)))
                let message = builder.finish(integrityKey: nil, fingerprint: false)
                try message.withUnsafeBytes { buffer in
                    let view = try #require(STUNMessageView.parse(buffer))
                    exercise(view)
                    let complete = length == value.count
                    switch type {
                    case STUNAttributeType.xorMappedAddress: #expect((view.xorMappedAddress != nil) == complete)
                    case STUNAttributeType.priority: #expect((view.priority != nil) == complete)
                    case STUNAttributeType.iceControlled: #expect((view.iceControlled != nil) == complete)
                    default: break
                    }
                }
            }
        }
    }
}

/// Calls every reader and check of `view`, to prove none of them traps.
func exercise(_ view: STUNMessageView) {
    _ = view.messageClass
    _ = view.method
    _ = view.username
    _ = view.priority
    _ = view.useCandidate
    _ = view.iceControlling
    _ = view.iceControlled
    _ = view.software
    _ = view.xorMappedAddress
    _ = view.errorCode
    _ = view.unknownAttributes
    _ = view.unknownComprehensionRequired
    _ = view.verifyFingerprint()
    _ = view.verifyMessageIntegrity(key: [1, 2, 3])
}
