import Crypto
import ICE
import STUN
import Testing
import Wire

/// A connectivity check as a full, controlling agent sends it to Chorus (RFC 8445 section 7.2).
struct Check {
    var username: String? = "sfuUfrag:peerUfrag"
    var password: String? = "sfuPassword0123456789abc"
    var algorithm: STUNIntegrityAlgorithm = .sha1
    var useCandidate = false
    var controlling: UInt64? = 0x0102_0304_0506_0708
    var controlled: UInt64?
    var extraAttributes: [(UInt16, [UInt8])] = []
    var fingerprint = true
    var messageClass: STUNClass = .request
    var method: UInt16 = STUNMethod.binding
    var transactionID = STUNTransactionID(0xA1A2_A3A4, 0xB1B2_B3B4, 0xC1C2_C3C4)

    func encode() -> [UInt8] {
        var builder = STUNMessageBuilder(class: messageClass, method: method, transactionID: transactionID)
        if let username { builder.addUsername(username) }
        builder.addPriority(0x6E00_1EFF)
        if let controlling { builder.addICEControlling(controlling) }
        if let controlled { builder.addICEControlled(controlled) }
        if useCandidate { builder.addUseCandidate() }
        for (type, value) in extraAttributes {
            builder.add(type: type, value: value)
        }
        return builder.finish(
            integrityKey: password.map { Array($0.utf8) }, algorithm: algorithm, fingerprint: fingerprint)
    }
}

/// Appends a raw attribute after the last one and fixes the header length.
func appending(_ message: [UInt8], type: UInt16, value: [UInt8]) -> [UInt8] {
    var result = message + [UInt8(type >> 8), UInt8(type & 0xFF), 0, UInt8(value.count)] + value
    result += [UInt8](repeating: 0, count: (4 - value.count % 4) % 4)
    result[2] = UInt8((result.count - 20) >> 8)
    result[3] = UInt8((result.count - 20) & 0xFF)
    return result
}

/// Appends a valid FINGERPRINT, computed with the header length already counting it.
func appendingFingerprint(_ message: [UInt8]) -> [UInt8] {
    var result = message
    result[2] = UInt8((result.count + 8 - 20) >> 8)
    result[3] = UInt8((result.count + 8 - 20) & 0xFF)
    let crc = CRC32.checksum(result) ^ 0x5354_554E
    return result + [
        0x80, 0x28, 0x00, 0x04, UInt8(crc >> 24), UInt8((crc >> 16) & 0xFF), UInt8((crc >> 8) & 0xFF),
        UInt8(crc & 0xFF),
    ]
}

/// A parsed reply with the facts the tests check, copied out of the borrowed buffer.
struct Reply {
    var messageClass: STUNClass
    var method: UInt16
    var transactionID: STUNTransactionID
    var errorCode: Int?
    var unknownAttributes: [UInt16]?
    var xorMappedAddress: SocketAddress?
    var integrityAlgorithm: STUNIntegrityAlgorithm?
    var integrityValid: Bool
    var fingerprint: STUNFingerprintStatus

    init?(_ bytes: [UInt8], key: String) {
        guard
            let reply = bytes.withUnsafeBytes({ buffer -> Reply? in
                guard let view = STUNMessageView.parse(buffer) else { return nil }
                return Reply(view, key: key)
            })
        else { return nil }
        self = reply
    }

    private init(_ view: STUNMessageView, key: String) {
        messageClass = view.messageClass
        method = view.method
        transactionID = view.transactionID
        errorCode = view.errorCode?.code
        unknownAttributes = view.unknownAttributes
        xorMappedAddress = view.xorMappedAddress
        integrityAlgorithm = view.integrityAlgorithm
        integrityValid = view.verifyMessageIntegrity(key: Array(key.utf8))
        fingerprint = view.verifyFingerprint()
    }
}

@Suite("ICE-lite agent")
struct ICELiteAgentTests {
    static let peer = SocketAddress.v4(address: 0xC0A8_0102, port: 50000)
    static let otherPeer = SocketAddress.v6(
        address: IPv6Bytes([0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]), port: 50001)
    static let start = Instant(microseconds: 1_000_000)

    let agent = ICELiteAgent(
        localUfrag: "sfuUfrag", localPassword: "sfuPassword0123456789abc", remoteUfrag: "peerUfrag",
        remotePassword: "peerPassword0123456789ab")

    func handle(_ bytes: [UInt8], from: SocketAddress = peer, now: Instant = start) -> ICEResponse {
        bytes.withUnsafeBytes { buffer in
            guard let view = STUNMessageView.parse(buffer) else {
                Issue.record("test request does not parse")
                return ICEResponse(reply: nil, nominated: false, error: nil)
            }
            return agent.handle(view, bytes: buffer, from: from, now: now)
        }
    }

    func parseReply(_ response: ICEResponse, key: String) throws -> Reply {
        let bytes = try #require(response.reply)
        return try #require(Reply(bytes, key: key))
    }

    func expectError(_ response: ICEResponse, code: Int, authenticated: Bool) throws -> Reply {
        let reply = try parseReply(response, key: agent.localPassword)
        #expect(reply.messageClass == .errorResponse)
        #expect(reply.errorCode == code)
        #expect(reply.fingerprint == .valid)
        #expect(reply.integrityValid == authenticated)
        #expect(response.nominated == false)
        return reply
    }

    @Test func validCheckGetsAuthenticatedSuccess() throws {
        let check = Check()
        let response = handle(check.encode())
        #expect(response.error == nil)
        #expect(response.nominated == false)
        let reply = try parseReply(response, key: agent.localPassword)
        #expect(reply.messageClass == .successResponse)
        #expect(reply.method == STUNMethod.binding)
        #expect(reply.transactionID == check.transactionID)
        #expect(reply.xorMappedAddress == Self.peer)
        #expect(reply.integrityAlgorithm == .sha1)
        #expect(reply.integrityValid)
        #expect(reply.fingerprint == .valid)
        #expect(agent.lastRequestAt == Self.start)
        #expect(agent.selectedAddress == nil)
    }

    @Test func attributeAfterIntegrityIsIgnored() throws {
        let signed = Check(fingerprint: false).encode()
        let extended = appendingFingerprint(appending(signed, type: 0x7777, value: [1, 2, 3, 4]))
        let response = handle(extended)
        #expect(response.error == nil)
        let reply = try parseReply(response, key: agent.localPassword)
        #expect(reply.messageClass == .successResponse)
    }

    @Test func wrongHMACGets401() throws {
        var bytes = appending(Check(fingerprint: false).encode(), type: 0x7777, value: [1, 2, 3, 4])
        bytes[bytes.count - 9] ^= 0x01  // Last byte of the MESSAGE-INTEGRITY value.
        let response = handle(appendingFingerprint(bytes))
        #expect(response.error == .unauthorized)
        _ = try expectError(response, code: 401, authenticated: false)
    }

    @Test func wrongPasswordGets401() throws {
        let response = handle(Check(password: "notThePassword").encode())
        #expect(response.error == .unauthorized)
        _ = try expectError(response, code: 401, authenticated: false)
    }

    @Test func unknownComprehensionRequiredAttributeGets420() throws {
        let check = Check(extraAttributes: [(0x7777, [1, 2, 3, 4]), (0xC057, [0, 1, 0, 0])])
        let response = handle(check.encode())
        #expect(response.error == .unknownAttributes([0x7777]))
        let reply = try expectError(response, code: 420, authenticated: true)
        #expect(reply.unknownAttributes == [0x7777])
        #expect(agent.lastRequestAt == nil)
    }

    @Test func iceControlledGets487() throws {
        let response = handle(Check(useCandidate: true, controlling: nil, controlled: 42).encode())
        #expect(response.error == .roleConflict)
        _ = try expectError(response, code: 487, authenticated: true)
        #expect(agent.selectedAddress == nil)
    }

    /// The RFC 5769 sample request carries ICE-CONTROLLED, so an agent with its credentials
    /// must respond with a role conflict.
    @Test func rfc5769RequestGetsRoleConflict() throws {
        let agent = ICELiteAgent(
            localUfrag: "evtj", localPassword: "VOkJxbRl1RmTxUk/WvJxBt", remoteUfrag: nil, remotePassword: nil)
        let request = bytes(
            "000100582112a442b7e7a701bc34d686fa87dfae802200105354554e207465737420636c69656e74"
                + "002400046e0001ff80290008932ff9b151263b36000600096576746a3a68367659202020"
                + "000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf")
        let response = request.withUnsafeBytes { buffer in
            agent.handle(STUNMessageView.parse(buffer)!, bytes: buffer, from: Self.peer, now: Self.start)
        }
        #expect(response.error == .roleConflict)
        let reply = try parseReply(response, key: "VOkJxbRl1RmTxUk/WvJxBt")
        #expect(reply.errorCode == 487)
        #expect(reply.integrityValid)
    }

    @Test func useCandidateNominatesSource() throws {
        let response = handle(Check(useCandidate: true).encode())
        #expect(response.error == nil)
        #expect(response.nominated)
        #expect(agent.selectedAddress == Self.peer)
        #expect(agent.lastConsentAt == Self.start)
    }

    @Test func newestNominationWins() {
        _ = handle(Check(useCandidate: true).encode())
        let later = Self.start.adding(milliseconds: 500)
        let plain = handle(Check().encode(), from: Self.otherPeer, now: later)
        #expect(plain.nominated == false)
        #expect(agent.selectedAddress == Self.peer)
        #expect(agent.lastConsentAt == Self.start)
        #expect(agent.lastRequestAt == later)

        let renominated = handle(Check(useCandidate: true).encode(), from: Self.otherPeer, now: later)
        #expect(renominated.nominated)
        #expect(agent.selectedAddress == Self.otherPeer)
        #expect(agent.lastConsentAt == later)
    }

    @Test func rejectedNominationKeepsSelection() {
        _ = handle(Check(useCandidate: true).encode())
        let rejected = handle(Check(password: "wrong", useCandidate: true).encode(), from: Self.otherPeer)
        #expect(rejected.nominated == false)
        #expect(agent.selectedAddress == Self.peer)
    }

    @Test func consentExpiresWithoutChecksFromSelected() {
        #expect(agent.isExpired(now: Self.start.adding(milliseconds: 60_000), timeout: 30_000) == false)
        _ = handle(Check(useCandidate: true).encode())
        #expect(agent.isExpired(now: Self.start.adding(milliseconds: 29_999), timeout: 30_000) == false)
        #expect(agent.isExpired(now: Self.start.adding(milliseconds: 30_000), timeout: 30_000))
        // Checks from another address do not refresh consent on the selected one.
        _ = handle(Check().encode(), from: Self.otherPeer, now: Self.start.adding(milliseconds: 20_000))
        #expect(agent.isExpired(now: Self.start.adding(milliseconds: 30_000), timeout: 30_000))
        _ = handle(Check().encode(), now: Self.start.adding(milliseconds: 25_000))
        #expect(agent.isExpired(now: Self.start.adding(milliseconds: 30_000), timeout: 30_000) == false)
    }

    @Test func sha256IntegrityGetsSHA256Reply() throws {
        let response = handle(Check(algorithm: .sha256).encode())
        #expect(response.error == nil)
        let reply = try parseReply(response, key: agent.localPassword)
        #expect(reply.integrityAlgorithm == .sha256)
        #expect(reply.integrityValid)
    }

    @Test(arguments: [
        ("missing USERNAME", Check(username: nil), ICEError.badRequest),
        ("missing MESSAGE-INTEGRITY", Check(password: nil), .badRequest),
        ("wrong local ufrag", Check(username: "otherUfrag:peerUfrag"), .unauthorized),
        ("wrong remote ufrag", Check(username: "sfuUfrag:someoneElse"), .unauthorized),
        ("no colon", Check(username: "sfuUfrag"), .unauthorized),
        ("non-binding method", Check(method: 0x003), .badRequest),
    ])
    func invalidRequestIsRejected(name: String, check: Check, error: ICEError) throws {
        let response = handle(check.encode())
        #expect(response.error == error, "\(name)")
        let code = try #require(error.errorCode)
        let reply = try expectError(response, code: code, authenticated: false)
        #expect(reply.method == check.method)
        #expect(reply.transactionID == check.transactionID)
        #expect(agent.lastRequestAt == nil)
    }

    @Test func invalidFingerprintIsDiscarded() {
        var bytes = Check(useCandidate: true).encode()
        bytes[bytes.count - 1] ^= 0x01
        let response = handle(bytes)
        #expect(response.reply == nil)
        #expect(response.error == .invalidFingerprint)
        #expect(agent.selectedAddress == nil)
    }

    @Test func requestWithoutFingerprintIsAccepted() {
        let response = handle(Check(fingerprint: false).encode())
        #expect(response.error == nil)
        #expect(response.reply != nil)
    }

    @Test func bindingIndicationIsAcceptedSilently() {
        let response = handle(Check(username: nil, password: nil, messageClass: .indication).encode())
        #expect(response.reply == nil)
        #expect(response.error == nil)
        #expect(agent.lastRequestAt == nil)
    }

    @Test(arguments: [
        Check(messageClass: .successResponse),
        Check(messageClass: .errorResponse),
        Check(messageClass: .indication, method: 0x016),
    ])
    func otherMessagesAreDiscarded(check: Check) {
        let response = handle(check.encode())
        #expect(response.reply == nil)
        #expect(response.error == .unexpectedMessage)
    }

    @Test func everyTruncationIsHandledCleanly() {
        let fixtures = [Check(useCandidate: true).encode(), Check(algorithm: .sha256).encode()]
        for fixture in fixtures {
            for length in 0...fixture.count {
                let prefix = Array(fixture.prefix(length))
                prefix.withUnsafeBytes { buffer in
                    guard let view = STUNMessageView.parse(buffer) else { return }
                    _ = agent.handle(view, bytes: buffer, from: Self.peer, now: Self.start)
                }
            }
        }
    }
}

@Suite("ICE username fragments")
struct ICEUsernameTests {
    @Test(arguments: [
        ("evtj:h6vY", "evtj", "h6vY"),
        ("a:b:c", "a", "b:c"),
        ("sfu+/:peer", "sfu+/", "peer"),
    ])
    func splitsAtFirstColon(username: String, local: String, remote: String) throws {
        let fragments = try #require(iceUsernameFragments(username))
        #expect(fragments.local == local)
        #expect(fragments.remote == remote)
    }

    @Test(arguments: ["", "nocolon", ":remote", "local:", ":"])
    func rejectsMalformed(username: String) {
        #expect(iceUsernameFragments(username) == nil)
    }
}

/// Decodes a string of hex digit pairs; a malformed fixture is a bug in the test.
func bytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.utf8)
    precondition(digits.count % 2 == 0, "hex fixture has an odd number of digits")
    return stride(from: 0, to: digits.count, by: 2).map { index in
        guard let value = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else {
            preconditionFailure("hex fixture has a non-hex digit")
        }
        return value
    }
}
