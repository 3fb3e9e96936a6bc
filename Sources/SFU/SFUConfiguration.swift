import Wire

/// Settings of the media plane and of room handling on one node.
public struct SFUConfiguration: Sendable {
    /// Address the media UDP socket binds to.
    public var rtcBindAddress: SocketAddress
    /// Address announced in SDP host candidates; equal to the bind address unless the node is behind NAT.
    public var announcedAddress: SocketAddress
    /// Create a room on the first publish into it instead of returning room_not_found.
    public var autoCreateRooms: Bool
    /// A session whose peer sends no ICE request for this long is closed (RFC 7675 consent).
    public var iceTimeoutMilliseconds: Int64
    /// Minimum time between two keyframe requests sent upstream for one track.
    public var keyframeRequestIntervalMilliseconds: Int64
    public var nodeID: String

    public init(
        rtcBindAddress: SocketAddress, announcedAddress: SocketAddress? = nil, autoCreateRooms: Bool = false,
        iceTimeoutMilliseconds: Int64 = 30_000, keyframeRequestIntervalMilliseconds: Int64 = 300,
        nodeID: String = "local"
    ) {
        self.rtcBindAddress = rtcBindAddress
        self.announcedAddress = announcedAddress ?? rtcBindAddress
        self.autoCreateRooms = autoCreateRooms
        self.iceTimeoutMilliseconds = iceTimeoutMilliseconds
        self.keyframeRequestIntervalMilliseconds = keyframeRequestIntervalMilliseconds
        self.nodeID = nodeID
    }
}
