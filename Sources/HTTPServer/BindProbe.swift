import Foundation

/// Finds out why libwebsockets could not listen, because libwebsockets only logs the cause. Binds a socket to
/// the same address with SO_REUSEADDR, as libwebsockets does, and returns the errno text, such as
/// "Address already in use".
enum BindProbe {
    static func reason(host: String, port: Int) -> String {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = host.contains(":") ? AF_INET6 : AF_INET
        let isWildcard = host.isEmpty || host == "0.0.0.0" || host == "::"

        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(isWildcard ? nil : host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            return "\(host) is not a local address or interface libwebsockets could use"
        }
        defer { freeaddrinfo(list) }

        let descriptor = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard descriptor >= 0 else { return String(cString: strerror(errno)) }
        defer { Foundation.close(descriptor) }
        var enable: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &enable, socklen_t(MemoryLayout<Int32>.size))
        guard bind(descriptor, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            return String(cString: strerror(errno))
        }
        guard listen(descriptor, 1) == 0 else { return String(cString: strerror(errno)) }
        return "libwebsockets failed to bind it although a test bind succeeded, so check its log lines above"
    }
}
