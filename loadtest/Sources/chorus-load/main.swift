import Foundation

// Raise the descriptor limit: every participant holds one or two UDP sockets and a WebSocket.
var limit = rlimit()
if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max {
    limit.rlim_cur = limit.rlim_max
    _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
}
// A WebSocket whose peer went away must not kill the process with SIGPIPE.
signal(SIGPIPE, SIG_IGN)

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("--help") || arguments.contains("-h") {
    print(LoadOptions.usage)
    exit(0)
}

let options: LoadOptions
do {
    options = try LoadOptions.parse(arguments)
} catch {
    Log.error("\(error)")
    exit(2)
}

let data: RunData
do {
    data = try LoadRun(options: options).run()
} catch {
    Log.error("the run failed: \(error)")
    exit(1)
}

let report = RunReport(data)
report.printSummary()
if let path = options.reportPath {
    do {
        try report.write(to: path)
        print("report: \(path)")
    } catch {
        Log.error("cannot write the report to \(path): \(error)")
        exit(1)
    }
}
if let directory = options.plotsDirectory {
    do {
        let files = try Plots.write(data.timeline, to: directory, script: options.plotScript)
        print("plots: " + files.joined(separator: ", "))
    } catch {
        Log.warning("cannot write plots to \(directory): \(error)")
    }
}
exit(report.failures.isEmpty ? 0 : 1)
