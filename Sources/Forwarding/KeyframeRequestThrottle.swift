import Wire

/// Merges the keyframe requests of many subscribers into few upstream requests, per layer of
/// one published track: a picture loss indication (RFC 4585 section 6.3.1) or a full intra
/// request (RFC 5104 section 4.3.1).
///
/// The first request for a layer goes upstream at once. Requests during the following
/// `interval` are held, and one more goes upstream when the interval ends, unless a keyframe
/// of that layer arrived in the meantime and satisfied them.
///
/// Each upstream request carries the next FIR command sequence number of its layer, which
/// RFC 5104 section 4.3.1.2 has the requester increment for every new request.
public struct KeyframeRequestThrottle {
    public static let defaultIntervalMilliseconds: Int64 = 500

    public let intervalMilliseconds: Int64
    private var lastRequestAt: [Instant?]
    private var pending: [Bool]
    private var firSequenceNumbers: [UInt8]

    /// Upstream requests sent, across all layers.
    public private(set) var requestsSent: UInt64 = 0
    /// Subscriber requests absorbed by the throttle.
    public private(set) var requestsThrottled: UInt64 = 0

    /// - Precondition: `layerCount` is positive.
    public init(layerCount: Int = 3, intervalMilliseconds: Int64 = KeyframeRequestThrottle.defaultIntervalMilliseconds)
    {
        precondition(layerCount > 0, "a track has at least one layer")
        self.intervalMilliseconds = intervalMilliseconds
        lastRequestAt = Array(repeating: nil, count: layerCount)
        pending = Array(repeating: false, count: layerCount)
        firSequenceNumbers = Array(repeating: 0, count: layerCount)
    }

    public var layerCount: Int { pending.count }

    /// Records a subscriber's request for a keyframe of `layer`. Returns the FIR sequence number
    /// to send upstream now, or nil when the request is held until the interval ends.
    ///
    /// - Precondition: `layer` is below `layerCount`.
    public mutating func request(layer: Int, now: Instant) -> UInt8? {
        precondition(layer >= 0 && layer < layerCount, "the layer is one of the track's layers")
        if let last = lastRequestAt[layer], now.milliseconds(since: last) < intervalMilliseconds {
            pending[layer] = true
            requestsThrottled += 1
            return nil
        }
        return send(layer: layer, now: now)
    }

    /// Clears the held requests of `layer`, because a keyframe of it arrived.
    public mutating func keyframeReceived(layer: Int) {
        guard layer >= 0, layer < layerCount else { return }
        pending[layer] = false
    }

    /// Calls `send` with each layer whose held requests are due at `now` and the FIR sequence
    /// number of its upstream request.
    public mutating func poll(now: Instant, _ send: (_ layer: Int, _ firSequenceNumber: UInt8) -> Void) {
        for layer in 0..<layerCount where pending[layer] {
            if let last = lastRequestAt[layer], now.milliseconds(since: last) < intervalMilliseconds {
                continue
            }
            send(layer, self.send(layer: layer, now: now))
        }
    }

    /// The earliest time at which `poll` has a request to send, or nil when none is held.
    public var nextDeadline: Instant? {
        var earliest: Instant?
        for layer in 0..<layerCount where pending[layer] {
            let due = lastRequestAt[layer]?.adding(milliseconds: intervalMilliseconds) ?? Instant(microseconds: 0)
            if let current = earliest, current <= due { continue }
            earliest = due
        }
        return earliest
    }

    private mutating func send(layer: Int, now: Instant) -> UInt8 {
        lastRequestAt[layer] = now
        pending[layer] = false
        requestsSent += 1
        let sequenceNumber = firSequenceNumbers[layer]
        firSequenceNumbers[layer] &+= 1
        return sequenceNumber
    }
}
