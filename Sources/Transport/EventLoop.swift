#if canImport(Glibc)
import Glibc
#endif
import Foundation
import CLinuxShim
import Wire

/// An epoll loop on one thread. Other threads hand it work through `post`, a
/// bounded queue woken by an eventfd; everything else runs on the loop thread.
public final class EventLoop: @unchecked Sendable {
    public typealias Handler = (UInt32) -> Void

    private let epollDescriptor: Int32
    private let wakeDescriptor: Int32
    private var handlers: [Int32: Handler] = [:]
    private let lock = NSLock()
    private var pending: [() -> Void] = []
    private let maxPending: Int
    private var running = true
    private var thread: Thread?
    private let exited = DispatchSemaphore(value: 0)
    /// Called once per loop iteration with the current time; returns the next deadline, if any.
    public var onTick: ((Instant) -> Instant?)?
    /// Time the loop spent handling events and timers rather than waiting in epoll_wait, in
    /// microseconds. Written on the loop thread only; read it there.
    public private(set) var busyMicroseconds: Int64 = 0
    public let name: String

    public init(name: String, maxPending: Int = 65_536) throws {
        self.name = name
        self.maxPending = maxPending
        epollDescriptor = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epollDescriptor >= 0 else { throw SystemError("epoll_create1") }
        wakeDescriptor = eventfd(0, Int32(EFD_NONBLOCK) | Int32(EFD_CLOEXEC))
        guard wakeDescriptor >= 0 else { throw SystemError("eventfd") }
        try register(wakeDescriptor) { [unowned self] _ in self.drainWakeups() }
    }

    deinit {
        close(epollDescriptor)
        close(wakeDescriptor)
    }

    /// Watches `fd` for readability; call before `start` or from the loop thread.
    public func register(_ fd: Int32, handler: @escaping Handler) throws {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        chorus_epoll_event_set_fd(&event, fd)
        guard epoll_ctl(epollDescriptor, EPOLL_CTL_ADD, fd, &event) == 0 else { throw SystemError("epoll_ctl") }
        handlers[fd] = handler
    }

    /// Queues `work` for the loop thread. Returns false when the queue is full.
    @discardableResult
    public func post(_ work: @escaping () -> Void) -> Bool {
        lock.lock()
        guard pending.count < maxPending else {
            lock.unlock()
            return false
        }
        pending.append(work)
        lock.unlock()
        var one: UInt64 = 1
        _ = write(wakeDescriptor, &one, 8)
        return true
    }

    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = name
        self.thread = thread
        thread.start()
    }

    /// Stops the loop and, unless called on the loop thread itself, waits until it has exited,
    /// so that the owner can be released right after.
    public func stop() {
        guard let thread, !thread.isFinished else { return }
        post { [self] in running = false }
        if Thread.current !== thread { exited.wait() }
    }

    private func drainWakeups() {
        var value: UInt64 = 0
        _ = read(wakeDescriptor, &value, 8)
        lock.lock()
        let work = pending
        pending.removeAll(keepingCapacity: true)
        lock.unlock()
        for item in work { item() }
    }

    private func run() {
        let capacity = 64
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }
        var deadline: Instant? = nil
        defer { exited.signal() }
        while running {
            var timeout: Int32 = 1000
            if let deadline {
                let milliseconds = max(0, deadline.milliseconds(since: Instant.now()))
                timeout = Int32(min(milliseconds + 1, 1000))
            }
            let ready = epoll_wait(epollDescriptor, events, Int32(capacity), timeout)
            let awake = Instant.now()
            defer { busyMicroseconds += Instant.now().microseconds - awake.microseconds }
            if ready > 0 {
                for index in 0..<Int(ready) {
                    var event = events[index]
                    handlers[chorus_epoll_event_fd(&event)]?(event.events)
                }
            }
            if let onTick {
                deadline = onTick(Instant.now())
            }
        }
    }
}
