import Foundation

/// An HTTP/1.1 and WebSocket client on libwebsockets 4.1, serviced by one dedicated thread, for plain
/// `http://` and `ws://` URLs.
///
/// Completion handlers and WebSocket handlers run on that thread, one at a time, so code they share needs no
/// locks. They must not block, because every other connection waits while they run. Each HTTP request uses a
/// connection of its own, closed after the response.
///
/// The client can start and stop once. Stopping fails the requests still in flight with `.clientStopped` and
/// reports open WebSockets as closed with 1006.
public final class HTTPClient: @unchecked Sendable {
    /// Response bodies longer than this fail with `.responseTooLarge`.
    public let maxResponseBytes: Int

    private let loop = ClientServiceLoop()
    private let lock = NSLock()
    private var started = false
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)

    /// - Parameter timeoutSeconds: how long a connection may wait for the server at each step: connecting, the
    ///   response to a request or an upgrade. Must be positive.
    public init(maxResponseBytes: Int = 16 << 20, timeoutSeconds: Int = 60) throws(HTTPClientError) {
        precondition(timeoutSeconds > 0, "timeoutSeconds must be positive")
        self.maxResponseBytes = maxResponseBytes
        try loop.open(timeoutSeconds: timeoutSeconds)
    }

    deinit {
        stop()
    }

    /// Starts the service thread. Calling it again, or after `stop`, does nothing.
    public func start() {
        let shouldStart = lock.withLock {
            guard !started, !stopped else { return false }
            started = true
            return true
        }
        guard shouldStart else { return }
        let thread = Thread { [loop, finished] in
            loop.run()
            finished.signal()
        }
        thread.name = "chorus-http-client"
        thread.start()
    }

    /// Stops the service thread and waits for it to end, unless called on that thread.
    public func stop() {
        let (wasStarted, wasStopped) = lock.withLock {
            let previous = (started, stopped)
            stopped = true
            return previous
        }
        guard !wasStopped else { return }
        guard wasStarted else {
            loop.close()
            return
        }
        loop.requestStop()
        if !loop.isServiceThread {
            finished.wait()
        }
    }

    /// Sends `request` and calls `completion` on the service thread with the response, whatever its status.
    public func send(
        _ request: HTTPClientRequest, completion: @escaping (Result<HTTPResponse, HTTPClientError>) -> Void
    ) {
        let transaction = HTTPClientTransaction(
            request: request, maxResponseBytes: maxResponseBytes, completion: completion)
        let posted = loop.post { [loop] in
            loop.connect(transaction, url: request.url, method: request.method, strings: transaction.strings)
        }
        if !posted { completion(.failure(.clientStopped)) }
    }

    /// Sends `request` and waits up to `timeout` seconds for the response. Must not run on the service thread.
    public func sendAndWait(_ request: HTTPClientRequest, timeout: Double) -> Result<HTTPResponse, HTTPClientError> {
        precondition(!loop.isServiceThread, "sendAndWait would block the HTTP client's own service thread")
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox()
        send(request) { result in
            box.result = result
            done.signal()
        }
        guard done.wait(timeout: .now() + timeout) == .success, let result = box.result else {
            return .failure(.connectionFailed("no response within \(timeout) s"))
        }
        return result
    }

    /// Opens a WebSocket to `url` (path and query included). Events go to `handler` on the service thread;
    /// a failed handshake is reported as a close with 1006.
    public func webSocket(
        _ url: ClientURL, maxMessageBytes: Int = 1 << 20, handler: WebSocketClientHandler
    ) -> WebSocketClient {
        let socket = WebSocketClient(url: url, maxMessageBytes: maxMessageBytes, client: self, handler: handler)
        let posted = loop.post { [loop] in
            loop.connect(socket, url: url, method: nil, strings: socket.strings)
        }
        if !posted { socket.abandon(.clientStopped) }
        return socket
    }

    /// Runs `work` on the service thread soon. Safe to call from any thread; work posted after `stop` is dropped.
    public func post(_ work: @escaping () -> Void) {
        loop.post(work)
    }

    /// Runs `work` now when called on the service thread, or posts it otherwise.
    public func runOnServiceThread(_ work: @escaping () -> Void) {
        if loop.isServiceThread {
            work()
        } else {
            loop.post(work)
        }
    }

    /// Whether the caller runs on the service thread.
    public var isOnServiceThread: Bool {
        loop.isServiceThread
    }
}

/// Carries a result from the service thread to a waiting thread; the semaphore orders the accesses.
private final class ResultBox: @unchecked Sendable {
    var result: Result<HTTPResponse, HTTPClientError>?
}
