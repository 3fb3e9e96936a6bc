import Foundation

/// Structured log lines on stderr: a constant message followed by `key=value` fields.
/// Control-path events only; nothing is logged per packet.
public enum Log {
    private static let lock = NSLock()
    nonisolated(unsafe) public static var debugEnabled = false

    public static func info(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) {
        write("info", message, fields)
    }

    public static func warning(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) {
        write("warn", message, fields)
    }

    public static func error(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) {
        write("error", message, fields)
    }

    private static func write(_ level: String, _ message: String, _ fields: KeyValuePairs<String, String>) {
        let timestamp = ISO8601DateFormatter.string(
            from: Date(), timeZone: TimeZone(identifier: "UTC")!,
            formatOptions: [.withInternetDateTime, .withFractionalSeconds])
        var line = "\(timestamp) \(level) \(message)"
        for (key, value) in fields {
            line += " \(key)=\(quoted(value))"
        }
        line += "\n"
        lock.lock()
        FileHandle.standardError.write(line.data(using: .utf8)!)
        lock.unlock()
    }

    private static func quoted(_ value: String) -> String {
        if value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) {
            return "\"" + value.replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return value
    }
}
