import COpenSSL

/// A failed OpenSSL call, with the entries that OpenSSL left in this thread's error queue.
public enum CryptoError: Error, CustomStringConvertible, Equatable {
    /// `operation` names the OpenSSL function that failed; `reasons` are the
    /// `ERR_error_string_n` texts of the queued errors, oldest first (empty if OpenSSL queued none).
    case openSSL(operation: String, reasons: [String])
    /// A caller passed a value that OpenSSL cannot use, such as an MTU below the DTLS minimum.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .openSSL(let operation, let reasons):
            return reasons.isEmpty ? "\(operation) failed" : "\(operation) failed: \(reasons.joined(separator: "; "))"
        case .invalidArgument(let message):
            return message
        }
    }

    /// Builds an error for `operation` from this thread's OpenSSL error queue and empties the queue.
    static func fromQueue(_ operation: String) -> CryptoError {
        .openSSL(operation: operation, reasons: OpenSSLErrorQueue.drain())
    }
}

/// The per-thread OpenSSL error queue (`ERR_get_error`).
enum OpenSSLErrorQueue {
    /// Removes every queued error and returns their texts, oldest first.
    static func drain() -> [String] {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            reasons.append(text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        return reasons
    }

    /// Empties the queue so that `SSL_get_error` after the next call reports only that call's errors.
    static func clear() {
        ERR_clear_error()
    }
}
