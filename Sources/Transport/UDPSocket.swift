#if canImport(Glibc)
import Glibc
#endif
import Wire

/// A non-blocking UDP socket bound to one address, owned by one event loop.
public final class UDPSocket {
    public let fileDescriptor: Int32
    public let localAddress: SocketAddress

    public init(bindTo address: SocketAddress, bufferBytes: Int32 = 4 << 20) throws {
        let family: Int32
        if case .v6 = address { family = AF_INET6 } else { family = AF_INET }
        let fd = socket(family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError("socket") }
        var size = bufferBytes
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))

        var storage = sockaddr_storage()
        let length = address.write(to: &storage)
        let status = withUnsafePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard status == 0 else {
            let error = SystemError("bind \(address)")
            close(fd)
            throw error
        }

        var bound = sockaddr_storage()
        var boundLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &boundLength) }
        }
        fileDescriptor = fd
        localAddress = SocketAddress(storage: &bound) ?? address
    }

    deinit {
        close(fileDescriptor)
    }
}
