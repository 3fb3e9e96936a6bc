import Foundation
import HTTPServer

/// The web client and the OpenAPI document, read into memory at start from the resource
/// directory that the build places beside the executable.
public final class StaticFiles {
    private var files: [String: (contentType: String, body: [UInt8])] = [:]
    public let directory: URL?

    /// Looks in `override` first, then in the SwiftPM resource bundle next to the executable,
    /// then in /usr/share/chorus (where deploy/ installs it).
    public init(override: String? = nil) {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        var candidates: [URL] = []
        if let override { candidates.append(URL(fileURLWithPath: override)) }
        candidates.append(executable.appendingPathComponent("Chorus_Signaling.resources/Resources"))
        candidates.append(URL(fileURLWithPath: "/usr/share/chorus"))
        directory = candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("web").path) }
        guard let directory else { return }
        load(directory.appendingPathComponent("web"), prefix: "/")
        if let data = FileManager.default.contents(atPath: directory.appendingPathComponent("openapi.json").path) {
            files["/v1/openapi.json"] = ("application/json", Array(data))
        }
        if let index = files["/index.html"] { files["/"] = index }
    }

    private func load(_ folder: URL, prefix: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names where !name.hasPrefix(".") {
            let url = folder.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path) else { continue }
            files[prefix + name] = (Self.contentType(of: name), Array(data))
        }
    }

    static func contentType(of name: String) -> String {
        switch (name as NSString).pathExtension.lowercased() {
        case "html": return "text/html; charset=utf-8"
        case "js", "mjs": return "text/javascript; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "json": return "application/json"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "ico": return "image/x-icon"
        default: return "application/octet-stream"
        }
    }

    /// Returns the file at `path`, or nil.
    public func response(for path: String) -> HTTPResponse? {
        guard let file = files[path] else { return nil }
        return HTTPResponse(
            status: 200, headers: [("Content-Type", file.contentType), ("Cache-Control", "no-cache")], body: file.body)
    }

    public var isEmpty: Bool { files.isEmpty }
}
