import FuzzerSupport
import RTCP

/// Parses one input as a compound RTCP packet, and every transport-wide feedback packet in it.
/// Decoded NACK, REMB and receiver reports are written again and must decode to the same values.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    for feedback in TransportWideFeedback.parseAll(inCompound: bytes) {
        precondition(feedback.received.count <= Int(feedback.packetStatusCount), "at most one arrival per status")
    }
    _ = TransportWideFeedback.parse(bytes)

    guard let packets = RTCPCompound.parse(bytes) else { return 0 }
    for packet in packets {
        checkRoundTrip(packet)
    }
    return 0
}

@_cdecl("RTCPFuzzer_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc: argc, argv: argv) { data, size in
        withInput(data, size) { input in _ = fuzz(input.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, input.count) }
        return 0
    }
}

private func checkRoundTrip(_ packet: RTCPPacket) {
    switch packet {
    case .receiverReport(let report):
        let bytes = RTCPWriter.receiverReport(ssrc: report.ssrc, reports: report.reports)
        precondition(reparse(bytes) == [packet], "a receiver report survives writing")
    case .nack(let nack) where !nack.lostSequenceNumbers.isEmpty:
        let bytes = RTCPWriter.nack(
            senderSSRC: nack.senderSSRC, mediaSSRC: nack.mediaSSRC, lost: nack.lostSequenceNumbers)
        guard case .nack(let again) = reparse(bytes)?.first else { preconditionFailure("a NACK survives writing") }
        // Packing merges entries, so only the set of lost sequence numbers is kept.
        precondition(Set(again.lostSequenceNumbers) == Set(nack.lostSequenceNumbers), "lost packets survive")
    case .receiverEstimatedMaxBitrate(let remb):
        let bytes = RTCPWriter.remb(senderSSRC: remb.senderSSRC, bitrate: remb.bitrate, ssrcs: remb.ssrcs)
        guard case .receiverEstimatedMaxBitrate(let again) = reparse(bytes)?.first else {
            preconditionFailure("a REMB survives writing")
        }
        precondition(again.ssrcs == remb.ssrcs && again.bitrate <= remb.bitrate, "REMB rounds the bitrate down")
    default:
        break
    }
}

private func reparse(_ bytes: [UInt8]) -> [RTCPPacket]? {
    bytes.withUnsafeBytes { RTCPCompound.parse($0) }
}
