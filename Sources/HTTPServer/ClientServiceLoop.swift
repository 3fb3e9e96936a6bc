import CWebSockets
import Foundation

/// One outgoing connection of an `HTTPClient`, driven by the libwebsockets callbacks of its wsi.
protocol ClientConnection: AnyObject {
    /// Handles one callback on the service thread; nonzero closes the connection.
    func handleCallback(
        _ wsi: OpaquePointer, _ reason: lws_callback_reasons, _ input: UnsafeMutableRawPointer?, _ length: Int
    ) -> Int32
    /// Reports that the connection could not start or that the client stopped with it still open.
    func abandon(_ error: HTTPClientError)
}

/// Owner of the client lws_context and of everything its service thread touches.
///
/// Thread rules match `ServiceLoop`: after `run()` starts, the context and `connections` are used only on the
/// service thread. Posted work and the stop flag, under `lock`, are the only state other threads touch.
final class ClientServiceLoop: @unchecked Sendable {
    private(set) var context: OpaquePointer?
    /// Connections by the id stored as each wsi's opaque user data. An id, unlike the wsi pointer, is known
    /// before lws_client_connect_via_info returns, and that call may already report a connection error.
    private var connections: [Int: ClientConnection] = [:]
    private var nextConnectionID = 1

    private let lock = NSLock()
    private var postedWork: [() -> Void] = []
    private var wakeContext: OpaquePointer?
    private var serviceThread: pthread_t?
    private var stopRequested = false

    deinit {
        precondition(context == nil, "ClientServiceLoop released while its lws_context is alive")
    }

    /// Creates a context that listens nowhere and serves only client connections. `timeoutSeconds` bounds each
    /// network round trip libwebsockets waits for, such as the server's response to a connection or an upgrade.
    func open(timeoutSeconds: Int) throws(HTTPClientError) {
        _ = ServerLog.installLibraryHook
        var info = lws_context_creation_info()
        info.port = CONTEXT_PORT_NO_LISTEN
        info.protocols = UnsafePointer(Self.protocols)
        info.gid = -1
        info.uid = -1
        info.user = Unmanaged.passUnretained(self).toOpaque()
        // Response headers such as a long Location or a bearer token in the request need more than the
        // 1024-byte default.
        info.max_http_header_data = 8192
        // The default of 20 s is too short for a server that queues many upgrades at once under load.
        info.timeout_secs = UInt32(clamping: timeoutSeconds)
        info.connect_timeout_secs = UInt32(clamping: timeoutSeconds)
        guard let context = lws_create_context(&info) else { throw .contextCreationFailed }
        self.context = context
        lock.withLock { wakeContext = context }
    }

    /// Services the context on the calling thread until `requestStop`, then destroys the context on it.
    func run() {
        lock.withLock { serviceThread = pthread_self() }
        while !lock.withLock({ stopRequested }) {
            guard let context, lws_service(context, 0) >= 0 else {
                ServerLog.error("libwebsockets client service failed, so the HTTP client stops")
                break
            }
            drainPostedWork()
        }
        close()
        lock.withLock { serviceThread = nil }
    }

    func requestStop() {
        lock.withLock {
            stopRequested = true
            if let wakeContext { lws_cancel_service(wakeContext) }
        }
    }

    /// Reports every open connection as stopped and destroys the context.
    func close() {
        let droppedWork = lock.withLock {
            wakeContext = nil
            let work = postedWork
            postedWork.removeAll()
            return work
        }
        _ = droppedWork
        let open = connections.values.map { $0 }
        connections.removeAll()
        for connection in open {
            connection.abandon(.clientStopped)
        }
        guard let context else { return }
        lws_context_destroy(context)
        self.context = nil
    }

    // MARK: - Work from other threads

    /// Queues `work` for the service thread and wakes it. Returns false, dropping the work, once the client
    /// has stopped.
    @discardableResult
    func post(_ work: @escaping () -> Void) -> Bool {
        lock.withLock {
            guard let wakeContext else { return false }
            postedWork.append(work)
            lws_cancel_service(wakeContext)
            return true
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

    // MARK: - Connections

    /// Starts a connection to `url`: an HTTP request with `method`, or a WebSocket upgrade when `method` is nil.
    /// Runs on the service thread. A failure to start is reported through `connection.abandon`.
    func connect(_ connection: ClientConnection, url: ClientURL, method: String?, strings: CStringStore) {
        guard let context else {
            connection.abandon(.clientStopped)
            return
        }
        let id = nextConnectionID
        nextConnectionID += 1
        connections[id] = connection

        var info = lws_client_connect_info()
        info.context = context
        info.address = strings.add(url.host)
        info.port = Int32(url.port)
        info.path = strings.add(url.pathAndQuery)
        info.host = strings.add(url.hostHeader)
        info.origin = strings.add(url.hostHeader)
        info.method = method.map { strings.add($0) }
        info.local_protocol_name = UnsafePointer(Self.protocolName)
        info.ssl_connection = Int32(LCCSCF_HTTP_NO_FOLLOW_REDIRECT.rawValue)
        info.opaque_user_data = UnsafeMutableRawPointer(bitPattern: id)
        guard lws_client_connect_via_info(&info) != nil else {
            // libwebsockets may have reported the failure through CLIENT_CONNECTION_ERROR already.
            if let failed = connections.removeValue(forKey: id) {
                failed.abandon(.connectFailed("libwebsockets could not start a connection to \(url.hostHeader)"))
            }
            return
        }
    }

    func handleCallback(
        _ wsi: OpaquePointer, _ reason: lws_callback_reasons, _ input: UnsafeMutableRawPointer?, _ length: Int
    ) -> Int32 {
        if reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED {
            drainPostedWork()
            return 0
        }
        let id = Int(bitPattern: lws_get_opaque_user_data(wsi))
        guard id != 0, let connection = connections[id] else { return 0 }
        let result = connection.handleCallback(wsi, reason, input, length)
        if reason == LWS_CALLBACK_WSI_DESTROY || reason == LWS_CALLBACK_CLIENT_CONNECTION_ERROR {
            connections[id] = nil
        }
        return result
    }

    // MARK: - libwebsockets tables

    private static let protocolName = strdup("chorus-client")!

    /// The client protocol. libwebsockets keeps this pointer for the life of each context, so it is never freed.
    private static let protocols: UnsafeMutablePointer<lws_protocols> = {
        let table = UnsafeMutablePointer<lws_protocols>.allocate(capacity: 2)
        table.initialize(repeating: lws_protocols(), count: 2)
        table[0].name = UnsafePointer(protocolName)
        table[0].callback = clientCallback
        return table
    }()
}

/// Dispatches every libwebsockets event to the loop, found through the context's user pointer.
private func clientCallback(
    _ wsi: OpaquePointer?, _ reason: lws_callback_reasons, _ user: UnsafeMutableRawPointer?,
    _ input: UnsafeMutableRawPointer?, _ length: Int
) -> Int32 {
    guard let wsi, let context = lws_get_context(wsi), let loopPointer = lws_context_user(context) else { return 0 }
    let loop = Unmanaged<ClientServiceLoop>.fromOpaque(loopPointer).takeUnretainedValue()
    return loop.handleCallback(wsi, reason, input, length)
}

/// C strings that must outlive a libwebsockets call which may keep pointers to them, freed with their owner.
final class CStringStore {
    private var pointers: [UnsafeMutablePointer<CChar>] = []

    func add(_ text: String) -> UnsafePointer<CChar> {
        let pointer = strdup(text)!
        pointers.append(pointer)
        return UnsafePointer(pointer)
    }

    deinit {
        for pointer in pointers {
            free(pointer)
        }
    }
}
