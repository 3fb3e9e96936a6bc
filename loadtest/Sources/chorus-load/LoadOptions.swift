import Foundation
import HTTPServer

/// How participants join: the conference WebSocket protocol, or WHIP for publishers and WHEP for subscribers.
enum JoinMode: String {
    case conference
    case whip
}

/// A threshold on the number of connected participants: a count, or a percentage of all participants.
enum ConnectedThreshold: Equatable {
    case count(Int)
    case percent(Double)

    func required(of total: Int) -> Int {
        switch self {
        case .count(let count): min(count, total)
        case .percent(let percent): Int((Double(total) * percent / 100).rounded(.up))
        }
    }

    var text: String {
        switch self {
        case .count(let count): String(count)
        case .percent(let percent): "\(percent)%"
        }
    }
}

struct OptionError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The options of one run. A scenario file sets defaults, and command-line options override them.
struct LoadOptions {
    var url = "http://127.0.0.1:7880"
    // The public credentials of `chorus serve --dev`, so that a first run needs no options.
    var apiKey = "devkey"
    var apiSecret = "devsecret"
    var rooms = 1
    var publishers = 1
    var subscribers = 0
    /// Publishers also receive the other publishers of their room, as in a conference.
    var publishersSubscribe = true
    var durationSeconds = 60.0
    var videoBitrate = 1_500_000
    var framesPerSecond = 30
    var keyframeIntervalSeconds = 3.0
    var audio = true
    var video = true
    var simulcast = false
    var e2ee = false
    var dependencyDescriptor = false
    var mode = JoinMode.conference
    var joinRate = 20.0
    var connectTimeoutSeconds = 30.0
    var threads = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4))
    var roomPrefix = "load"
    var reportPath: String?
    var plotsDirectory: String?
    var plotScript: String?
    var maxLossPercent: Double?
    var maxLatencyP99Milliseconds: Double?
    var minConnected: ConnectedThreshold?
    var showProgress = true
    var scenarioPath: String?

    static let usage = """
        Usage: chorus-load [options]

        Starts synthetic WebRTC participants against a Chorus node, shows progress, prints a summary and
        exits with status 1 when a threshold is missed (2 for invalid options).

          --scenario FILE          JSON file whose keys set defaults for the options below, such as
                                   {"rooms": 2, "publishers": 3, "duration": "15s"}
          --url URL                server base URL (default http://127.0.0.1:7880)
          --api-key KEY            API key that signs the access tokens (default devkey)
          --api-secret SECRET      its secret (default devsecret)
          --rooms N                rooms (default 1)
          --publishers P           publishers per room, sending audio and video (default 1)
          --subscribers S          receive-only participants per room (default 0)
          --no-publisher-subscribe publishers do not receive each other
          --duration TIME          media time after everyone joined: 90s, 2m (default 60s)
          --video-bitrate RATE     video bitrate per publisher: 1500k, 2M (default 1500k)
          --fps N                  video frames per second (default 30)
          --keyframe-interval TIME time between periodic keyframes (default 3s)
          --no-audio, --no-video   publish only video, or only audio
          --simulcast              three video layers by rid at 1/16, 1/4 and 1 of the bitrate
          --dependency-descriptor  add the AV1 dependency descriptor extension to video
          --e2ee                   XOR payloads after the measurement header, a stand-in for SFrame
          --mode conference|whip   join by WebSocket signaling (default), or WHIP and WHEP
          --join-rate N            participants started per second (default 20)
          --connect-timeout TIME   how long joining may take before media time starts (default 30s)
          --threads N              media threads (default: processors, at most 4)
          --room-prefix NAME       room names are NAME-RUNID-1, NAME-RUNID-2, ... (default load)
          --report FILE            write the JSON report to FILE
          --plots DIR              write timeline.tsv and PNG plots (with gnuplot) to DIR
          --plot-script FILE       gnuplot script (default loadtest/plot.gnuplot)
          --max-loss PERCENT       fail when RTP loss exceeds this: 1%
          --max-latency-p99 TIME   fail when the 99th percentile latency exceeds this: 200ms
          --min-connected N|P%     fail when fewer participants connected: 290 or 95%
          --no-progress            print no progress line
          --help                   show this text
        """

    /// Options that take no value on the command line, with the value they set.
    private static let flags: [String: (name: String, value: String)] = [
        "--simulcast": ("simulcast", "true"),
        "--e2ee": ("e2ee", "true"),
        "--dependency-descriptor": ("dependency-descriptor", "true"),
        "--no-audio": ("audio", "false"),
        "--no-video": ("video", "false"),
        "--no-publisher-subscribe": ("publishers-subscribe", "false"),
        "--no-progress": ("progress", "false"),
    ]

    /// Parses the command line, reading the scenario file first when one is named.
    static func parse(_ arguments: [String]) throws -> LoadOptions {
        var pairs: [(String, String)] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if let flag = flags[argument] {
                pairs.append(flag)
                continue
            }
            guard argument.hasPrefix("--"), argument.count > 2 else {
                throw OptionError("unexpected argument \(argument); options start with --, see --help")
            }
            var name = String(argument.dropFirst(2))
            var value: String
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            } else {
                guard index < arguments.count else { throw OptionError("\(argument) needs a value; see --help") }
                value = arguments[index]
                index += 1
            }
            pairs.append((name, value))
        }

        var options = LoadOptions()
        if let scenario = pairs.last(where: { $0.0 == "scenario" })?.1 {
            options.scenarioPath = scenario
            for (name, value) in try scenarioPairs(path: scenario) {
                try options.apply(name, value, source: "scenario \(scenario)")
            }
        }
        for (name, value) in pairs where name != "scenario" {
            try options.apply(name, value, source: "command line")
        }
        try options.validate()
        return options
    }

    /// Reads a scenario file: a JSON object whose keys are option names in camel case (`videoBitrate`) or as on
    /// the command line (`video-bitrate`), with strings, numbers or booleans as values.
    static func scenarioPairs(path: String) throws -> [(String, String)] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw OptionError("cannot read scenario file \(path)")
        }
        let object: [String: ScenarioValue]
        do {
            object = try JSONDecoder().decode([String: ScenarioValue].self, from: data)
        } catch {
            throw OptionError("scenario file \(path) is not a JSON object of strings, numbers and booleans")
        }
        return object.keys.sorted().filter { $0 != "description" && !$0.hasPrefix("_") }.map { key in
            (kebabCase(key), object[key]!.text)
        }
    }

    private static func kebabCase(_ name: String) -> String {
        var result = ""
        for character in name {
            if character.isUppercase {
                result += "-" + character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }

    private mutating func apply(_ name: String, _ value: String, source: String) throws {
        func fail(_ expected: String) -> OptionError {
            OptionError("\(source): --\(name) must be \(expected), got \(value)")
        }
        func integer(_ range: ClosedRange<Int>) throws -> Int {
            guard let number = Int(value), range.contains(number) else {
                throw fail("a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return number
        }
        func boolean() throws -> Bool {
            switch value.lowercased() {
            case "true", "yes", "1": return true
            case "false", "no", "0": return false
            default: throw fail("true or false")
            }
        }
        func seconds() throws -> Double {
            guard let parsed = Units.seconds(value), parsed > 0 else { throw fail("a duration such as 90s or 2m") }
            return parsed
        }

        switch name {
        case "url": url = value
        case "api-key": apiKey = value
        case "api-secret": apiSecret = value
        case "rooms": rooms = try integer(1...10_000)
        case "publishers": publishers = try integer(0...10_000)
        case "subscribers": subscribers = try integer(0...100_000)
        case "publishers-subscribe": publishersSubscribe = try boolean()
        case "duration": durationSeconds = try seconds()
        case "video-bitrate":
            guard let bitrate = Units.bitrate(value), bitrate >= 16_000 else { throw fail("a bitrate such as 1500k") }
            videoBitrate = bitrate
        case "fps": framesPerSecond = try integer(1...120)
        case "keyframe-interval": keyframeIntervalSeconds = try seconds()
        case "audio": audio = try boolean()
        case "video": video = try boolean()
        case "simulcast": simulcast = try boolean()
        case "e2ee": e2ee = try boolean()
        case "dependency-descriptor": dependencyDescriptor = try boolean()
        case "mode":
            guard let parsed = JoinMode(rawValue: value) else { throw fail("conference or whip") }
            mode = parsed
        case "join-rate":
            guard let rate = Double(value), rate > 0 else { throw fail("a positive number of participants a second") }
            joinRate = rate
        case "connect-timeout": connectTimeoutSeconds = try seconds()
        case "threads": threads = try integer(1...64)
        case "room-prefix": roomPrefix = value
        case "report": reportPath = value
        case "plots": plotsDirectory = value
        case "plot-script": plotScript = value
        case "max-loss":
            guard let percent = Units.percent(value) else { throw fail("a percentage such as 1%") }
            maxLossPercent = percent
        case "max-latency-p99":
            guard let latency = Units.seconds(value, bareUnit: 0.001) else { throw fail("a duration such as 200ms") }
            maxLatencyP99Milliseconds = latency * 1000
        case "min-connected":
            if value.hasSuffix("%"), let percent = Units.percent(value) {
                minConnected = .percent(percent)
            } else if let count = Int(value), count >= 0 {
                minConnected = .count(count)
            } else {
                throw fail("a count such as 290 or a percentage such as 95%")
            }
        case "progress": showProgress = try boolean()
        default:
            throw OptionError("\(source): unknown option --\(name); see --help")
        }
    }

    private func validate() throws {
        guard ClientURL(url) != nil else {
            throw OptionError("--url must be an http:// URL such as http://127.0.0.1:7880, got \(url)")
        }
        guard publishers + subscribers > 0 else { throw OptionError("--publishers and --subscribers are both 0") }
        guard audio || video else { throw OptionError("--no-audio and --no-video leave nothing to publish") }
        if mode == .whip, subscribers > 0, publishers == 0 {
            throw OptionError("--mode whip needs at least one publisher per room for WHEP subscribers to receive")
        }
    }

    var participantsPerRoom: Int { publishers + subscribers }
    var totalParticipants: Int { rooms * participantsPerRoom }
}

/// A value of a scenario file, kept as the text a command-line option would carry.
private struct ScenarioValue: Decodable {
    var text: String

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            text = flag ? "true" : "false"
        } else if let number = try? container.decode(Int.self) {
            text = String(number)
        } else if let number = try? container.decode(Double.self) {
            text = String(number)
        } else {
            text = try container.decode(String.self)
        }
    }
}
