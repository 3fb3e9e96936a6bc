import Foundation

/// An HTTP/1.1 and WebSocket server on libwebsockets 4.1, serviced by one dedicated thread.
///
/// That thread is the control-plane thread: the request handler, WebSocket handlers, posted work and timers
/// all run on it, one at a time, so code they share needs no locks. A handler must not block, because every
/// other connection waits while it runs.
///
/// Request bodies need a Content-Length (chunked uploads get 411) and may be at most `maxBodyBytes`. Larger
/// ones get 413 and the connection closes. Responses always carry a Content-Length, so keep-alive works.
///
/// The server can start and stop once. Create a new one to serve again.
public final class HTTPServer: @unchecked Sendable {
    /// The port the server listens on, chosen by the kernel when the initializer was given port 0.
    public let boundPort: Int

    private let loop: ServiceLoop
    private let lock = NSLock()
    private var state = State.created
    private let finished = DispatchSemaphore(value: 0)

    private enum State {
        case created
        case running
        case stopped
    }

    /// Binds `host:port` and prepares the server. No request is served before `start`.
    ///
    /// `host` is an IPv4 or IPv6 address, `localhost`, or an interface name. Empty, `0.0.0.0` and `::` listen on all
    /// interfaces. Throws `HTTPServerError.listenFailed` when the address cannot be bound, for example
    /// because another process is listening on the port.
    public init(
        host: String, port: Int, maxBodyBytes: Int = 1 << 20, handler: @escaping (HTTPRequest) -> HTTPResponse
    ) throws(HTTPServerError) {
        precondition(maxBodyBytes >= 0, "maxBodyBytes must not be negative")
        loop = ServiceLoop(maxBodyBytes: maxBodyBytes, handler: handler)
        boundPort = try loop.open(host: host, port: port)
    }

    deinit {
        stop()
    }

    /// Starts the service thread. Calling it again, or after `stop`, does nothing.
    public func start() {
        let shouldStart = lock.withLock {
            guard state == .created else { return false }
            state = .running
            return true
        }
        guard shouldStart else { return }

        let thread = Thread { [loop, finished] in
            loop.run()
            finished.signal()
        }
        thread.name = "chorus-control"
        thread.start()
    }

    /// Stops serving, closes every connection and waits for the service thread to end.
    ///
    /// Open WebSockets get close code 1001 and up to one second to reply. Handlers see their close during
    /// this call, on the service thread. Called on the service thread itself (from a handler, or by the last
    /// release of the server there), it returns at once and the thread stops soon after.
    public func stop() {
        let previous = lock.withLock {
            let previous = state
            state = .stopped
            return previous
        }
        switch previous {
        case .created:
            loop.close()
        case .running:
            loop.stopGracefully(graceMilliseconds: 1000)
            // Waiting on the service thread would deadlock, so that thread ends after the current callback.
            if !loop.isServiceThread {
                finished.wait()
            }
        case .stopped:
            break
        }
    }

    /// Runs `work` on the service thread soon, after the callback in progress. Safe to call from any thread.
    /// Work posted before `start` runs once the thread starts, and work posted after `stop` is dropped.
    public func post(_ work: @escaping () -> Void) {
        loop.post(work)
    }

    /// Runs `work` on the service thread once `milliseconds` have passed on the monotonic clock.
    /// Safe to call from any thread. Timers still pending at `stop` never run.
    public func schedule(after milliseconds: Int, _ work: @escaping () -> Void) {
        let delay = UInt64(max(milliseconds, 0)) * 1_000_000
        let deadline = TimerQueue.monotonicNow() + delay
        loop.runOnServiceThread { [loop] in
            loop.addTimer(deadline: deadline, work)
        }
    }

    /// Accepts WebSocket upgrades for `path` and the paths below it (`/ws` matches `/ws` and `/ws/room`).
    ///
    /// `accept` runs on the service thread with the upgrade request and returns nil to reject it, in which
    /// case the connection closes without an HTTP response. Text messages longer than `maxMessageBytes` close
    /// the connection with 1009, binary messages with 1003. Routes are tried in the order they were added.
    public func onWebSocket(
        path: String, maxMessageBytes: Int = 64 << 10, accept: @escaping (HTTPRequest) -> WebSocketHandler?
    ) {
        loop.addWebSocketRoute(WebSocketRoute(pathPrefix: path, maxMessageBytes: maxMessageBytes, accept: accept))
    }

    /// Whether the caller runs on the service thread.
    public var isOnServiceThread: Bool {
        loop.isServiceThread
    }
}

public enum HTTPServerError: Error, Equatable, CustomStringConvertible {
    case invalidPort(Int)
    case contextCreationFailed
    case listenFailed(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case .invalidPort(let port):
            "HTTP port \(port) is out of range; use 0 to 65535."
        case .contextCreationFailed:
            "libwebsockets failed to create its context; its log lines above give the cause."
        case .listenFailed(let host, let port, let reason) where reason == String(cString: strerror(EADDRINUSE)):
            "Cannot listen for HTTP on \(host):\(port): \(reason). Choose another port or stop the process using it."
        case .listenFailed(let host, let port, let reason):
            "Cannot listen for HTTP on \(host):\(port): \(reason)."
        }
    }
}
