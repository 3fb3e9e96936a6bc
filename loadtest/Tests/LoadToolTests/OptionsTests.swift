import Foundation
import Signaling
import Testing

@testable import chorus_load

@Suite struct OptionsTests {
    @Test(arguments: [
        ("90s", 90.0), ("2m", 120.0), ("500ms", 0.5), ("1h", 3600.0), ("15", 15.0), ("1.5s", 1.5),
    ])
    func parsesDurations(text: String, seconds: Double) {
        #expect(Units.seconds(text) == seconds)
    }

    @Test(arguments: ["", "s", "-1s", "abc", "10x"])
    func rejectsInvalidDurations(text: String) {
        #expect(Units.seconds(text) == nil)
    }

    @Test(arguments: [("1500k", 1_500_000), ("1.5M", 1_500_000), ("800000", 800_000), ("2G", 2_000_000_000)])
    func parsesBitrates(text: String, bitrate: Int) {
        #expect(Units.bitrate(text) == bitrate)
    }

    @Test func commandLineOverridesScenario() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("scenario-\(UUID()).json").path
        try Data(#"{"rooms": 2, "publishers": 3, "duration": "15s", "simulcast": true, "maxLoss": "1%"}"#.utf8)
            .write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let options = try LoadOptions.parse(["--scenario", path, "--rooms", "5", "--duration=20s", "--no-audio"])
        #expect(options.rooms == 5)
        #expect(options.publishers == 3)
        #expect(options.durationSeconds == 20)
        #expect(options.simulcast)
        #expect(!options.audio)
        #expect(options.maxLossPercent == 1)
    }

    @Test(arguments: [
        ["--rooms", "0"], ["--rooms"], ["--bogus", "1"], ["--mode", "sip"], ["--max-loss", "200%"],
        ["--no-audio", "--no-video"], ["--url", "https://127.0.0.1"], ["stray"],
    ])
    func rejectsInvalidOptions(arguments: [String]) {
        #expect(throws: OptionError.self) { try LoadOptions.parse(arguments) }
    }

    @Test func connectedThresholds() throws {
        let byPercent = try LoadOptions.parse(["--min-connected", "95%"])
        #expect(byPercent.minConnected?.required(of: 300) == 285)
        let byCount = try LoadOptions.parse(["--min-connected", "290"])
        #expect(byCount.minConnected?.required(of: 300) == 290)
        #expect(byCount.minConnected?.required(of: 10) == 10)
    }

    @Test func metricsAreSummedOverLabels() {
        let text = """
            # HELP chorus_packets_out_total Datagrams sent on media sockets.
            # TYPE chorus_packets_out_total counter
            chorus_packets_out_total{worker="0"} 1000
            chorus_packets_out_total{worker="1"} 234
            process_cpu_seconds_total 12.5
            malformed line
            """
        let metrics = ServerMetrics(text: text)
        #expect(metrics["chorus_packets_out_total"] == 1234)
        #expect(metrics["process_cpu_seconds_total"] == 12.5)
        #expect(metrics["malformed"] == nil)
    }

    /// The load tool signs its own tokens; the server's verifier must accept them.
    @Test func tokenVerifiesWithServerCode() throws {
        let signer = TokenSigner(apiKey: "devkey", apiSecret: "devsecret")
        let token = signer.token(room: "load-1", identity: "s7", publish: false, subscribe: true, validSeconds: 60)
        let claims = try AccessToken.verify(
            token, secrets: ["devkey": "devsecret"], now: Int(Date().timeIntervalSince1970))
        #expect(claims.identity == "s7")
        #expect(claims.grants.room == "load-1")
        #expect(claims.grants.roomJoin)
        #expect(claims.grants.canSubscribe)
        #expect(!claims.grants.canPublish)
        #expect(throws: AccessTokenError.invalidSignature) {
            try AccessToken.verify(token, secrets: ["devkey": "other"], now: Int(Date().timeIntervalSince1970))
        }
    }
}
