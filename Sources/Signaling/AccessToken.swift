import Crypto
import Foundation

/// Permissions a token grants for rooms, carried in the `grants` claim.
///
/// A key missing from the JSON object decodes as `false`, so a token lists only what it allows.
public struct VideoGrants: Codable, Equatable, Sendable {
    /// The room the grants apply to, or nil for grants that name no room.
    public var room: String?
    public var roomJoin: Bool
    public var canPublish: Bool
    public var canSubscribe: Bool
    public var roomCreate: Bool
    public var roomList: Bool
    public var roomAdmin: Bool

    public init(
        room: String? = nil, roomJoin: Bool = false, canPublish: Bool = false, canSubscribe: Bool = false,
        roomCreate: Bool = false, roomList: Bool = false, roomAdmin: Bool = false
    ) {
        self.room = room
        self.roomJoin = roomJoin
        self.canPublish = canPublish
        self.canSubscribe = canSubscribe
        self.roomCreate = roomCreate
        self.roomList = roomList
        self.roomAdmin = roomAdmin
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        room = try container.decodeIfPresent(String.self, forKey: .room)
        roomJoin = try container.decodeIfPresent(Bool.self, forKey: .roomJoin) ?? false
        canPublish = try container.decodeIfPresent(Bool.self, forKey: .canPublish) ?? false
        canSubscribe = try container.decodeIfPresent(Bool.self, forKey: .canSubscribe) ?? false
        roomCreate = try container.decodeIfPresent(Bool.self, forKey: .roomCreate) ?? false
        roomList = try container.decodeIfPresent(Bool.self, forKey: .roomList) ?? false
        roomAdmin = try container.decodeIfPresent(Bool.self, forKey: .roomAdmin) ?? false
    }
}

/// The claims of an access token (RFC 7519 section 4.1, plus `name` and `grants`).
public struct AccessTokenClaims: Equatable, Sendable {
    /// `iss`: the API key whose secret signed the token.
    public var issuer: String
    /// `sub`: the participant identity, unique within a room.
    public var identity: String
    /// `name`: a display name.
    public var name: String?
    /// `exp`: seconds since the Unix epoch after which the token is rejected.
    public var expiresAt: Int
    /// `nbf`: seconds since the Unix epoch before which the token is rejected.
    public var notBefore: Int?
    public var grants: VideoGrants

    public init(
        issuer: String, identity: String, name: String? = nil, expiresAt: Int, notBefore: Int? = nil,
        grants: VideoGrants = VideoGrants()
    ) {
        self.issuer = issuer
        self.identity = identity
        self.name = name
        self.expiresAt = expiresAt
        self.notBefore = notBefore
        self.grants = grants
    }
}

/// Reasons a token fails verification. Every case maps to HTTP 401.
public enum AccessTokenError: Error, Equatable, Sendable {
    case malformed(String)
    case unsupportedAlgorithm(String)
    case unknownAPIKey
    case invalidSignature
    case expired
    case notYetValid
    case missingClaim(String)

    /// A sentence for the body of a 401 response. It never contains the token or a secret.
    public var message: String {
        switch self {
        case .malformed(let detail): "The access token is malformed: \(detail)."
        case .unsupportedAlgorithm(let alg): "The access token uses algorithm \"\(alg)\", but only HS256 is accepted."
        case .unknownAPIKey: "The access token was issued by an unknown API key."
        case .invalidSignature: "The access token signature is invalid."
        case .expired: "The access token has expired."
        case .notYetValid: "The access token is not valid yet (nbf is in the future)."
        case .missingClaim(let claim): "The access token has no \"\(claim)\" claim."
        }
    }
}

/// JSON Web Tokens (RFC 7519) in JWS compact serialization (RFC 7515 section 7.1), signed with HS256 only.
///
/// A token is `base64url(header) "." base64url(payload) "." base64url(HMAC-SHA256(secret, first two parts))`,
/// with base64url as in RFC 7515 section 2: the URL-safe alphabet without padding.
public enum AccessToken {
    /// Tokens longer than this are rejected before any decoding.
    public static let maxTokenLength = 16 * 1024

    /// Signs `claims` with `secret` (the secret of the API key in `claims.issuer`).
    public static func sign(_ claims: AccessTokenClaims, secret: String) -> String {
        let header = #"{"alg":"HS256","typ":"JWT"}"#
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let payload = EncodedPayload(
            iss: claims.issuer, sub: claims.identity, name: claims.name, exp: claims.expiresAt,
            nbf: claims.notBefore, grants: claims.grants)
        // JSONEncoder fails only on values JSON cannot represent, such as NaN, and these claims contain none.
        guard let payloadJSON = try? encoder.encode(payload) else {
            preconditionFailure("JSONEncoder failed on access token claims")
        }

        let signingInput = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payloadJSON))
        let signature = Digest.sha256HMAC(key: Array(secret.utf8), data: Array(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(signature)
    }

    /// Verifies `token` and returns its claims.
    ///
    /// The signature is checked with the secret of the token's `iss` (looked up in `secrets`, API key to
    /// secret) before any time claim is trusted. `exp` and `nbf` are compared with `now` (seconds since the
    /// Unix epoch) allowing `leeway` seconds of clock skew. Fractional NumericDates are truncated.
    public static func verify(
        _ token: String, secrets: [String: String], now: Int, leeway: Int = 10
    ) throws(AccessTokenError) -> AccessTokenClaims {
        guard token.utf8.count <= maxTokenLength else {
            throw .malformed("the token is longer than \(maxTokenLength) bytes")
        }
        let segments = token.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard segments.count == 3 else {
            throw .malformed("expected 3 dot-separated segments, found \(segments.count)")
        }
        guard let headerBytes = Base64URL.decode(segments[0]) else {
            throw .malformed("the header is not valid base64url")
        }
        guard let payloadBytes = Base64URL.decode(segments[1]) else {
            throw .malformed("the payload is not valid base64url")
        }
        guard let signature = Base64URL.decode(segments[2]) else {
            throw .malformed("the signature is not valid base64url")
        }

        try checkHeader(headerBytes)
        let payload = try decodePayload(payloadBytes)

        guard let issuer = payload.iss else { throw .missingClaim("iss") }
        guard let secret = secrets[issuer] else { throw .unknownAPIKey }
        // The signing input is the first two segments exactly as received, dot included.
        let signingInput = Array(token.utf8.prefix(segments[0].count + 1 + segments[1].count))
        let expected = Digest.sha256HMAC(key: Array(secret.utf8), data: signingInput)
        guard Digest.constantTimeEqual(expected, signature) else { throw .invalidSignature }

        guard let identity = payload.sub, !identity.isEmpty else { throw .missingClaim("sub") }
        guard let expRaw = payload.exp else { throw .missingClaim("exp") }
        let expiresAt = try numericDate(expRaw, claim: "exp")
        let notBefore = try payload.nbf.map { raw throws(AccessTokenError) in try numericDate(raw, claim: "nbf") }

        // RFC 7519 section 4.1.4: the current time must be before exp.
        guard now.subtractingReportingOverflow(leeway).partialValue < expiresAt else { throw .expired }
        // RFC 7519 section 4.1.5: the current time must be at or after nbf.
        if let notBefore, now.addingReportingOverflow(leeway).partialValue < notBefore { throw .notYetValid }

        return AccessTokenClaims(
            issuer: issuer, identity: identity, name: payload.name, expiresAt: expiresAt, notBefore: notBefore,
            grants: payload.grants ?? VideoGrants())
    }

    /// Rejects any header whose `alg` is not HS256, and any `crit` extension since none is supported
    /// (RFC 7515 section 4.1.11). Other parameters, such as `typ` and `kid`, are ignored.
    private static func checkHeader(_ bytes: [UInt8]) throws(AccessTokenError) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)),
            let header = object as? [String: Any]
        else { throw .malformed("the header is not a JSON object") }
        guard let alg = header["alg"] else { throw .malformed("the header has no alg parameter") }
        guard let algName = alg as? String else { throw .malformed("the header alg parameter is not a string") }
        guard algName == "HS256" else { throw .unsupportedAlgorithm(algName) }
        guard header["crit"] == nil else {
            throw .malformed("the header lists crit extensions, which are not supported")
        }
    }

    private static func decodePayload(_ bytes: [UInt8]) throws(AccessTokenError) -> DecodedPayload {
        do {
            return try JSONDecoder().decode(DecodedPayload.self, from: Data(bytes))
        } catch DecodingError.typeMismatch(_, let context) where !context.codingPath.isEmpty {
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw .malformed("the claim \(path) has the wrong type")
        } catch {
            throw .malformed("the payload is not a JSON object of claims")
        }
    }

    /// Converts a NumericDate (RFC 7519 section 2), which JSON may carry with a fraction, to whole seconds.
    private static func numericDate(_ value: Double, claim: String) throws(AccessTokenError) -> Int {
        guard value.isFinite, let seconds = Int(exactly: value.rounded(.towardZero)) else {
            throw .malformed("the claim \(claim) is not a valid NumericDate")
        }
        return seconds
    }
}

/// The payload as decoded from a token: every claim optional so that a missing one maps to `missingClaim`.
private struct DecodedPayload: Decodable {
    var iss: String?
    var sub: String?
    var name: String?
    var exp: Double?
    var nbf: Double?
    var grants: VideoGrants?
}

private struct EncodedPayload: Encodable {
    var iss: String
    var sub: String
    var name: String?
    var exp: Int
    var nbf: Int?
    var grants: VideoGrants
}

/// Base64url without padding (RFC 4648 section 5, as RFC 7515 section 2 uses it).
private enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var output = [UInt8]()
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var bits = UInt32(0)
            for (offset, byte) in chunk.enumerated() { bits |= UInt32(byte) << (16 - 8 * offset) }
            // n input bytes produce n + 1 output characters once padding is dropped.
            for position in 0...chunk.count { output.append(alphabet[Int((bits >> (18 - 6 * position)) & 0x3F)]) }
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes unpadded base64url. Returns nil for padding, characters outside the alphabet, an impossible
    /// length, or nonzero unused bits in the last character, so each byte string has exactly one encoding.
    static func decode<S: Collection<UInt8>>(_ text: S) -> [UInt8]? {
        guard text.count % 4 != 1 else { return nil }
        var output = [UInt8]()
        output.reserveCapacity(text.count * 3 / 4)
        var bits = UInt32(0)
        var bitCount = 0
        for character in text {
            guard let value = sextet(character) else { return nil }
            bits = (bits << 6) | UInt32(value)
            bitCount += 6
            if bitCount >= 8 {
                bitCount -= 8
                output.append(UInt8(truncatingIfNeeded: bits >> UInt32(bitCount)))
                bits &= (1 << UInt32(bitCount)) - 1
            }
        }
        guard bits == 0 else { return nil }
        return output
    }

    private static func sextet(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: nil
        }
    }
}
