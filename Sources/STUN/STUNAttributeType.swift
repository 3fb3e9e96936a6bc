/// STUN attribute types used by Chorus, from the IANA "STUN Attributes" registry.
///
/// Types below 0x8000 are comprehension-required: an agent that receives one it does not
/// understand rejects a request with 420 (RFC 8489 section 14).
public enum STUNAttributeType {
    // Comprehension-required, RFC 8489 section 14.
    public static let mappedAddress: UInt16 = 0x0001
    public static let username: UInt16 = 0x0006
    public static let messageIntegrity: UInt16 = 0x0008
    public static let errorCode: UInt16 = 0x0009
    public static let unknownAttributes: UInt16 = 0x000A
    public static let realm: UInt16 = 0x0014
    public static let nonce: UInt16 = 0x0015
    public static let messageIntegritySHA256: UInt16 = 0x001C
    public static let passwordAlgorithm: UInt16 = 0x001D
    public static let userhash: UInt16 = 0x001E
    public static let xorMappedAddress: UInt16 = 0x0020

    // Comprehension-required, RFC 8445 section 16.1.
    public static let priority: UInt16 = 0x0024
    public static let useCandidate: UInt16 = 0x0025

    // Comprehension-optional, RFC 8489 section 14.
    public static let passwordAlgorithms: UInt16 = 0x8002
    public static let alternateDomain: UInt16 = 0x8003
    public static let software: UInt16 = 0x8022
    public static let alternateServer: UInt16 = 0x8023
    public static let fingerprint: UInt16 = 0x8028

    // Comprehension-optional, RFC 8445 section 16.1.
    public static let iceControlled: UInt16 = 0x8029
    public static let iceControlling: UInt16 = 0x802A

    /// Returns whether `type` is comprehension-required (RFC 8489 section 14).
    @inlinable
    public static func isComprehensionRequired(_ type: UInt16) -> Bool {
        type < 0x8000
    }

    /// Returns whether this implementation understands the comprehension-required `type`. The
    /// authentication attributes of long-term credentials (REALM, NONCE, USERHASH,
    /// PASSWORD-ALGORITHM) count as understood because the parser reads them, even though ICE
    /// never uses them.
    public static func isUnderstood(_ type: UInt16) -> Bool {
        switch type {
        case mappedAddress, username, messageIntegrity, errorCode, unknownAttributes, realm, nonce,
            messageIntegritySHA256, passwordAlgorithm, userhash, xorMappedAddress, priority, useCandidate:
            return true
        default:
            return false
        }
    }
}
