/// Parsers for the units options use.
enum Units {
    /// Parses `500ms`, `90s`, `2m`, `1h`; a bare number is in `bareUnit` seconds.
    static func seconds(_ text: String, bareUnit: Double = 1) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            guard let number = Double(text.dropLast(suffix.count)), number >= 0 else { return nil }
            return number * factor
        }
        guard let number = Double(text), number >= 0 else { return nil }
        return number * bareUnit
    }

    /// Parses `1500k`, `1.5M`, `800000`, in bits per second.
    static func bitrate(_ text: String) -> Int? {
        let factors: [Character: Double] = ["k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6, "g": 1e9, "G": 1e9]
        var number = Substring(text)
        var factor = 1.0
        if let last = number.last, let unit = factors[last] {
            factor = unit
            number = number.dropLast()
        }
        guard let value = Double(number), value > 0 else { return nil }
        return Int(value * factor)
    }

    /// Parses `1%` or `1` as one percent.
    static func percent(_ text: String) -> Double? {
        let number = text.hasSuffix("%") ? String(text.dropLast()) : text
        guard let value = Double(number), (0...100).contains(value) else { return nil }
        return value
    }
}
