import Crypto
import Foundation
import Testing

@testable import Signaling

private let secrets = ["devkey": "devsecret"]
private let now = 1_800_000_000

/// Minted by PyJWT 2.15.1: `jwt.encode(claims, "devsecret", algorithm="HS256")` with
/// `{"iss":"devkey","sub":"alice","name":"Alice","exp":2000000000,"nbf":1700000000,
/// "grants":{"room":"lobby","roomJoin":true,"canPublish":true,"canSubscribe":true}}`.
private let pyJWTToken =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    + "eyJpc3MiOiJkZXZrZXkiLCJzdWIiOiJhbGljZSIsIm5hbWUiOiJBbGljZSIsImV4cCI6MjAwMDAwMDAwMCwibmJmIjoxNzAwMDAwMDAwLCJncmF"
    + "udHMiOnsicm9vbSI6ImxvYmJ5Iiwicm9vbUpvaW4iOnRydWUsImNhblB1Ymxpc2giOnRydWUsImNhblN1YnNjcmliZSI6dHJ1ZX19."
    + "sjVFa8xrqXN1lk2QSBE2hP6phGmj_I1q0OjnOj8dLW0"

/// Minted by PyJWT 2.15.1 with `headers={"typ": None, "kid": "devkey"}`, so the header is
/// `{"alg":"HS256","kid":"devkey"}`. The payload has keys out of order and a fractional exp:
/// `{"grants":{"roomList":true},"exp":2000000000.75,"sub":"bob","iss":"devkey"}`.
private let pyJWTTokenWithoutTyp =
    "eyJhbGciOiJIUzI1NiIsImtpZCI6ImRldmtleSJ9."
    + "eyJncmFudHMiOnsicm9vbUxpc3QiOnRydWV9LCJleHAiOjIwMDAwMDAwMDAuNzUsInN1YiI6ImJvYiIsImlzcyI6ImRldmtleSJ9."
    + "goNM5n5j1rb1b9dlmcKI-jlJMv9uoLD19mStzPtJZrQ"

/// The payload of `pyJWTToken` signed by PyJWT 2.15.1 with HS512.
private let pyJWTTokenHS512 =
    "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9."
    + "eyJpc3MiOiJkZXZrZXkiLCJzdWIiOiJhbGljZSIsIm5hbWUiOiJBbGljZSIsImV4cCI6MjAwMDAwMDAwMCwibmJmIjoxNzAwMDAwMDAwLCJncmF"
    + "udHMiOnsicm9vbSI6ImxvYmJ5Iiwicm9vbUpvaW4iOnRydWUsImNhblB1Ymxpc2giOnRydWUsImNhblN1YnNjcmliZSI6dHJ1ZX19."
    + "vjmk8_ucF0RHZWqi7LXCJBryJ2zyV3HAxM-yc4QtZVuLy4DbMVIZnmoOH6aQrxpBD5hRrQPN1FYh2OixlLZ14A"

private func base64URL(_ text: String) -> String {
    Data(text.utf8).base64EncodedString()
        .replacingOccurrences(of: "+", with: "-")
        .replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
}

/// Builds an HS256 token from literal header and payload JSON, for claims `sign` would never produce.
private func forge(header: String = #"{"alg":"HS256","typ":"JWT"}"#, payload: String, secret: String = "devsecret")
    -> String
{
    let signingInput = base64URL(header) + "." + base64URL(payload)
    let signature = Digest.sha256HMAC(key: Array(secret.utf8), data: Array(signingInput.utf8))
    let encodedSignature = Data(signature).base64EncodedString()
        .replacingOccurrences(of: "+", with: "-")
        .replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
    return signingInput + "." + encodedSignature
}

private func verifyError(_ token: String) -> AccessTokenError? {
    do {
        _ = try AccessToken.verify(token, secrets: secrets, now: now)
        return nil
    } catch {
        return error
    }
}

@Test func signThenVerifyRoundTrips() throws {
    let claims = AccessTokenClaims(
        issuer: "devkey", identity: "alice/laptop", name: "Alice Ünïcode", expiresAt: now + 3600, notBefore: now - 60,
        grants: VideoGrants(room: "lobby", roomJoin: true, canPublish: true, canSubscribe: false, roomAdmin: true))
    let token = AccessToken.sign(claims, secret: "devsecret")

    #expect(try AccessToken.verify(token, secrets: secrets, now: now) == claims)
    #expect(!token.contains("="))
    #expect(token.split(separator: ".").count == 3)
}

@Test func signOmitsAbsentOptionalClaims() throws {
    let claims = AccessTokenClaims(issuer: "devkey", identity: "bob", expiresAt: now + 60)
    let token = AccessToken.sign(claims, secret: "devsecret")
    let verified = try AccessToken.verify(token, secrets: secrets, now: now)

    #expect(verified == claims)
    #expect(verified.name == nil)
    #expect(verified.notBefore == nil)
    #expect(verified.grants == VideoGrants())
}

@Test func pyJWTTokenVerifies() throws {
    let claims = try AccessToken.verify(pyJWTToken, secrets: secrets, now: now)

    #expect(claims.issuer == "devkey")
    #expect(claims.identity == "alice")
    #expect(claims.name == "Alice")
    #expect(claims.expiresAt == 2_000_000_000)
    #expect(claims.notBefore == 1_700_000_000)
    #expect(claims.grants == VideoGrants(room: "lobby", roomJoin: true, canPublish: true, canSubscribe: true))
}

@Test func pyJWTTokenWithoutTypVerifies() throws {
    let claims = try AccessToken.verify(pyJWTTokenWithoutTyp, secrets: secrets, now: now)

    #expect(claims.identity == "bob")
    #expect(claims.expiresAt == 2_000_000_000)
    #expect(claims.notBefore == nil)
    #expect(claims.grants == VideoGrants(roomList: true))
}

@Test func missingGrantKeysDecodeAsFalse() throws {
    let token = forge(payload: #"{"iss":"devkey","sub":"carol","exp":1800000100,"grants":{"canSubscribe":true}}"#)
    let claims = try AccessToken.verify(token, secrets: secrets, now: now)

    #expect(claims.grants == VideoGrants(canSubscribe: true))
}

struct RejectionCase: CustomTestStringConvertible, Sendable {
    let name: String
    let token: String
    let expected: AccessTokenError
    var testDescription: String { name }
}

private let validClaims = #""iss":"devkey","sub":"alice","exp":1800000100"#

private let rejectionCases: [RejectionCase] = [
    RejectionCase(
        name: "alg none without signature",
        token: base64URL(#"{"alg":"none","typ":"JWT"}"#) + "." + base64URL("{\(validClaims)}") + ".",
        expected: .unsupportedAlgorithm("none")),
    RejectionCase(
        name: "alg none signed anyway",
        token: forge(header: #"{"alg":"none"}"#, payload: "{\(validClaims)}"),
        expected: .unsupportedAlgorithm("none")),
    RejectionCase(name: "alg HS512 from PyJWT", token: pyJWTTokenHS512, expected: .unsupportedAlgorithm("HS512")),
    RejectionCase(
        name: "alg missing", token: forge(header: #"{"typ":"JWT"}"#, payload: "{\(validClaims)}"),
        expected: .malformed("the header has no alg parameter")),
    RejectionCase(
        name: "alg not a string", token: forge(header: #"{"alg":256}"#, payload: "{\(validClaims)}"),
        expected: .malformed("the header alg parameter is not a string")),
    RejectionCase(
        name: "crit extension", token: forge(header: #"{"alg":"HS256","crit":["exp"]}"#, payload: "{\(validClaims)}"),
        expected: .malformed("the header lists crit extensions, which are not supported")),
    RejectionCase(
        name: "header not JSON", token: forge(header: "HS256", payload: "{\(validClaims)}"),
        expected: .malformed("the header is not a JSON object")),
    RejectionCase(
        name: "two segments", token: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0",
        expected: .malformed("expected 3 dot-separated segments, found 2")),
    RejectionCase(
        name: "four segments", token: pyJWTToken + ".AAAA",
        expected: .malformed("expected 3 dot-separated segments, found 4")
    ),
    RejectionCase(name: "empty string", token: "", expected: .malformed("expected 3 dot-separated segments, found 1")),
    RejectionCase(
        name: "standard base64 alphabet",
        token: pyJWTToken.replacingOccurrences(of: "_", with: "/"),
        expected: .malformed("the signature is not valid base64url")),
    RejectionCase(
        name: "padded header",
        token: "eyJhbGciOiJIUzI1NiJ9=." + pyJWTToken.split(separator: ".").dropFirst().joined(separator: "."),
        expected: .malformed("the header is not valid base64url")),
    RejectionCase(
        name: "tampered payload",
        token: pyJWTToken.split(separator: ".")[0] + "."
            + base64URL(
                #"{"iss":"devkey","sub":"mallory","name":"Alice","exp":2000000000,"nbf":1700000000,"grants":{"room":"lobby","roomJoin":true,"canPublish":true,"canSubscribe":true}}"#
            ) + "." + pyJWTToken.split(separator: ".")[2],
        expected: .invalidSignature),
    RejectionCase(
        name: "payload swapped from another token",
        token: forge(payload: "{\(validClaims)}").split(separator: ".").prefix(2).joined(separator: ".") + "."
            + pyJWTToken.split(separator: ".")[2],
        expected: .invalidSignature),
    RejectionCase(
        name: "wrong secret", token: forge(payload: "{\(validClaims)}", secret: "othersecret"),
        expected: .invalidSignature),
    RejectionCase(
        name: "truncated signature", token: String(pyJWTToken.dropLast(3)), expected: .invalidSignature),
    RejectionCase(
        name: "unknown iss", token: forge(payload: #"{"iss":"otherkey","sub":"alice","exp":1800000100}"#),
        expected: .unknownAPIKey),
    RejectionCase(
        name: "missing iss", token: forge(payload: #"{"sub":"alice","exp":1800000100}"#), expected: .missingClaim("iss")
    ),
    RejectionCase(
        name: "missing sub", token: forge(payload: #"{"iss":"devkey","exp":1800000100}"#),
        expected: .missingClaim("sub")),
    RejectionCase(
        name: "empty sub", token: forge(payload: #"{"iss":"devkey","sub":"","exp":1800000100}"#),
        expected: .missingClaim("sub")),
    RejectionCase(
        name: "missing exp", token: forge(payload: #"{"iss":"devkey","sub":"alice"}"#), expected: .missingClaim("exp")),
    RejectionCase(
        name: "expired beyond leeway", token: forge(payload: #"{"iss":"devkey","sub":"alice","exp":1799999989}"#),
        expected: .expired),
    RejectionCase(
        name: "expired at leeway edge", token: forge(payload: #"{"iss":"devkey","sub":"alice","exp":1799999990}"#),
        expected: .expired),
    RejectionCase(
        name: "nbf beyond leeway",
        token: forge(payload: #"{"iss":"devkey","sub":"alice","exp":1800000100,"nbf":1800000011}"#),
        expected: .notYetValid),
    RejectionCase(
        name: "exp as string", token: forge(payload: #"{"iss":"devkey","sub":"alice","exp":"1800000100"}"#),
        expected: .malformed("the claim exp has the wrong type")),
    RejectionCase(
        name: "exp too large", token: forge(payload: #"{"iss":"devkey","sub":"alice","exp":1e300}"#),
        expected: .malformed("the claim exp is not a valid NumericDate")),
    RejectionCase(
        name: "grant as string",
        token: forge(payload: #"{"iss":"devkey","sub":"alice","exp":1800000100,"grants":{"roomJoin":"yes"}}"#),
        expected: .malformed("the claim grants.roomJoin has the wrong type")),
    RejectionCase(
        name: "payload is an array", token: forge(payload: "[1,2]"),
        expected: .malformed("the payload is not a JSON object of claims")),
    RejectionCase(
        name: "oversized token", token: String(repeating: "A", count: AccessToken.maxTokenLength + 1),
        expected: .malformed("the token is longer than 16384 bytes")),
]

@Test(arguments: rejectionCases)
func verifyRejects(_ rejection: RejectionCase) {
    #expect(verifyError(rejection.token) == rejection.expected)
}

@Test func timeClaimsAcceptedWithinLeeway() throws {
    let expiring = forge(payload: #"{"iss":"devkey","sub":"alice","exp":1799999991}"#)
    let early = forge(payload: #"{"iss":"devkey","sub":"alice","exp":1800000100,"nbf":1800000010}"#)

    #expect(try AccessToken.verify(expiring, secrets: secrets, now: now).expiresAt == 1_799_999_991)
    #expect(try AccessToken.verify(early, secrets: secrets, now: now).notBefore == 1_800_000_010)
    #expect(throws: AccessTokenError.expired) {
        try AccessToken.verify(expiring, secrets: secrets, now: now, leeway: 0)
    }
}

@Test func everyTruncationIsRejected() {
    for length in 0..<pyJWTToken.count {
        let prefix = String(pyJWTToken.prefix(length))
        #expect(verifyError(prefix) != nil, "prefix of length \(length) was accepted")
    }
}

@Test func everySingleCharacterChangeIsRejected() {
    let characters = Array(pyJWTToken)
    for index in characters.indices where characters[index] != "." {
        var changed = characters
        changed[index] = characters[index] == "A" ? "B" : "A"
        #expect(verifyError(String(changed)) != nil, "change at offset \(index) was accepted")
    }
}

@Test func errorMessagesNameTheProblem() {
    let errors: [AccessTokenError] = [
        .malformed("x"), .unsupportedAlgorithm("none"), .unknownAPIKey, .invalidSignature, .expired, .notYetValid,
        .missingClaim("sub"),
    ]
    for error in errors {
        #expect(error.message.hasPrefix("The access token"))
        #expect(!error.message.contains("devsecret"))
    }
    #expect(AccessTokenError.unsupportedAlgorithm("none").message.contains("\"none\""))
    #expect(AccessTokenError.missingClaim("sub").message.contains("\"sub\""))
}
