import Crypto
import STUN
import Testing
import Wire

@Suite("RFC 5769 test vectors")
struct RFC5769Tests {
    let key = Array(RFC5769.password.utf8)

    @Test func sampleRequestParsesAndVerifies() throws {
        try RFC5769.request.withUnsafeBytes { buffer in
            let message = try #require(STUNMessageView.parse(buffer))
            #expect(message.messageClass == .request)
            #expect(message.method == STUNMethod.binding)
            #expect(message.transactionID == STUNTransactionID(bytes: RFC5769.transactionID))
            #expect(message.software == "STUN test client")
            #expect(message.priority == 0x6e00_01ff)
            #expect(message.iceControlled == 0x932f_f9b1_5126_3b36)
            #expect(message.iceControlling == nil)
            #expect(message.username == "evtj:h6vY")
            #expect(message.useCandidate == false)
            #expect(message.unknownComprehensionRequired == [])
            #expect(message.integrityAlgorithm == .sha1)
            #expect(message.verifyMessageIntegrity(key: key))
            #expect(!message.verifyMessageIntegrity(key: Array("wrong".utf8)))
            #expect(message.verifyFingerprint() == .valid)
        }
    }

    @Test(arguments: [
        (RFC5769.responseIPv4, SocketAddress.v4(address: 0xC000_0201, port: 32853)),
        (
            RFC5769.responseIPv6,
            SocketAddress.v6(
                address: IPv6Bytes(bytes("20010db8123456780011223344556677")), port: 32853)
        ),
    ])
    func sampleResponseParsesAndVerifies(vector: [UInt8], address: SocketAddress) throws {
        try vector.withUnsafeBytes { buffer in
            let message = try #require(STUNMessageView.parse(buffer))
            #expect(message.messageClass == .successResponse)
            #expect(message.method == STUNMethod.binding)
            #expect(message.software == "test vector")
            #expect(message.xorMappedAddress == address)
            #expect(message.verifyMessageIntegrity(key: key))
            #expect(message.verifyFingerprint() == .valid)
        }
    }

    @Test(arguments: [
        (RFC5769.responseIPv4, SocketAddress.v4(address: 0xC000_0201, port: 32853)),
        (
            RFC5769.responseIPv6,
            SocketAddress.v6(
                address: IPv6Bytes(bytes("20010db8123456780011223344556677")), port: 32853)
        ),
    ])
    func sampleResponseRebuildsByteForByte(vector: [UInt8], address: SocketAddress) {
        var builder = STUNMessageBuilder(
            class: .successResponse, method: STUNMethod.binding,
            transactionID: STUNTransactionID(bytes: RFC5769.transactionID))
        builder.paddingByte = 0x20
        builder.addSoftware("test vector")
        builder.addXORMappedAddress(address)
        #expect(builder.finish(integrityKey: key, fingerprint: true) == vector)
    }

    @Test func sampleRequestRebuildsByteForByte() {
        var builder = STUNMessageBuilder(
            class: .request, method: STUNMethod.binding,
            transactionID: STUNTransactionID(bytes: RFC5769.transactionID))
        builder.paddingByte = 0x20
        builder.addSoftware("STUN test client")
        builder.addPriority(0x6e00_01ff)
        builder.addICEControlled(0x932f_f9b1_5126_3b36)
        builder.addUsername("evtj:h6vY")
        #expect(builder.finish(integrityKey: key, fingerprint: true) == RFC5769.request)
    }

    @Test func longTermRequestParsesAndVerifies() throws {
        try RFC5769.longTermRequest.withUnsafeBytes { buffer in
            let message = try #require(STUNMessageView.parse(buffer))
            #expect(message.messageClass == .request)
            #expect(message.username == "\u{30DE}\u{30C8}\u{30EA}\u{30C3}\u{30AF}\u{30B9}")
            let nonce = try #require(message.attribute(STUNAttributeType.nonce))
            #expect(String(decoding: nonce, as: UTF8.self) == "f//499k954d6OL34oL9FSTvy64sA")
            let realm = try #require(message.attribute(STUNAttributeType.realm))
            #expect(String(decoding: realm, as: UTF8.self) == "example.org")
            #expect(message.unknownComprehensionRequired == [])
            #expect(message.verifyFingerprint() == .absent)
            #expect(message.verifyMessageIntegrity(key: RFC5769.longTermKey))
            #expect(!message.verifyMessageIntegrity(key: key))
        }
    }

    @Test(arguments: RFC5769.all.indices)
    func everyBitFlipFailsIntegrity(index: Int) {
        let vector = RFC5769.all[index]
        let verifyKey = vector == RFC5769.longTermRequest ? RFC5769.longTermKey : key
        // Flip one bit in each byte before MESSAGE-INTEGRITY, except the length field, whose
        // change makes the message unparseable.
        let integrityOffset = vector == RFC5769.longTermRequest ? vector.count - 24 : vector.count - 32
        for offset in 0..<integrityOffset where offset != 2 && offset != 3 {
            var changed = vector
            changed[offset] ^= 0x01
            changed.withUnsafeBytes { buffer in
                guard let message = STUNMessageView.parse(buffer) else { return }
                #expect(!message.verifyMessageIntegrity(key: verifyKey), "bit flip at offset \(offset)")
            }
        }
    }
}
