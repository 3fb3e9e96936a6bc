import Foundation
import HTTPServer
import SFU
import Wire

/// One conference participant's signaling state. It outlives a dropped WebSocket for the
/// resume grace period. Used on the control thread only.
final class ConferenceClient {
    let room: String
    let identity: String
    let participantSid: String
    let grants: VideoGrants
    var connection: WebSocketConnection?
    var resumeToken: String
    /// Bumped on every connect and disconnect, so a stale grace timer can tell it is stale.
    var generation = 0
    /// Set once the participant left for good; no resume after that.
    var finished = false
    var limiter = MessageRateLimiter()

    init(room: String, identity: String, participantSid: String, grants: VideoGrants) {
        self.room = room
        self.identity = identity
        self.participantSid = participantSid
        self.grants = grants
        resumeToken = ConferenceClient.newResumeToken()
    }

    static func newResumeToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(generator.next(), radix: 36) }.joined()
    }

    func send(_ object: [String: Any]) {
        connection?.send(text: JSONShapes.encode(object))
    }

    func sendError(_ code: String, _ message: String, request: String? = nil) {
        var object: [String: Any] = ["type": "error", "code": code, "message": message]
        if let request { object["request"] = request }
        send(object)
    }
}

/// A token bucket: bursts up to `capacity` messages, `ratePerSecond` sustained.
struct MessageRateLimiter {
    var capacity = 100.0
    var ratePerSecond = 50.0
    private var tokens = 100.0
    private var last: Instant?

    mutating func allow(now: Instant) -> Bool {
        if let last {
            let elapsed = Double(now.microseconds - last.microseconds) / 1_000_000
            tokens = min(capacity, tokens + elapsed * ratePerSecond)
        }
        last = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}

/// Typed access to the fields of a received message; every failure names the field.
struct MessageFields {
    let object: [String: Any]

    func string(_ key: String) throws -> String {
        guard let value = object[key] as? String else { throw SignalingError.invalid("field \"\(key)\" must be a string") }
        return value
    }

    func optionalString(_ key: String) throws -> String? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let text = value as? String else { throw SignalingError.invalid("field \"\(key)\" must be a string") }
        return text
    }

    func bool(_ key: String) throws -> Bool {
        guard let value = try optionalBool(key) else { throw SignalingError.invalid("field \"\(key)\" must be a boolean") }
        return value
    }

    func optionalBool(_ key: String) throws -> Bool? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let number = value as? NSNumber, isBoolean(number) else {
            throw SignalingError.invalid("field \"\(key)\" must be a boolean")
        }
        return number.boolValue
    }

    func optionalInt(_ key: String) throws -> Int? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let number = value as? NSNumber, !isBoolean(number), let integer = Int(exactly: number.doubleValue)
        else { throw SignalingError.invalid("field \"\(key)\" must be an integer") }
        return integer
    }

    func optionalArray(_ key: String) throws -> [Any]? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let array = value as? [Any] else { throw SignalingError.invalid("field \"\(key)\" must be an array") }
        return array
    }

    /// JSONSerialization reads `true` and `false` as NSNumber; their Objective-C type is char.
    private func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c" || type(of: number) == type(of: NSNumber(value: true))
    }
}

/// A signaling request that cannot be carried out, sent back as an `error` message.
enum SignalingError: Error {
    case invalid(String)
    case notAllowed(String)
    case tooLarge(String)

    var code: String {
        switch self {
        case .invalid: return "invalid_message"
        case .notAllowed: return "not_allowed"
        case .tooLarge: return "too_large"
        }
    }

    var message: String {
        switch self {
        case .invalid(let message), .notAllowed(let message), .tooLarge(let message): return message
        }
    }
}
