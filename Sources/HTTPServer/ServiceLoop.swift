import CWebSockets
import Foundation

/// Owner of the lws_context and of everything its service thread touches.
///
/// Thread rules: after `run()` starts, the context, `connections`, `sockets` and `timers` are used only on the
/// service thread, inside libwebsockets callbacks or posted work. The members under `lock` (posted work, the
/// WebSocket routes, the stop flag) are the only state other threads touch. Before `run()` the creating
/// thread owns everything.
final class ServiceLoop: @unchecked Sendable {
    let handler: (HTTPRequest) -> HTTPResponse
    let maxBodyBytes: Int

    private(set) var context: OpaquePointer?
    var connections: [OpaquePointer: HTTPConnection] = [:]
    var sockets: [OpaquePointer: WebSocketConnection] = [:]
    private var timers = TimerQueue()
    /// Set once `stopGracefully` has asked every WebSocket to close. The loop stops when the last one has closed.
    var isDraining = false
    /// Set while lws_context_destroy closes the remaining connections.
    private(set) var isShuttingDown = false
    private var interfaceName: UnsafeMutablePointer<CChar>?

    /// An lws_sorted_usec_list_t followed by an unretained pointer back to this loop, so that the C timer
    /// callback, which receives only the list element, can find the loop.
    private let timerEvent: UnsafeMutableRawPointer

    private let lock = NSLock()
    private var postedWork: [() -> Void] = []
    private var wakeContext: OpaquePointer?
    private var serviceThread: pthread_t?
    private var stopRequested = false
    private var webSocketRoutes: [WebSocketRoute] = []

    init(maxBodyBytes: Int, handler: @escaping (HTTPRequest) -> HTTPResponse) {
        self.handler = handler
        self.maxBodyBytes = maxBodyBytes
        let eventSize = MemoryLayout<lws_sorted_usec_list_t>.stride
        timerEvent = UnsafeMutableRawPointer.allocate(
            byteCount: eventSize + MemoryLayout<UnsafeRawPointer>.stride,
            alignment: max(MemoryLayout<lws_sorted_usec_list_t>.alignment, MemoryLayout<UnsafeRawPointer>.alignment))
        timerEvent.initializeMemory(as: UInt8.self, repeating: 0, count: eventSize)
        timerEvent.storeBytes(
            of: UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque()), toByteOffset: eventSize,
            as: UnsafeRawPointer.self)
    }

    deinit {
        precondition(context == nil, "ServiceLoop released while its lws_context is alive")
        timerEvent.deallocate()
    }

    /// Creates the context and the listening vhost. Returns the bound port, which differs from `port` when
    /// `port` is 0.
    func open(host: String, port: Int) throws(HTTPServerError) -> Int {
        _ = ServerLog.installLibraryHook
        guard (0...65535).contains(port) else { throw .invalidPort(port) }

        var contextInfo = lws_context_creation_info()
        contextInfo.options = UInt64(LWS_SERVER_OPTION_EXPLICIT_VHOSTS)
        contextInfo.gid = -1
        contextInfo.uid = -1
        contextInfo.user = Unmanaged.passUnretained(self).toOpaque()
        // The default of 1024 bytes for all headers of a request is too small for a bearer token plus the
        // headers browsers send.
        contextInfo.max_http_header_data = 8192
        guard let context = lws_create_context(&contextInfo) else { throw .contextCreationFailed }

        // libwebsockets listens on every interface when iface is nil, as for an empty host or a wildcard address.
        let isWildcard = host.isEmpty || host == "0.0.0.0" || host == "::"
        // libwebsockets takes an address or interface name but does not resolve host names.
        let interface = host == "localhost" ? "127.0.0.1" : host
        interfaceName = isWildcard ? nil : strdup(interface)
        var vhostInfo = lws_context_creation_info()
        vhostInfo.port = Int32(port)
        vhostInfo.iface = UnsafePointer(interfaceName)
        vhostInfo.protocols = UnsafePointer(Self.protocols)
        vhostInfo.vhost_name = UnsafePointer(Self.vhostName)
        vhostInfo.keepalive_timeout = 10
        vhostInfo.retry_and_idle_policy = UnsafePointer(Self.idlePolicy)
        vhostInfo.options =
            UInt64(LWS_SERVER_OPTION_FAIL_UPON_UNABLE_TO_BIND) | UInt64(LWS_SERVER_OPTION_VALIDATE_UTF8)
            | (host.contains(":") ? 0 : UInt64(LWS_SERVER_OPTION_DISABLE_IPV6))

        guard let vhost = lws_create_vhost(context, &vhostInfo) else {
            lws_context_destroy(context)
            free(interfaceName)
            interfaceName = nil
            throw .listenFailed(host: host, port: port, reason: BindProbe.reason(host: host, port: port))
        }

        self.context = context
        lock.withLock { wakeContext = context }
        return Int(lws_get_vhost_listen_port(vhost))
    }

    /// Services the context on the calling thread until `requestStop`, then destroys the context on it.
    func run() {
        lock.withLock { serviceThread = pthread_self() }
        while !lock.withLock({ stopRequested }) {
            guard let context, lws_service(context, 0) >= 0 else {
                ServerLog.error("libwebsockets service failed, so the HTTP server stops")
                break
            }
            drainPostedWork()
        }
        close()
        // A later thread may get the same pthread_t, which must not count as the service thread.
        lock.withLock { serviceThread = nil }
    }

    /// Makes `run` return after its current iteration. Safe to call from any thread.
    func requestStop() {
        lock.withLock {
            stopRequested = true
            if let wakeContext { lws_cancel_service(wakeContext) }
        }
    }

    /// Sends close 1001 to every open WebSocket, then stops once all have closed or `graceMilliseconds` passed.
    /// Without this, lws_context_destroy drops the connections without close frames.
    func stopGracefully(graceMilliseconds: Int) {
        post { [self] in
            isDraining = true
            for socket in sockets.values {
                socket.requestClose(code: WebSocketCloseCode.goingAway, reason: "server stopping")
            }
            if sockets.isEmpty {
                requestStop()
                return
            }
            addTimer(deadline: TimerQueue.monotonicNow() + UInt64(graceMilliseconds) * 1_000_000) { [self] in
                requestStop()
            }
        }
    }

    /// Destroys the context. Called on the service thread when it stops, or by the owner if it never started.
    /// Connection close callbacks run during lws_context_destroy, on the calling thread.
    func close() {
        // Dropped closures are released after the lock, because releasing one may run a deinit that posts.
        let droppedWork = lock.withLock {
            wakeContext = nil
            let work = postedWork
            postedWork.removeAll()
            return work
        }
        _ = droppedWork
        guard let context else { return }
        lws_sul_cancel(timerEvent.assumingMemoryBound(to: lws_sorted_usec_list_t.self))
        timers.removeAll()
        isShuttingDown = true
        lws_context_destroy(context)
        self.context = nil
        free(interfaceName)
        interfaceName = nil
    }

    // MARK: - Work from other threads

    /// Queues `work` for the service thread and wakes it. Work posted after the server stops is dropped.
    func post(_ work: @escaping () -> Void) {
        lock.withLock {
            guard let wakeContext else { return }
            postedWork.append(work)
            lws_cancel_service(wakeContext)
        }
    }

    /// Runs `work` now when called on the service thread, or posts it otherwise.
    func runOnServiceThread(_ work: @escaping () -> Void) {
        if isServiceThread {
            work()
        } else {
            post(work)
        }
    }

    var isServiceThread: Bool {
        guard let thread = lock.withLock({ serviceThread }) else { return false }
        return pthread_equal(thread, pthread_self()) != 0
    }

    func drainPostedWork() {
        let work = lock.withLock {
            let work = postedWork
            postedWork.removeAll()
            return work
        }
        for item in work {
            item()
        }
    }

    func addWebSocketRoute(_ route: WebSocketRoute) {
        lock.withLock { webSocketRoutes.append(route) }
    }

    /// Returns the first route whose path prefix matches `path` at a segment boundary.
    func webSocketRoute(for path: String) -> WebSocketRoute? {
        lock.withLock { webSocketRoutes.first { $0.matches(path) } }
    }

    // MARK: - Timers

    /// Adds a timer. Must run on the service thread, or before it starts.
    func addTimer(deadline: UInt64, _ work: @escaping () -> Void) {
        timers.insert(deadline: deadline, work)
        armTimer()
    }

    private func armTimer() {
        let event = timerEvent.assumingMemoryBound(to: lws_sorted_usec_list_t.self)
        guard let context, let deadline = timers.earliestDeadline else {
            lws_sul_cancel(event)
            return
        }
        let now = TimerQueue.monotonicNow()
        let delayMicroseconds = deadline > now ? (deadline - now + 999) / 1000 : 0
        lws_sul_schedule(context, 0, event, Self.timerCallback, lws_usec_t(delayMicroseconds))
    }

    private func runDueTimers() {
        for work in timers.removeDue(now: TimerQueue.monotonicNow()) {
            work()
        }
        armTimer()
    }

    private static let timerCallback: sul_cb_t = { event in
        guard let event else { return }
        let loopPointer = UnsafeRawPointer(event).load(
            fromByteOffset: MemoryLayout<lws_sorted_usec_list_t>.stride, as: UnsafeRawPointer.self)
        Unmanaged<ServiceLoop>.fromOpaque(loopPointer).takeUnretainedValue().runDueTimers()
    }

    // MARK: - libwebsockets tables

    private static let vhostName = strdup("chorus")!

    /// The single protocol: it serves plain HTTP and every WebSocket route. libwebsockets keeps this pointer
    /// for the life of each context, so the table is never freed.
    private static let protocols: UnsafeMutablePointer<lws_protocols> = {
        let table = UnsafeMutablePointer<lws_protocols>.allocate(capacity: 2)
        table.initialize(repeating: lws_protocols(), count: 2)
        table[0].name = UnsafePointer(strdup("chorus"))
        table[0].callback = serviceCallback
        return table
    }()

    /// WebSocket liveness: a ping after 30 s without traffic, and a hang-up after 60 s.
    private static let idlePolicy: UnsafeMutablePointer<lws_retry_bo_t> = {
        let policy = UnsafeMutablePointer<lws_retry_bo_t>.allocate(capacity: 1)
        policy.initialize(to: lws_retry_bo_t())
        policy.pointee.secs_since_valid_ping = 30
        policy.pointee.secs_since_valid_hangup = 60
        return policy
    }()
}

/// Dispatches every libwebsockets event to the loop, found through the context's user pointer.
private func serviceCallback(
    _ wsi: OpaquePointer?, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
    _ input: UnsafeMutableRawPointer?, _ length: Int
) -> Int32 {
    guard let wsi, let context = lws_get_context(wsi), let loopPointer = lws_context_user(context) else { return 0 }
    let loop = Unmanaged<ServiceLoop>.fromOpaque(loopPointer).takeUnretainedValue()
    return loop.handleCallback(wsi, reason, input, length)
}

extension ServiceLoop {
    func handleCallback(
        _ wsi: OpaquePointer, _ reason: lws_callback_reasons, _ input: UnsafeMutableRawPointer?, _ length: Int
    ) -> Int32 {
        let bytes = UnsafeRawBufferPointer(start: input, count: input == nil ? 0 : length)
        switch reason {
        case LWS_CALLBACK_HTTP:
            return httpRequestStarted(wsi)
        case LWS_CALLBACK_HTTP_BODY:
            return httpBodyReceived(wsi, bytes)
        case LWS_CALLBACK_HTTP_BODY_COMPLETION:
            return httpBodyCompleted(wsi)
        case LWS_CALLBACK_HTTP_WRITEABLE:
            return httpWriteable(wsi)
        case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
            return webSocketFilter(wsi)
        case LWS_CALLBACK_ESTABLISHED:
            return webSocketEstablished(wsi)
        case LWS_CALLBACK_RECEIVE:
            return webSocketReceived(wsi, bytes)
        case LWS_CALLBACK_SERVER_WRITEABLE:
            return webSocketWriteable(wsi)
        case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
            webSocketPeerClosing(wsi, bytes)
            return 0
        case LWS_CALLBACK_CLOSED:
            webSocketClosed(wsi)
            return 0
        case LWS_CALLBACK_WSI_DESTROY:
            connections[wsi] = nil
            webSocketClosed(wsi)
            return 0
        case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
            drainPostedWork()
            return 0
        default:
            return 0
        }
    }
}
