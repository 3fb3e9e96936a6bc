import Foundation

/// Writes the timeline as tab-separated values and renders PNG plots of it with gnuplot.
enum Plots {
    /// Writes `timeline.tsv` into `directory` and runs `script` on it; returns the files written.
    static func write(_ timeline: [TimelinePoint], to directory: String, script explicitScript: String?) throws
        -> [String]
    {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let dataPath = (directory as NSString).appendingPathComponent("timeline.tsv")
        var text =
            "seconds\tconnected\tbitrate_out_kbps\tbitrate_in_kbps\tloss_percent\tlatency_p50_ms\tlatency_p99_ms\n"
        // The drain point covers only the last packets in flight, too few for meaningful rates.
        for point in timeline where point.phase != "drain" {
            let p50 = point.latencyP50Milliseconds.map { String(format: "%.3f", $0) } ?? "NaN"
            let p99 = point.latencyP99Milliseconds.map { String(format: "%.3f", $0) } ?? "NaN"
            text += String(
                format: "%.3f\t%d\t%.1f\t%.1f\t%.4f\t%@\t%@\n", point.seconds, point.connected, point.bitrateOutKbps,
                point.bitrateInKbps, point.lossPercent, p50, p99)
        }
        try text.write(toFile: dataPath, atomically: true, encoding: .utf8)

        guard let script = explicitScript ?? defaultScript() else {
            Log.warning("loadtest/plot.gnuplot not found; pass --plot-script to render PNG plots")
            return [dataPath]
        }
        guard let gnuplot = executable(named: "gnuplot") else {
            Log.warning("gnuplot is not installed (Debian package gnuplot-nox), so only \(dataPath) was written")
            return [dataPath]
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: gnuplot)
        process.arguments = ["-e", "datafile='\(dataPath)'; outdir='\(directory)'", script]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            Log.warning("gnuplot exited with status \(process.terminationStatus) on \(script)")
            return [dataPath]
        }
        return [dataPath]
            + ["bitrate.png", "latency.png", "loss.png"].map {
                (directory as NSString).appendingPathComponent($0)
            }
    }

    /// Looks for loadtest/plot.gnuplot under the working directory, then under the repository that contains the
    /// executable (`.build/release/chorus-load` sits two or three levels below it).
    private static func defaultScript() -> String? {
        var candidates = ["loadtest/plot.gnuplot"]
        let executable = URL(fileURLWithPath: CommandLine.arguments[0])
        for url in [executable, executable.resolvingSymlinksInPath()] {
            var directory = url.deletingLastPathComponent()
            for _ in 0..<4 {
                directory = directory.deletingLastPathComponent()
                candidates.append(directory.appendingPathComponent("loadtest/plot.gnuplot").path)
            }
        }
        return candidates.first { FileManager.default.isReadableFile(atPath: $0) }
    }

    private static func executable(named name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
