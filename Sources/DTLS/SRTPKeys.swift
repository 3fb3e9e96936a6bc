import Crypto

/// SRTP master keys for one DTLS-SRTP association, oriented for this endpoint (RFC 5764 section 4.2).
///
/// `local` protects what this endpoint sends and `remote` unprotects what it receives: a server
/// sends with the server write key and salt, a client with the client ones.
public struct SRTPKeys: Sendable, Hashable {
    public var profile: SRTPProfileName
    public var localKey: [UInt8]
    public var localSalt: [UInt8]
    public var remoteKey: [UInt8]
    public var remoteSalt: [UInt8]

    public init(
        profile: SRTPProfileName, localKey: [UInt8], localSalt: [UInt8], remoteKey: [UInt8], remoteSalt: [UInt8]
    ) {
        self.profile = profile
        self.localKey = localKey
        self.localSalt = localSalt
        self.remoteKey = remoteKey
        self.remoteSalt = remoteSalt
    }

    /// Orients exported keying material for an endpoint in `role`.
    public init(profile: SRTPProfileName, material: SRTPKeyingMaterial, role: DTLSRole) {
        switch role {
        case .server:
            self.init(
                profile: profile, localKey: material.serverKey, localSalt: material.serverSalt,
                remoteKey: material.clientKey, remoteSalt: material.clientSalt)
        case .client:
            self.init(
                profile: profile, localKey: material.clientKey, localSalt: material.clientSalt,
                remoteKey: material.serverKey, remoteSalt: material.serverSalt)
        }
    }
}
