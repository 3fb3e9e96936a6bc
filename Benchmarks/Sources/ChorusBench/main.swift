import RTCP
import RTP
import STUN

// Parses real-shaped packets many times each and prints the heap allocations and the time per
// packet. The allocation counts are exact for this build; the times depend on the machine.

let iterations = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 1_000_000

let opus = packetBuffer(Packets.opus)
let vp8KeyFrame = packetBuffer(Packets.vp8KeyFrame)
let twoByteExtensions = packetBuffer(Packets.twoByteExtensions)
let stunRequest = packetBuffer(Packets.stunRequest)
let pictureLossIndication = packetBuffer(Packets.pictureLossIndication)
let senderReport = packetBuffer(Packets.senderReport)
let senderReportWithCNAME = packetBuffer(Packets.senderReportWithCNAME)
let receiverReport = packetBuffer(Packets.receiverReport)
let nack = packetBuffer(Packets.nack)
let transportWideFeedback = packetBuffer(Packets.transportWideFeedback)

var measurements: [Measurement] = []

measurements.append(
    measure("RTP Opus: view + audio level, TWCC seq, mid", iterations: iterations) {
        guard let view = RTPPacketView.parse(opus) else { return 0 }
        var sum = Int(view.sequenceNumber)
        if let level = view.extensionElement(id: 1, in: opus).flatMap(AudioLevel.parse) { sum += Int(level.level) }
        if let element = view.extensionElement(id: 3, in: opus), let sequence = TransportWideSequenceNumber.parse(element) {
            sum += Int(sequence)
        }
        if let element = view.extensionElement(id: 4, in: opus), let mid = parseMid(element) { sum += mid.utf8.count }
        return sum
    })

measurements.append(
    measure("RTP VP8: view + TWCC seq + key frame check", iterations: iterations) {
        guard let view = RTPPacketView.parse(vp8KeyFrame), let payload = view.payload(in: vp8KeyFrame) else { return 0 }
        var sum = view.payloadLength
        if let element = view.extensionElement(id: 3, in: vp8KeyFrame), let sequence = TransportWideSequenceNumber.parse(element) {
            sum += Int(sequence)
        }
        if VP8PayloadDescriptor.parse(payload)?.isKeyFrame == true { sum += 1 }
        return sum
    })

measurements.append(
    measure("RTP two-byte form: view + walk of every element", iterations: iterations) {
        guard let view = RTPPacketView.parse(twoByteExtensions) else { return 0 }
        var sum = 0
        view.forEachExtension(in: twoByteExtensions) { id, value in sum += Int(id) + value.count }
        return sum
    })

measurements.append(
    measure("STUN Binding request: view + attribute lookup", iterations: iterations) {
        guard let message = STUNMessageView.parse(stunRequest) else { return 0 }
        var sum = Int(message.method)
        if let username = message.attribute(STUNAttributeType.username) { sum += username.count }
        sum += Int(message.priority ?? 0)
        sum += message.useCandidate ? 1 : 0
        sum += Int(truncatingIfNeeded: message.iceControlled ?? 0)
        sum += message.unknownComprehensionRequired.count
        return sum
    })

measurements.append(
    measure("STUN Binding request: view + USERNAME as String", iterations: iterations) {
        STUNMessageView.parse(stunRequest)?.username?.utf8.count ?? 0
    })

measurements.append(
    measure("STUN Binding request: FINGERPRINT check", iterations: iterations / 10) {
        STUNMessageView.parse(stunRequest)?.verifyFingerprint() == .valid ? 1 : 0
    })

measurements.append(
    measure("STUN Binding request: MESSAGE-INTEGRITY check", iterations: iterations / 10) {
        STUNMessageView.parse(stunRequest)?.verifyMessageIntegrity(key: Packets.stunPassword) == true ? 1 : 0
    })

let compounds: [(String, UnsafeRawBufferPointer)] = [
    ("PLI (reduced-size)", pictureLossIndication),
    ("SR without blocks", senderReport),
    ("RR with one block", receiverReport),
    ("generic NACK", nack),
    ("SR + SDES CNAME", senderReportWithCNAME),
]
for (name, packet) in compounds {
    measurements.append(
        measure("RTCP \(name): RTCPCompound.parse", iterations: iterations) {
            RTCPCompound.parse(packet)?.count ?? 0
        })
    measurements.append(
        measure("RTCP \(name): RTCPCompound.forEachPacket", iterations: iterations) {
            var count = 0
            RTCPCompound.forEachPacket(in: packet) { _ in count += 1 }
            return count
        })
    measurements.append(
        measure("RTCP \(name): forEachPacketView + blocks, NACKs", iterations: iterations) {
            var sum = 0
            RTCPCompound.forEachPacketView(in: packet) { view in
                sum += view.isPictureLossIndication ? Int(view.feedbackSSRCs?.media ?? 0) : 1
                view.forEachLostSequenceNumber { sum += Int($0) }
                view.forEachReportBlock { sum += Int($0.fractionLost) }
            }
            return sum
        })
}

measurements.append(
    measure("RTCP transport-wide feedback: TransportWideFeedback.parse", iterations: iterations) {
        TransportWideFeedback.parse(transportWideFeedback)?.received.count ?? 0
    })

print("chorus-bench: \(iterations) iterations per case (a tenth for the STUN checks), release build")
print("")
let nameWidth = measurements.map(\.name.count).max() ?? 0
print(padded("case", nameWidth) + "  allocs/packet  ns/packet")
for measurement in measurements {
    let allocations = leftPadded(formatted(measurement.allocationsPerIteration, decimals: 2), 13)
    let nanoseconds = leftPadded(formatted(measurement.nanosecondsPerIteration, decimals: 1), 11)
    print(padded(measurement.name, nameWidth) + "  " + allocations + nanoseconds)
}
print("")
print("checksum \(resultSink)")
