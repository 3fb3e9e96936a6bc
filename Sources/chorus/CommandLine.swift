import Foundation

let chorusVersion = "0.1.0"

let usage = """
    Usage:
      chorus serve [--config FILE] [--dev] [--bind ADDRESS] [--http-port PORT] [--rtc-port PORT]
                   [--announce ADDRESS] [--web-root DIR]
          Runs a node. --dev binds to 127.0.0.1, uses API key devkey / secret devsecret,
          creates rooms on first join and keeps state in memory.
      chorus token --room ROOM --identity ID [--name NAME] [--publish] [--subscribe] [--admin]
                   [--create] [--list] [--ttl 1h] [--dev | --config FILE]
          Prints an access token signed with the configured API secret.
    """

struct CommandError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

/// Parses `--name value` and `--flag` options.
struct Options {
    private var values: [String: String] = [:]
    private var flags: Set<String> = []

    init(_ arguments: [String], flags knownFlags: Set<String>, values knownValues: Set<String>) throws {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if knownFlags.contains(argument) {
                flags.insert(argument)
                index += 1
            } else if knownValues.contains(argument) {
                guard index + 1 < arguments.count else { throw CommandError("\(argument) needs a value") }
                values[argument] = arguments[index + 1]
                index += 2
            } else {
                throw CommandError("unknown option \(argument); run chorus --help")
            }
        }
    }

    func flag(_ name: String) -> Bool { flags.contains(name) }
    func value(_ name: String) -> String? { values[name] }

    func port(_ name: String) throws -> UInt16? {
        guard let text = values[name] else { return nil }
        guard let port = UInt16(text) else { throw CommandError("\(name) must be a port number, got \(text)") }
        return port
    }
}

/// Parses durations such as `90s`, `30m`, `1h`, `2d`; a bare number is seconds.
func parseDuration(_ text: String) throws -> Int {
    let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
    var number = text
    var multiplier = 1
    if let last = text.last, let unit = units[last] {
        number = String(text.dropLast())
        multiplier = unit
    }
    let maxSeconds = 10 * 365 * 86400
    guard let value = Int(number), value > 0, value <= maxSeconds / multiplier else {
        throw CommandError("invalid duration \(text); use a number with s, m, h or d up to 10 years, such as 1h")
    }
    return value * multiplier
}
