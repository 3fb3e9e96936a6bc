import Crypto
import Foundation

/// Mints access tokens the way an application server does: JSON Web Tokens (RFC 7519) signed with HS256
/// (RFC 7515 appendix A.1) and the API secret, with the claims Chorus reads: `iss` (API key), `sub`
/// (identity), `nbf`, `exp` and `grants`.
struct TokenSigner {
    var apiKey: String
    var apiSecret: String

    func token(room: String, identity: String, publish: Bool, subscribe: Bool, validSeconds: Int) -> String {
        let now = Int(Date().timeIntervalSince1970)
        let claims: [String: Any] = [
            "iss": apiKey, "sub": identity, "name": identity, "nbf": now - 10, "exp": now + validSeconds,
            "grants": [
                "room": room, "roomJoin": true, "canPublish": publish, "canSubscribe": subscribe,
            ],
        ]
        let header = #"{"alg":"HS256","typ":"JWT"}"#
        // JSONSerialization fails only on values JSON cannot hold, and these claims are strings, numbers and bools.
        let payload = (try? JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys])) ?? Data()
        let signingInput = Self.base64URL(Array(header.utf8)) + "." + Self.base64URL(Array(payload))
        let signature = Digest.sha256HMAC(key: Array(apiSecret.utf8), data: Array(signingInput.utf8))
        return signingInput + "." + Self.base64URL(signature)
    }

    /// Base64url without padding (RFC 4648 section 5), as JWS requires (RFC 7515 section 2).
    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
