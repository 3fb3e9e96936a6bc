import FuzzerSupport
import ICE
import STUN
import Wire

/// Parses one input as a STUN message and reads every attribute Chorus uses, checks its integrity
/// and fingerprint, and hands it to an ICE-lite agent, whose reply must be a valid, signed STUN
/// message. The input is also read as an RFC 4571 framed TCP stream.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    _ = isSTUNPacket(bytes)
    if let message = STUNMessageView.parse(bytes) {
        readAttributes(message)
        handleAsICERequest(message, bytes)
    }

    var framer = TCPFramer(maxPacketSize: 1500)
    framer.append(bytes)
    while let packet = try? framer.nextPacket() {
        packet.withUnsafeBytes { _ = STUNMessageView.parse($0) }
    }
    return 0
}

@_cdecl("STUNFuzzer_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc: argc, argv: argv) { data, size in
        withInput(data, size) { input in _ = fuzz(input.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, input.count) }
        return 0
    }
}

/// The short-term credentials of the RFC 5769 sample request, so seeds from it authenticate.
private let agent = ICELiteAgent(
    localUfrag: "evtj", localPassword: "VOkJxbRl1RmTxUk/WvJxBt", remoteUfrag: nil, remotePassword: nil)
private let peer = SocketAddress.v4(address: 0x7F00_0001, port: 5000)

private func readAttributes(_ message: STUNMessageView) {
    _ = message.messageClass
    _ = message.method
    _ = message.username.map(iceUsernameFragments)
    _ = message.priority
    _ = message.useCandidate
    _ = message.iceControlling
    _ = message.iceControlled
    _ = message.software
    _ = message.xorMappedAddress
    _ = message.errorCode
    _ = message.unknownAttributes
    _ = message.unknownComprehensionRequired
    _ = message.verifyFingerprint()
    _ = message.integrityAlgorithm
    _ = message.verifyMessageIntegrity(key: Array(agent.localPassword.utf8))
    message.forEachAttribute { type, value in
        precondition(value.count <= message.bytes.count, "an attribute lies inside its message")
        return type != 0
    }
}

private func handleAsICERequest(_ message: STUNMessageView, _ bytes: UnsafeRawBufferPointer) {
    let response = agent.handle(message, bytes: bytes, from: peer, now: Instant(microseconds: 1_000_000))
    guard let reply = response.reply else { return }

    reply.withUnsafeBytes { replyBytes in
        guard let parsed = STUNMessageView.parse(replyBytes) else { preconditionFailure("the reply parses") }
        precondition(parsed.transactionID == message.transactionID, "the reply keeps the transaction ID")
        precondition(parsed.verifyFingerprint() == .valid, "the reply carries a valid FINGERPRINT")
        if response.error == nil {
            precondition(
                parsed.verifyMessageIntegrity(key: Array(agent.localPassword.utf8)), "a success reply is signed")
            precondition(parsed.xorMappedAddress == peer, "the reply maps the source address")
        }
    }
}
