import RTCP
import Testing
import Wire

@testable import Forwarding

@Suite struct SenderReportTranslatorTests {
    static let ntp: UInt64 = 0xE000_0000_8000_0000

    @Test func noReportBeforePublisherSendsOne() {
        let translator = SenderReportTranslator(clockRate: 90000)
        #expect(translator.hasReport == false)
        #expect(translator.senderInfo(timestampOffset: 0, now: at(0)) == nil)
        #expect(translator.senderReport(ssrc: 1, timestampOffset: 0, counters: SendCounters(), now: at(0)) == nil)
    }

    @Test func pairAtReportTimeAddsOffset() throws {
        var translator = SenderReportTranslator(clockRate: 90000)
        translator.receivedSenderReport(ntpTimestamp: Self.ntp, rtpTimestamp: 1_000_000, now: at(100))
        let info = try #require(translator.senderInfo(timestampOffset: 500, now: at(100)))
        #expect(info.ntpTimestamp == Self.ntp)
        #expect(info.rtpTimestamp == 1_000_500)
    }

    @Test func pairIsExtrapolatedToNow() throws {
        var translator = SenderReportTranslator(clockRate: 90000)
        translator.receivedSenderReport(ntpTimestamp: Self.ntp, rtpTimestamp: 1_000_000, now: at(0))
        let info = try #require(translator.senderInfo(timestampOffset: 0, now: at(1500)))
        // 1.5 s: one second and half a second of fraction.
        #expect(info.ntpTimestamp == Self.ntp + (1 << 32) + (1 << 31))
        #expect(info.rtpTimestamp == 1_000_000 + 135_000)
    }

    @Test func offsetAndTimestampWrap() throws {
        var translator = SenderReportTranslator(clockRate: 48000)
        translator.receivedSenderReport(ntpTimestamp: Self.ntp, rtpTimestamp: 0xFFFF_FF00, now: at(0))
        let info = try #require(translator.senderInfo(timestampOffset: 0x8000_0000, now: at(10)))
        #expect(info.rtpTimestamp == 0xFFFF_FF00 &+ 480 &+ 0x8000_0000)
    }

    @Test func earlierNowUsesReportTime() throws {
        var translator = SenderReportTranslator(clockRate: 90000)
        translator.receivedSenderReport(ntpTimestamp: Self.ntp, rtpTimestamp: 7, now: at(100))
        let info = try #require(translator.senderInfo(timestampOffset: 0, now: at(50)))
        #expect(info.ntpTimestamp == Self.ntp)
        #expect(info.rtpTimestamp == 7)
    }

    @Test func reportCarriesLegCounters() throws {
        var translator = SenderReportTranslator(clockRate: 90000)
        translator.receivedSenderReport(ntpTimestamp: Self.ntp, rtpTimestamp: 0, now: at(0))
        var counters = SendCounters()
        counters.record(payloadLength: 1000)
        counters.record(payloadLength: 200)
        let report = try #require(
            translator.senderReport(ssrc: 0xAB, timestampOffset: 0, counters: counters, now: at(0)))
        #expect(report.ssrc == 0xAB)
        #expect(report.packetCount == 2)
        #expect(report.octetCount == 1200)
        #expect(report.reports.isEmpty)
    }

    @Test func countersWrap() {
        var counters = SendCounters()
        for _ in 0..<5 { counters.record(payloadLength: 0x4000_0000) }
        #expect(counters.octetCount == 0x4000_0000)
        #expect(counters.packetCount == 5)
    }

    @Test func forwarderOffsetKeepsMappingAfterSwitch() throws {
        // The subscriber's SR maps the outgoing timestamp of a packet to the NTP time the
        // publisher's SR gives its incoming timestamp.
        var forwarder = SimulcastForwarder(
            configuration: .init(clockRate: 90000, requiresKeyframe: true), initialSequenceNumber: 1,
            initialTimestamp: 777)
        forwarder.setTargetLayer(1)
        let packet = ForwardingPacket(layer: 1, sequenceNumber: 9, timestamp: 123_456, isKeyframeStart: true)
        let result = forwarder.forward(packet, now: at(0))
        guard case .forward(_, let outgoingTimestamp, _) = result.action else {
            Issue.record("the keyframe was not forwarded")
            return
        }

        var translator = SenderReportTranslator(clockRate: 90000)
        translator.receivedSenderReport(ntpTimestamp: Self.ntp, rtpTimestamp: 123_456, now: at(0))
        let info = try #require(translator.senderInfo(timestampOffset: forwarder.timestampOffset, now: at(0)))
        #expect(info.rtpTimestamp == outgoingTimestamp)
        #expect(info.ntpTimestamp == Self.ntp)
    }
}
