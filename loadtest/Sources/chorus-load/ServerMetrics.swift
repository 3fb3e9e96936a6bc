import HTTPServer

/// A reading of the server's `/metrics` (Prometheus text format 0.0.4): each metric's samples summed over
/// their labels, which is what the summary needs from per-worker counters.
struct ServerMetrics {
    var values: [String: Double] = [:]

    subscript(name: String) -> Double? { values[name] }

    /// Parses the exposition text; comment lines and lines that do not end in a number are skipped.
    init(text: String) {
        for line in text.split(whereSeparator: \.isNewline) {
            guard !line.hasPrefix("#"), let space = line.lastIndex(of: " ") else { continue }
            guard let value = Double(line[line.index(after: space)...]) else { continue }
            let series = line[..<space]
            let name = series.firstIndex(of: "{").map { series[..<$0] } ?? series
            values[String(name), default: 0] += value
        }
    }

    /// Reads `/metrics` from the server at `base`; nil when it cannot be read.
    static func read(client: HTTPClient, base: ClientURL) -> ServerMetrics? {
        let result = client.sendAndWait(
            HTTPClientRequest(method: "GET", url: base.replacingPath("/metrics")), timeout: 5)
        guard case .success(let response) = result, response.status == 200 else { return nil }
        return ServerMetrics(text: String(decoding: response.body, as: UTF8.self))
    }
}
