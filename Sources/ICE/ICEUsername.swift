/// Splits the USERNAME of an incoming Binding request, "receiver-ufrag:sender-ufrag" (RFC 8445
/// section 7.2.2), so the transport can find the agent by its own ufrag before it has an
/// address mapping. From the receiving agent's view the first part is the local ufrag. Returns
/// nil when there is no colon or either part is empty. ICE ufrags are ice-chars (RFC 8839
/// section 5.4), which exclude the colon, so the first colon is the separator.
public func iceUsernameFragments(_ username: String) -> (local: Substring, remote: Substring)? {
    guard let colon = username.firstIndex(of: ":") else { return nil }
    let local = username[..<colon]
    let remote = username[username.index(after: colon)...]
    guard !local.isEmpty, !remote.isEmpty else { return nil }
    return (local, remote)
}
