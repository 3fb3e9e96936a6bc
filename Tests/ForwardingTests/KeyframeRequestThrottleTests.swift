import Testing
import Wire

@testable import Forwarding

@Suite struct KeyframeRequestThrottleTests {
    /// Runs the throttle over `requests` (time in milliseconds, layer), polling every 10 ms up to
    /// `until`, and returns the upstream requests as (time, layer, FIR sequence number).
    static func simulate(
        _ throttle: inout KeyframeRequestThrottle,
        requests: [(time: Int64, layer: Int)],
        keyframes: [(time: Int64, layer: Int)] = [],
        until end: Int64
    ) -> [(time: Int64, layer: Int, sequenceNumber: UInt8)] {
        var sent: [(time: Int64, layer: Int, sequenceNumber: UInt8)] = []
        var time: Int64 = 0
        while time <= end {
            for keyframe in keyframes where keyframe.time == time {
                throttle.keyframeReceived(layer: keyframe.layer)
            }
            for request in requests where request.time == time {
                if let sequenceNumber = throttle.request(layer: request.layer, now: at(time)) {
                    sent.append((time, request.layer, sequenceNumber))
                }
            }
            throttle.poll(now: at(time)) { layer, sequenceNumber in sent.append((time, layer, sequenceNumber)) }
            time += 10
        }
        return sent
    }

    @Test func twentySubscribersCauseOneRequestPerInterval() {
        var throttle = KeyframeRequestThrottle()
        // Twenty PLIs within 100 ms, 5 ms apart rounded to the 10 ms steps.
        let requests = (0..<20).map { (time: Int64($0 / 2 * 10), layer: 2) }
        let sent = Self.simulate(&throttle, requests: requests, until: 1000)
        #expect(sent.map(\.time) == [0, 500])
        #expect(sent.map(\.sequenceNumber) == [0, 1])
        #expect(throttle.requestsSent == 2)
        #expect(throttle.requestsThrottled == 19)
    }

    @Test func keyframeAnswersHeldRequests() {
        var throttle = KeyframeRequestThrottle()
        let requests = (0..<20).map { (time: Int64($0 / 2 * 10), layer: 2) }
        let sent = Self.simulate(&throttle, requests: requests, keyframes: [(time: 150, layer: 2)], until: 1000)
        #expect(sent.map(\.time) == [0])
    }

    @Test func requestAfterIntervalGoesAtOnce() {
        var throttle = KeyframeRequestThrottle()
        let sent = Self.simulate(&throttle, requests: [(0, 0), (600, 0)], until: 1000)
        #expect(sent.map(\.time) == [0, 600])
    }

    @Test func layersAreThrottledSeparately() {
        var throttle = KeyframeRequestThrottle()
        let sent = Self.simulate(&throttle, requests: [(0, 0), (10, 1), (20, 0), (20, 2)], until: 400)
        #expect(sent.map(\.layer) == [0, 1, 2])
        #expect(sent.map(\.sequenceNumber) == [0, 0, 0])
    }

    @Test func nextDeadlineIsEndOfInterval() {
        var throttle = KeyframeRequestThrottle(intervalMilliseconds: 300)
        #expect(throttle.request(layer: 1, now: at(0)) == 0)
        #expect(throttle.nextDeadline == nil)
        #expect(throttle.request(layer: 1, now: at(50)) == nil)
        #expect(throttle.nextDeadline == at(300))
    }

    @Test func firSequenceNumberWraps() {
        var throttle = KeyframeRequestThrottle(layerCount: 1, intervalMilliseconds: 0)
        var last: UInt8?
        for index in 0..<257 {
            last = throttle.request(layer: 0, now: at(Int64(index)))
        }
        #expect(last == 0)
    }
}
