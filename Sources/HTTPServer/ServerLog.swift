import CWebSockets
import Foundation

/// The server's log: one line per event on stderr, a constant message followed by `key=value` fields.
///
/// libwebsockets messages pass through here too, restricted to its error and warning levels.
enum ServerLog {
    static func error(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) {
        write("error", message, fields)
    }

    static func warning(_ message: String, _ fields: KeyValuePairs<String, String> = [:]) {
        write("warning", message, fields)
    }

    private static func write(_ level: String, _ message: String, _ fields: KeyValuePairs<String, String>) {
        var line = "http \(level): \(message)"
        for (key, value) in fields {
            line += " \(key)=\(value)"
        }
        writeLine(line)
    }

    private static func writeLine(_ line: String) {
        // One write(2) call per line keeps lines from different threads whole.
        let bytes = Array((line + "\n").utf8)
        bytes.withUnsafeBytes { buffer in
            _ = Foundation.write(STDERR_FILENO, buffer.baseAddress, buffer.count)
        }
    }

    /// Routes libwebsockets' own logging here. The level mask is process-wide in libwebsockets, so this runs once.
    static let installLibraryHook: Void = {
        lws_set_log_level(LLL_ERR | LLL_WARN) { level, text in
            guard let text else { return }
            var message = String(cString: text)
            while message.last == "\n" || message.last == "\r" {
                message.removeLast()
            }
            let name = level == LLL_ERR ? "error" : "warning"
            writeLine("http libwebsockets \(name): \(message)")
        }
    }()
}
