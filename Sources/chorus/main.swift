import Foundation

// Entry point: `chorus serve` runs a node, `chorus token` prints an access token.
let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "serve" where arguments.contains("--help") || arguments.contains("-h"),
        "token" where arguments.contains("--help") || arguments.contains("-h"):
        print(usage)
    case "serve":
        try runServe(Array(arguments.dropFirst()))
    case "token":
        try runToken(Array(arguments.dropFirst()))
    case "-h", "--help", "help", nil:
        print(usage)
    case "--version", "version":
        print("chorus \(chorusVersion)")
    default:
        throw CommandError("unknown command \(arguments[0]); run chorus --help")
    }
} catch let error as CommandError {
    FileHandle.standardError.write("chorus: \(error.message)\n".data(using: .utf8)!)
    exit(2)
} catch {
    FileHandle.standardError.write("chorus: \(error)\n".data(using: .utf8)!)
    exit(1)
}
