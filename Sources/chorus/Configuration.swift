import Foundation

/// A node's configuration file (JSON). Every field is optional; `--dev` and
/// command-line options override it.
struct NodeConfiguration: Decodable {
    var bindAddress: String?
    var announcedAddress: String?
    var httpPort: UInt16?
    var rtcPort: UInt16?
    /// API key to secret.
    var apiKeys: [String: String]?
    var autoCreateRooms: Bool?
    var nodeID: String?
    /// Directory with web/ (the web client) and openapi.json.
    var webRoot: String?

    static func load(path: String) throws -> NodeConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandError("cannot read configuration file \(path)")
        }
        do {
            return try JSONDecoder().decode(NodeConfiguration.self, from: data)
        } catch {
            throw CommandError("invalid configuration file \(path): \(error)")
        }
    }

    static let devKey = "devkey"
    static let devSecret = "devsecret"
}
