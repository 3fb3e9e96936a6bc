import FuzzerSupport
import SDP

/// Parses one input as an SDP offer (bytes that are not UTF-8 become U+FFFD, as in the HTTP
/// layer). An offer that parses must serialize to text that parses to the same text again, and
/// every answer Chorus makes to it must serialize to text that parses.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
    guard let offer = try? SessionDescription.parse(text) else { return 0 }

    let serialized = offer.serialize()
    guard let reparsed = try? SessionDescription.parse(serialized) else {
        preconditionFailure("serialized offer does not parse:\n\(serialized)")
    }
    precondition(reparsed.serialize() == serialized, "serializing a parsed offer is stable:\n\(serialized)")

    for role in [AnswerRole.receiveFromClient, .sendToClient([track, nil, track])] {
        guard let (answer, _) = try? makeAnswer(to: offer, role: role, options: options) else { continue }
        let answerText = answer.serialize()
        precondition((try? SessionDescription.parse(answerText)) != nil, "answer does not parse:\n\(answerText)")
    }
    return 0
}

@_cdecl("SDPFuzzer_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc: argc, argv: argv) { data, size in
        withInput(data, size) { input in _ = fuzz(input.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, input.count) }
        return 0
    }
}

private let options = AnswerOptions(
    iceUfrag: "CHrs", icePassword: "chorusPasswordOf24Chars",
    fingerprint: Fingerprint(algorithm: "sha-256", bytes: [UInt8](repeating: 0xAB, count: 32)),
    candidates: [Candidate(foundation: "1", transport: "udp", priority: 2_130_706_431, address: "127.0.0.1", port: 7882)],
    sessionID: 1)

private let track = OutgoingTrack(ssrc: 1, rtxSSRC: 2, cname: "chorus", streamID: "stream", trackID: "track")
