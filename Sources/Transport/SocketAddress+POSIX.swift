#if canImport(Glibc)
import Glibc
#endif
import Wire

extension SocketAddress {
    /// Converts a `sockaddr_storage` filled in by the kernel; returns nil for families other than IPv4 and IPv6.
    public init?(storage: UnsafePointer<sockaddr_storage>) {
        switch Int32(storage.pointee.ss_family) {
        case AF_INET:
            let value = UnsafeRawPointer(storage).load(as: sockaddr_in.self)
            self = .v4(address: UInt32(bigEndian: value.sin_addr.s_addr), port: UInt16(bigEndian: value.sin_port))
        case AF_INET6:
            let value = UnsafeRawPointer(storage).load(as: sockaddr_in6.self)
            let bytes = withUnsafeBytes(of: value.sin6_addr) { Array($0) }
            self = .v6(address: IPv6Bytes(bytes), port: UInt16(bigEndian: value.sin6_port))
        default:
            return nil
        }
    }

    /// Writes this address into `storage` and returns the length to pass to the kernel.
    public func write(to storage: UnsafeMutablePointer<sockaddr_storage>) -> socklen_t {
        switch self {
        case .v4(let address, let port):
            var value = sockaddr_in()
            value.sin_family = sa_family_t(AF_INET)
            value.sin_port = port.bigEndian
            value.sin_addr.s_addr = address.bigEndian
            UnsafeMutableRawPointer(storage).storeBytes(of: value, as: sockaddr_in.self)
            return socklen_t(MemoryLayout<sockaddr_in>.size)
        case .v6(let address, let port):
            var value = sockaddr_in6()
            value.sin6_family = sa_family_t(AF_INET6)
            value.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &value.sin6_addr) { raw in
                for index in 0..<16 { raw[index] = address[index] }
            }
            UnsafeMutableRawPointer(storage).storeBytes(of: value, as: sockaddr_in6.self)
            return socklen_t(MemoryLayout<sockaddr_in6>.size)
        }
    }
}

/// A failed system call, with the call's name and `errno`.
public struct SystemError: Error, CustomStringConvertible {
    public let call: String
    public let errno: Int32

    public init(_ call: String, errno: Int32 = Glibc.errno) {
        self.call = call
        self.errno = errno
    }

    public var description: String {
        "\(call) failed: \(String(cString: strerror(errno))) (errno \(errno))"
    }
}
