#if canImport(Glibc)
import Glibc
#endif
import CLinuxShim
import Wire

/// Preallocated slots for `recvmmsg`: one read burst fills up to `capacity`
/// datagrams without allocating.
public final class ReceiveBatch {
    public static let slotSize = 2048
    public let capacity: Int
    public private(set) var count = 0

    private let buffers: UnsafeMutableRawPointer
    private let addresses: UnsafeMutablePointer<sockaddr_storage>
    private let vectors: UnsafeMutablePointer<iovec>
    private let messages: UnsafeMutablePointer<chorus_mmsghdr>

    public init(capacity: Int = 64) {
        self.capacity = capacity
        buffers = UnsafeMutableRawPointer.allocate(byteCount: capacity * Self.slotSize, alignment: 16)
        addresses = .allocate(capacity: capacity)
        vectors = .allocate(capacity: capacity)
        messages = .allocate(capacity: capacity)
        for index in 0..<capacity {
            vectors[index] = iovec(iov_base: buffers + index * Self.slotSize, iov_len: Self.slotSize)
        }
    }

    deinit {
        buffers.deallocate()
        addresses.deallocate()
        vectors.deallocate()
        messages.deallocate()
    }

    /// Reads up to `capacity` datagrams; returns how many arrived (0 when the socket would block).
    public func receive(from socket: UDPSocket) -> Int {
        for index in 0..<capacity {
            var header = msghdr()
            header.msg_name = UnsafeMutableRawPointer(addresses + index)
            header.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
            header.msg_iov = vectors + index
            header.msg_iovlen = 1
            messages[index] = chorus_mmsghdr(msg_hdr: header, msg_len: 0)
        }
        let received = chorus_recvmmsg(socket.fileDescriptor, messages, UInt32(capacity), Int32(MSG_DONTWAIT))
        count = max(0, Int(received))
        return count
    }

    /// Mutable bytes of datagram `index`, sized to what arrived; valid until the next `receive`.
    public func datagram(_ index: Int) -> UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: buffers + index * Self.slotSize, count: Int(messages[index].msg_len))
    }

    /// Whether datagram `index` was cut short because it exceeded the slot size.
    public func isTruncated(_ index: Int) -> Bool {
        messages[index].msg_hdr.msg_flags & Int32(MSG_TRUNC) != 0
    }

    public func sender(_ index: Int) -> SocketAddress? {
        SocketAddress(storage: addresses + index)
    }
}

/// Preallocated slots for outgoing datagrams, flushed with `sendmmsg` once per
/// read burst. A full batch is flushed at once rather than dropping.
public final class SendBatch {
    public static let slotSize = 2048
    public let capacity: Int
    public private(set) var count = 0
    /// Datagrams the kernel did not take (EAGAIN, ENOBUFS, unreachable); counted, not retried.
    public private(set) var droppedCount: UInt64 = 0
    public private(set) var sentCount: UInt64 = 0
    public private(set) var sentBytes: UInt64 = 0

    private let buffers: UnsafeMutableRawPointer
    private let addresses: UnsafeMutablePointer<sockaddr_storage>
    private let addressLengths: UnsafeMutablePointer<socklen_t>
    private let vectors: UnsafeMutablePointer<iovec>
    private let messages: UnsafeMutablePointer<chorus_mmsghdr>
    private let socket: UDPSocket

    public init(socket: UDPSocket, capacity: Int = 256) {
        self.socket = socket
        self.capacity = capacity
        buffers = UnsafeMutableRawPointer.allocate(byteCount: capacity * Self.slotSize, alignment: 16)
        addresses = .allocate(capacity: capacity)
        addressLengths = .allocate(capacity: capacity)
        vectors = .allocate(capacity: capacity)
        messages = .allocate(capacity: capacity)
    }

    deinit {
        buffers.deallocate()
        addresses.deallocate()
        addressLengths.deallocate()
        vectors.deallocate()
        messages.deallocate()
    }

    /// Returns the next free slot; the caller writes the datagram and then calls `commit`.
    public func nextSlot() -> UnsafeMutableRawBufferPointer {
        if count == capacity { flush() }
        return UnsafeMutableRawBufferPointer(start: buffers + count * Self.slotSize, count: Self.slotSize)
    }

    /// Queues the `length` bytes written into the slot from `nextSlot` for `destination`.
    public func commit(length: Int, to destination: SocketAddress) {
        precondition(length <= Self.slotSize, "datagram larger than a send slot")
        addressLengths[count] = destination.write(to: addresses + count)
        vectors[count] = iovec(iov_base: buffers + count * Self.slotSize, iov_len: length)
        count += 1
    }

    /// Copies `bytes` into a slot and queues it.
    public func enqueue(_ bytes: UnsafeRawBufferPointer, to destination: SocketAddress) {
        guard bytes.count <= Self.slotSize, let base = bytes.baseAddress else {
            droppedCount += 1
            return
        }
        let slot = nextSlot()
        slot.baseAddress!.copyMemory(from: base, byteCount: bytes.count)
        commit(length: bytes.count, to: destination)
    }

    public func enqueue(_ bytes: [UInt8], to destination: SocketAddress) {
        bytes.withUnsafeBytes { enqueue($0, to: destination) }
    }

    /// Sends everything queued with as few `sendmmsg` calls as the kernel allows.
    public func flush() {
        guard count > 0 else { return }
        for index in 0..<count {
            var header = msghdr()
            header.msg_name = UnsafeMutableRawPointer(addresses + index)
            header.msg_namelen = addressLengths[index]
            header.msg_iov = vectors + index
            header.msg_iovlen = 1
            messages[index] = chorus_mmsghdr(msg_hdr: header, msg_len: 0)
        }
        var offset = 0
        while offset < count {
            let sent = chorus_sendmmsg(socket.fileDescriptor, messages + offset, UInt32(count - offset), Int32(MSG_DONTWAIT))
            if sent <= 0 {
                // The first datagram of the rest failed: drop it and go on with the others.
                droppedCount += 1
                offset += 1
                continue
            }
            for index in offset..<offset + Int(sent) {
                sentBytes += UInt64(vectors[index].iov_len)
            }
            sentCount += UInt64(sent)
            offset += Int(sent)
        }
        count = 0
    }
}
