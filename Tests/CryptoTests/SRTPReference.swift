import COpenSSL
import Crypto

/// An independent SRTP implementation built from the RFC text and OpenSSL primitives, used to
/// check libsrtp's output byte for byte. It handles only packets without CSRCs or header
/// extensions and is written for clarity, not speed.
enum SRTPReference {
    // MARK: - Primitives

    static func aesBlock(key: [UInt8], _ block: [UInt8]) -> [UInt8] {
        precondition(key.count == 16 && block.count == 16)
        let context = EVP_CIPHER_CTX_new()
        defer { EVP_CIPHER_CTX_free(context) }
        var output = [UInt8](repeating: 0, count: 32)
        var outputLength: Int32 = 0
        precondition(EVP_EncryptInit_ex(context, EVP_aes_128_ecb(), nil, key, nil) == 1)
        EVP_CIPHER_CTX_set_padding(context, 0)
        precondition(EVP_EncryptUpdate(context, &output, &outputLength, block, 16) == 1)
        return Array(output.prefix(16))
    }

    /// AES in counter mode (RFC 3711 section 4.1.1): block i encrypts `iv + i`.
    static func aesCMKeystream(key: [UInt8], iv: [UInt8], length: Int) -> [UInt8] {
        var counter = iv
        var keystream: [UInt8] = []
        while keystream.count < length {
            keystream += aesBlock(key: key, counter)
            for index in stride(from: 15, through: 0, by: -1) {
                counter[index] &+= 1
                if counter[index] != 0 { break }
            }
        }
        return Array(keystream.prefix(length))
    }

    static func aesGCMEncrypt(key: [UInt8], iv: [UInt8], aad: [UInt8], plaintext: [UInt8]) -> (
        ciphertext: [UInt8], tag: [UInt8]
    ) {
        precondition(key.count == 16 && iv.count == 12)
        let context = EVP_CIPHER_CTX_new()
        defer { EVP_CIPHER_CTX_free(context) }
        var length: Int32 = 0
        precondition(EVP_EncryptInit_ex(context, EVP_aes_128_gcm(), nil, key, iv) == 1)
        precondition(EVP_EncryptUpdate(context, nil, &length, aad, Int32(aad.count)) == 1)
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + 16)
        precondition(EVP_EncryptUpdate(context, &ciphertext, &length, plaintext, Int32(plaintext.count)) == 1)
        var finalLength: Int32 = 0
        ciphertext.withUnsafeMutableBufferPointer { buffer in
            precondition(EVP_EncryptFinal_ex(context, buffer.baseAddress! + Int(length), &finalLength) == 1)
        }
        var tag = [UInt8](repeating: 0, count: 16)
        precondition(EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, 16, &tag) == 1)
        return (Array(ciphertext.prefix(Int(length + finalLength))), tag)
    }

    static func xor(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        zip(a, b).map { $0 ^ $1 }
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    // MARK: - Key derivation (RFC 3711 section 4.3)

    enum Label: UInt8 {
        case rtpEncryption = 0
        case rtpAuthentication = 1
        case rtpSalt = 2
        case rtcpEncryption = 3
        case rtcpAuthentication = 4
        case rtcpSalt = 5
    }

    /// Derives a session key with the AES-CM PRF and key_derivation_rate 0. A 12-byte AES-GCM
    /// master salt is padded on the right with two zero bytes to the 14 bytes of the AES-CM PRF,
    /// as libsrtp 2.5 does.
    static func deriveKey(masterKey: [UInt8], masterSalt: [UInt8], label: Label, length: Int) -> [UInt8] {
        var x = masterSalt + [UInt8](repeating: 0, count: 14 - masterSalt.count)
        x[7] ^= label.rawValue
        return aesCMKeystream(key: masterKey, iv: x + [0, 0], length: length)
    }

    struct SessionKeys {
        var key: [UInt8]
        var salt: [UInt8]
        var authenticationKey: [UInt8]
    }

    static func sessionKeys(masterKey: [UInt8], masterSalt: [UInt8], rtcp: Bool, saltLength: Int) -> SessionKeys {
        let labels: (Label, Label, Label) =
            rtcp ? (.rtcpEncryption, .rtcpSalt, .rtcpAuthentication) : (.rtpEncryption, .rtpSalt, .rtpAuthentication)
        return SessionKeys(
            key: deriveKey(masterKey: masterKey, masterSalt: masterSalt, label: labels.0, length: 16),
            salt: deriveKey(masterKey: masterKey, masterSalt: masterSalt, label: labels.1, length: saltLength),
            authenticationKey: deriveKey(masterKey: masterKey, masterSalt: masterSalt, label: labels.2, length: 20))
    }

    // MARK: - AES_CM_128_HMAC_SHA1_80 (RFC 3711 sections 3.1, 3.4, 4.1.1, 4.2)

    /// IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16).
    static func aesCMIV(salt: [UInt8], ssrc: UInt32, index: UInt64) -> [UInt8] {
        var iv = salt + [0, 0]
        for (offset, byte) in bigEndian(ssrc).enumerated() { iv[4 + offset] ^= byte }
        for offset in 0..<6 { iv[8 + offset] ^= UInt8(truncatingIfNeeded: index >> (40 - 8 * UInt64(offset))) }
        return iv
    }

    static func protectRTPWithAESCM(_ packet: [UInt8], keys: SessionKeys, rolloverCounter: UInt32) -> [UInt8] {
        let ssrc = UInt32(packet[8]) << 24 | UInt32(packet[9]) << 16 | UInt32(packet[10]) << 8 | UInt32(packet[11])
        let sequenceNumber = UInt64(packet[2]) << 8 | UInt64(packet[3])
        let index = UInt64(rolloverCounter) << 16 | sequenceNumber
        let payload = Array(packet[12...])
        let keystream = aesCMKeystream(
            key: keys.key, iv: aesCMIV(salt: keys.salt, ssrc: ssrc, index: index), length: payload.count)
        let encrypted = Array(packet.prefix(12)) + xor(payload, keystream)
        let tag = Digest.sha1HMAC(key: keys.authenticationKey, data: encrypted + bigEndian(rolloverCounter))
        return encrypted + tag.prefix(10)
    }

    static func protectRTCPWithAESCM(_ packet: [UInt8], keys: SessionKeys, index: UInt32) -> [UInt8] {
        let ssrc = UInt32(packet[4]) << 24 | UInt32(packet[5]) << 16 | UInt32(packet[6]) << 8 | UInt32(packet[7])
        let payload = Array(packet[8...])
        let keystream = aesCMKeystream(
            key: keys.key, iv: aesCMIV(salt: keys.salt, ssrc: ssrc, index: UInt64(index)), length: payload.count)
        let encrypted = Array(packet.prefix(8)) + xor(payload, keystream) + bigEndian(0x8000_0000 | index)
        let tag = Digest.sha1HMAC(key: keys.authenticationKey, data: encrypted)
        return encrypted + tag.prefix(10)
    }

    // MARK: - AEAD_AES_128_GCM (RFC 7714 sections 8 and 9)

    static func protectRTPWithGCM(_ packet: [UInt8], key: [UInt8], salt: [UInt8], rolloverCounter: UInt32) -> [UInt8] {
        // IV = (0x0000 || SSRC || ROC || SEQ) XOR salt (RFC 7714 section 8.1).
        let nonce = [0, 0] + Array(packet[8..<12]) + bigEndian(rolloverCounter) + Array(packet[2..<4])
        let header = Array(packet.prefix(12))
        let sealed = aesGCMEncrypt(key: key, iv: xor(nonce, salt), aad: header, plaintext: Array(packet[12...]))
        return header + sealed.ciphertext + sealed.tag
    }

    static func protectRTCPWithGCM(_ packet: [UInt8], key: [UInt8], salt: [UInt8], index: UInt32) -> [UInt8] {
        // IV = (0x0000 || SSRC || 0x0000 || 0 || SRTCP index) XOR salt; the AAD is the first
        // eight header bytes followed by E flag and index (RFC 7714 sections 9.1 and 9.2).
        let nonce = [0, 0] + Array(packet[4..<8]) + [0, 0] + bigEndian(index & 0x7FFF_FFFF)
        let trailer = bigEndian(0x8000_0000 | index)
        let header = Array(packet.prefix(8))
        let sealed = aesGCMEncrypt(
            key: key, iv: xor(nonce, salt), aad: header + trailer, plaintext: Array(packet[8...]))
        return header + sealed.ciphertext + sealed.tag + trailer
    }
}
