/// The origin line, `o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>`
/// (RFC 8866 section 5.2). JSEP writes `-` as the username and a 63-bit random session id
/// (RFC 8829 section 5.2.1).
public struct Origin: Equatable, Hashable, Sendable {
    public var username: String
    public var sessionID: String
    public var sessionVersion: String
    public var networkType: String
    public var addressType: String
    public var address: String

    public init(
        username: String = "-", sessionID: String, sessionVersion: String = "2", networkType: String = "IN",
        addressType: String = "IP4", address: String = "127.0.0.1"
    ) {
        self.username = username
        self.sessionID = sessionID
        self.sessionVersion = sessionVersion
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
    }

    static func parse(_ text: String, line: Int?) throws -> Origin {
        let fields = text.sdpFields.map(String.init)
        guard fields.count == 6 else {
            throw SDPError(
                line: line,
                "o= must have 6 fields '<username> <sess-id> <sess-version> IN IP4 <address>', got '\(text.excerpt)'")
        }
        return Origin(
            username: fields[0], sessionID: fields[1], sessionVersion: fields[2], networkType: fields[3],
            addressType: fields[4], address: fields[5])
    }

    var text: String { "\(username) \(sessionID) \(sessionVersion) \(networkType) \(addressType) \(address)" }
}

/// The connection line, `c=<nettype> <addrtype> <connection-address>` (RFC 8866 section 5.7).
public struct Connection: Equatable, Hashable, Sendable {
    public var networkType: String
    public var addressType: String
    public var address: String

    public init(networkType: String = "IN", addressType: String = "IP4", address: String = "0.0.0.0") {
        self.networkType = networkType
        self.addressType = addressType
        self.address = address
    }

    static func parse(_ text: String, line: Int?) throws -> Connection {
        let fields = text.sdpFields.map(String.init)
        guard fields.count == 3 else {
            throw SDPError(line: line, "c= must be '<nettype> <addrtype> <address>', got '\(text.excerpt)'")
        }
        return Connection(networkType: fields[0], addressType: fields[1], address: fields[2])
    }

    var text: String { "\(networkType) \(addressType) \(address)" }
}

/// A bandwidth line, `b=<bwtype>:<bandwidth>` (RFC 8866 section 5.8), for example `b=AS:2500`
/// in kilobits per second or `b=TIAS:2500000` in bits per second (RFC 3890).
public struct Bandwidth: Equatable, Hashable, Sendable {
    public var type: String
    public var value: Int

    public init(type: String, value: Int) {
        self.type = type
        self.value = value
    }

    static func parse(_ text: String, line: Int?) throws -> Bandwidth {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else {
            throw SDPError(line: line, "b= must be '<bwtype>:<bandwidth>', got '\(text.excerpt)'")
        }
        guard let value = parseDecimal(parts[1].trimmedSDP, maximum: Int(UInt32.max) * 1000) else {
            throw SDPError(line: line, "bandwidth '\(parts[1].excerpt)' is not a non-negative number")
        }
        return Bandwidth(type: String(parts[0]), value: value)
    }

    var text: String { "\(type):\(value)" }
}

/// A line whose type the model has no field for, such as `i=`, `u=`, `e=`, `p=`, `r=`, `z=`
/// or `k=`, kept and written back unchanged.
public struct SDPLine: Equatable, Hashable, Sendable {
    public var type: Character
    public var value: String

    public init(type: Character, value: String) {
        self.type = type
        self.value = value
    }
}
