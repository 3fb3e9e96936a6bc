import FuzzerSupport
import RTP

/// Parses one input as an RTP packet: the header, every header extension element and the
/// values of the extensions Chorus reads, then the payload as each codec's payload descriptor.
/// A header that parses is written again with its elements and must parse to the same elements.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let packet = UnsafeRawBufferPointer(start: start, count: count)
    _ = isRTCPPacket(packet)
    guard let view = RTPPacketView.parse(packet) else { return 0 }

    precondition(view.packetLength == packet.count, "a parsed packet accounts for every byte")
    for index in 0...view.csrcCount {
        _ = view.csrc(at: index, in: packet)
    }
    var elements: [(id: UInt8, value: [UInt8])] = []
    view.forEachExtension(in: packet) { id, value in
        elements.append((id, Array(value)))
        parseExtensionValue(value)
    }
    for id in [1, 5, 14, 15, 255] as [UInt8] {
        _ = view.extensionElement(id: id, in: packet)
    }
    if let payload = view.payload(in: packet) {
        parsePayloadDescriptors(payload)
    }
    checkHeaderRoundTrip(view, elements)
    return 0
}

@_cdecl("RTPFuzzer_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc: argc, argv: argv) { data, size in
        withInput(data, size) { input in _ = fuzz(input.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, input.count) }
        return 0
    }
}

/// Reads `value` as each extension Chorus knows, since the ID mapping comes from the SDP.
private func parseExtensionValue(_ value: UnsafeRawBufferPointer) {
    _ = AudioLevel.parse(value)
    _ = AbsSendTime.parse(value)
    _ = TransportWideSequenceNumber.parse(value)
    _ = PlayoutDelay.parse(value)
    _ = VideoOrientation.parse(value)
    _ = parseMid(value)
    _ = parseRid(value)
    if let descriptor = DependencyDescriptor.parse(value, structure: nil), let structure = descriptor.structure {
        // Later descriptors on the stream are read against the structure this one carried.
        _ = DependencyDescriptor.parse(value, structure: structure)
    }
}

private func parsePayloadDescriptors(_ payload: UnsafeRawBufferPointer) {
    if let vp8 = VP8PayloadDescriptor.parse(payload) {
        precondition(vp8.headerLength < payload.count, "the VP8 descriptor leaves payload after it")
    }
    if let vp9 = VP9PayloadDescriptor.parse(payload) {
        precondition(vp9.headerLength < payload.count, "the VP9 descriptor leaves payload after it")
    }
    _ = H264Payload.parse(payload)?.isKeyFrame
    _ = AV1AggregationHeader.parse(payload)?.isKeyFrame
}

/// Room for a fixed header and the largest extension block, 65535 words after its own header.
private let headerBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 12 + 4 + 4 * 65_535, alignment: 4)

/// Writes the parsed header fields and extension elements with `RTPHeaderWriter` and checks that
/// the result parses to the same fields and elements.
private func checkHeaderRoundTrip(_ view: RTPPacketView, _ elements: [(id: UInt8, value: [UInt8])]) {
    let buffer = headerBuffer
    guard
        let length = RTPHeaderWriter.write(
            into: buffer, marker: view.marker, payloadType: view.payloadType, sequenceNumber: view.sequenceNumber,
            timestamp: view.timestamp, ssrc: view.ssrc, extensions: elements)
    else {
        preconditionFailure("a header with at most 65535 words of extensions fits the buffer")
    }

    let written = UnsafeRawBufferPointer(rebasing: buffer[0..<length])
    guard let reparsed = RTPPacketView.parse(written) else { preconditionFailure("a written header parses") }
    precondition(reparsed.sequenceNumber == view.sequenceNumber && reparsed.ssrc == view.ssrc, "header fields survive")
    var index = 0
    reparsed.forEachExtension(in: written) { id, value in
        precondition(index < elements.count, "no extra element after writing")
        precondition(id == elements[index].id && Array(value) == elements[index].value, "elements survive")
        index += 1
    }
    precondition(index == elements.count, "every element survives writing")
}
