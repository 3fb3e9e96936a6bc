import COpenSSL

/// Message digests and HMACs from OpenSSL's one-shot functions.
public enum Digest {
    public static func sha1HMAC(key: [UInt8], data: UnsafeRawBufferPointer) -> [UInt8] {
        hmac(EVP_sha1(), key: key, data: data, length: 20)
    }

    public static func sha256HMAC(key: [UInt8], data: UnsafeRawBufferPointer) -> [UInt8] {
        hmac(EVP_sha256(), key: key, data: data, length: 32)
    }

    public static func sha256(_ data: UnsafeRawBufferPointer) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        SHA256(data.baseAddress?.assumingMemoryBound(to: UInt8.self), data.count, &output)
        return output
    }

    public static func sha1HMAC(key: [UInt8], data: [UInt8]) -> [UInt8] {
        data.withUnsafeBytes { sha1HMAC(key: key, data: $0) }
    }

    public static func sha256HMAC(key: [UInt8], data: [UInt8]) -> [UInt8] {
        data.withUnsafeBytes { sha256HMAC(key: key, data: $0) }
    }

    public static func sha256(_ data: [UInt8]) -> [UInt8] {
        data.withUnsafeBytes { sha256($0) }
    }

    private static func hmac(
        _ md: OpaquePointer?, key: [UInt8], data: UnsafeRawBufferPointer, length: Int
    ) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var outputLength: UInt32 = 0
        let dataPointer = data.baseAddress?.assumingMemoryBound(to: UInt8.self)
        // HMAC() with a nil data pointer and zero length is valid; a nil key pointer is not.
        let keyBytes = key.isEmpty ? [0] : key
        _ = keyBytes.withUnsafeBufferPointer { keyPointer in
            HMAC(md, keyPointer.baseAddress, Int32(key.count), dataPointer ?? keyPointer.baseAddress, data.count,
                 &output, &outputLength)
        }
        precondition(Int(outputLength) == length, "HMAC produced an unexpected length")
        return Array(output.prefix(length))
    }

    /// Compares two byte strings in time that depends only on their lengths.
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        if a.isEmpty { return true }
        return a.withUnsafeBytes { left in
            b.withUnsafeBytes { right in CRYPTO_memcmp(left.baseAddress, right.baseAddress, a.count) == 0 }
        }
    }
}

/// Random bytes from OpenSSL's CSPRNG, for ICE credentials, SSRCs and DTLS.
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: count)
        let status = RAND_bytes(&output, Int32(count))
        precondition(status == 1, "RAND_bytes failed")
        return output
    }

    public static func uint32() -> UInt32 {
        bytes(4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// A string of `count` characters from the ICE character set (RFC 8839 ice-char).
    public static func iceString(_ count: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        return String(bytes(count).map { alphabet[Int($0) & 63] })
    }
}
