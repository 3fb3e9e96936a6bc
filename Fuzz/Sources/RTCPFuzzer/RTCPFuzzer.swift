import FuzzerSupport
import RTCP

/// Parses one input as a compound RTCP packet, through `RTCPCompound.parse` and through packet
/// views, and every transport-wide feedback packet in it. Decoded receiver reports, NACKs and REMB
/// are written again and must decode to the same reports, the same lost packets and a bitrate
/// rounded down.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    for feedback in TransportWideFeedback.parseAll(inCompound: bytes) {
        precondition(feedback.received.count <= Int(feedback.packetStatusCount), "at most one arrival per status")
    }
    _ = TransportWideFeedback.parse(bytes)

    checkPacketViews(bytes)
    guard let packets = RTCPCompound.parse(bytes) else { return 0 }
    for packet in packets {
        checkRoundTrip(packet)
    }
    return 0
}

/// Reads every packet through `RTCPPacketView`, whose NACK and report block readers must agree
/// with the decoded packet.
private func checkPacketViews(_ bytes: UnsafeRawBufferPointer) {
    RTCPCompound.forEachPacketView(in: bytes) { view in
        var lost: [UInt16] = []
        var blocks: [ReportBlock] = []
        view.forEachLostSequenceNumber { lost.append($0) }
        view.forEachReportBlock { blocks.append($0) }
        _ = view.feedbackSSRCs
        switch view.decode() {
        case .nack(let nack)?: precondition(lost == nack.lostSequenceNumbers, "the view reads the NACK entries")
        case .senderReport(let report)?: precondition(blocks == report.reports, "the view reads the SR blocks")
        case .receiverReport(let report)?: precondition(blocks == report.reports, "the view reads the RR blocks")
        case .pictureLossIndication?: precondition(view.isPictureLossIndication, "the view sees the PLI")
        default: precondition(lost.isEmpty, "only a NACK has lost sequence numbers")
        }
    }
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
