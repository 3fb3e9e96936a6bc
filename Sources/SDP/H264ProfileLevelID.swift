/// The H.264 `profile-level-id` fmtp parameter: three bytes in hex, `profile_idc`,
/// `profile-iop` (the constraint_set flags) and `level_idc` (RFC 6184 section 8.1).
public struct H264ProfileLevelID: Equatable, Hashable, Sendable {
    /// The profiles WebRTC endpoints negotiate, derived from `profile_idc` and the constraint
    /// flags as in RFC 6184 section 8.1, table 5.
    public enum Profile: Equatable, Hashable, Sendable {
        case constrainedBaseline
        case baseline
        case main
        case high
        case constrainedHigh
        case predictiveHigh444
    }

    /// The value RFC 6184 section 8.1 assigns when the parameter is absent: Baseline, level 1.0.
    public static let absentDefault = H264ProfileLevelID(profileIDC: 0x42, profileIOP: 0x00, levelIDC: 0x0A)

    public var profileIDC: UInt8
    public var profileIOP: UInt8
    public var levelIDC: UInt8

    public init(profileIDC: UInt8, profileIOP: UInt8, levelIDC: UInt8) {
        self.profileIDC = profileIDC
        self.profileIOP = profileIOP
        self.levelIDC = levelIDC
    }

    /// Parses six hex digits, returning nil for anything else.
    public init?(_ text: String) {
        guard text.count == 6, text.allSatisfy(\.isHexDigit), let value = UInt32(text, radix: 16) else { return nil }
        profileIDC = UInt8(truncatingIfNeeded: value >> 16)
        profileIOP = UInt8(truncatingIfNeeded: value >> 8)
        levelIDC = UInt8(truncatingIfNeeded: value)
    }

    /// Six lower-case hex digits.
    public var text: String {
        [profileIDC, profileIOP, levelIDC].map { byte in
            let hex = String(byte, radix: 16)
            return byte < 0x10 ? "0" + hex : hex
        }.joined()
    }

    /// The profile, or nil for combinations outside table 5 (those only match themselves).
    ///
    /// Each pattern fixes some constraint_set bits of `profile-iop`, most significant bit
    /// first, and requires the reserved low four bits to be zero.
    public var profile: Profile? {
        // (profile_idc, mask of the bits that must match, their required value, profile)
        let patterns: [(UInt8, UInt8, UInt8, Profile)] = [
            (0x42, 0b0100_1111, 0b0100_0000, .constrainedBaseline),
            (0x4D, 0b1000_1111, 0b1000_0000, .constrainedBaseline),
            (0x58, 0b1100_1111, 0b1100_0000, .constrainedBaseline),
            (0x42, 0b0100_1111, 0b0000_0000, .baseline),
            (0x58, 0b1100_1111, 0b1000_0000, .baseline),
            (0x4D, 0b1010_1111, 0b0000_0000, .main),
            (0x64, 0b1111_1111, 0b0000_0000, .high),
            (0x64, 0b1111_1111, 0b0000_1100, .constrainedHigh),
            (0xF4, 0b1111_1111, 0b0000_0000, .predictiveHigh444),
        ]
        for (idc, mask, required, profile) in patterns where idc == profileIDC && profileIOP & mask == required {
            return profile
        }
        return nil
    }

    /// Returns true when both describe the same profile, whatever their levels.
    public func hasSameProfile(as other: H264ProfileLevelID) -> Bool {
        if let profile, let otherProfile = other.profile { return profile == otherProfile }
        return profileIDC == other.profileIDC && profileIOP == other.profileIOP
    }
}
