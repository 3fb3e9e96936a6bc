import Testing
import Wire

@testable import Forwarding

@Suite struct PacketRingTests {
    static func store(_ ring: PacketRing, _ packet: [UInt8], sequenceNumber: UInt16, now: Instant) -> Bool {
        packet.withUnsafeBytes { ring.store($0, sequenceNumber: sequenceNumber, now: now) }
    }

    static func lookup(_ ring: PacketRing, _ sequenceNumber: UInt16, now: Instant) -> [UInt8]? {
        ring.lookup(sequenceNumber, now: now).map { Array($0) }
    }

    @Test func storedPacketIsReturned() {
        let ring = PacketRing(slotCount: 8, slotSize: 64)
        let packet = makeRTPPacket(sequenceNumber: 100)
        #expect(Self.store(ring, packet, sequenceNumber: 100, now: at(0)))
        #expect(Self.lookup(ring, 100, now: at(10)) == packet)
    }

    @Test func unknownSequenceNumberIsNil() {
        let ring = PacketRing(slotCount: 8, slotSize: 64)
        _ = Self.store(ring, makeRTPPacket(sequenceNumber: 100), sequenceNumber: 100, now: at(0))
        #expect(Self.lookup(ring, 101, now: at(0)) == nil)
        #expect(Self.lookup(ring, 108, now: at(0)) == nil)
    }

    @Test func overwrittenSlotIsNil() {
        let ring = PacketRing(slotCount: 8, slotSize: 64)
        _ = Self.store(ring, makeRTPPacket(sequenceNumber: 100), sequenceNumber: 100, now: at(0))
        let newer = makeRTPPacket(sequenceNumber: 108, payload: [1, 2, 3, 4])
        #expect(Self.store(ring, newer, sequenceNumber: 108, now: at(1)))
        #expect(Self.lookup(ring, 100, now: at(1)) == nil)
        #expect(Self.lookup(ring, 108, now: at(1)) == newer)
    }

    @Test func packetOlderThanMaxAgeIsNil() {
        let ring = PacketRing(slotCount: 8, slotSize: 64, maxAgeMilliseconds: 1000)
        _ = Self.store(ring, makeRTPPacket(sequenceNumber: 7), sequenceNumber: 7, now: at(0))
        #expect(Self.lookup(ring, 7, now: at(1000)) != nil)
        #expect(Self.lookup(ring, 7, now: at(1001)) == nil)
    }

    @Test func oversizedPacketIsNotStored() {
        let ring = PacketRing(slotCount: 8, slotSize: 16)
        let packet = makeRTPPacket(sequenceNumber: 1, payload: [UInt8](repeating: 9, count: 5))
        #expect(packet.count == 17)
        #expect(Self.store(ring, packet, sequenceNumber: 1, now: at(0)) == false)
        #expect(Self.lookup(ring, 1, now: at(0)) == nil)
    }

    @Test func latePacketKeepsNewerOccupant() {
        let ring = PacketRing(slotCount: 8, slotSize: 64)
        let newer = makeRTPPacket(sequenceNumber: 108)
        _ = Self.store(ring, newer, sequenceNumber: 108, now: at(0))
        #expect(Self.store(ring, makeRTPPacket(sequenceNumber: 100), sequenceNumber: 100, now: at(5)) == false)
        #expect(Self.lookup(ring, 108, now: at(5)) == newer)
    }

    @Test func latePacketReplacesExpiredOccupant() {
        let ring = PacketRing(slotCount: 8, slotSize: 64, maxAgeMilliseconds: 100)
        _ = Self.store(ring, makeRTPPacket(sequenceNumber: 108), sequenceNumber: 108, now: at(0))
        let late = makeRTPPacket(sequenceNumber: 100)
        #expect(Self.store(ring, late, sequenceNumber: 100, now: at(200)))
        #expect(Self.lookup(ring, 100, now: at(200)) == late)
    }

    @Test func sequenceNumbersAcrossWrap() {
        let ring = PacketRing(slotCount: 8, slotSize: 64)
        for sequenceNumber: UInt16 in [65534, 65535, 0, 1] {
            _ = Self.store(
                ring, makeRTPPacket(sequenceNumber: sequenceNumber), sequenceNumber: sequenceNumber, now: at(0))
        }
        for sequenceNumber: UInt16 in [65534, 65535, 0, 1] {
            let stored = Self.lookup(ring, sequenceNumber, now: at(0))
            #expect(stored == makeRTPPacket(sequenceNumber: sequenceNumber))
        }
    }

    @Test func removeAllForgetsPackets() {
        let ring = PacketRing(slotCount: 8, slotSize: 64)
        _ = Self.store(ring, makeRTPPacket(sequenceNumber: 3), sequenceNumber: 3, now: at(0))
        ring.removeAll()
        #expect(Self.lookup(ring, 3, now: at(0)) == nil)
    }

    @Test func fullRingKeepsLastSlotCountPackets() {
        let ring = PacketRing()
        for sequenceNumber in 0..<1000 {
            let packet = makeRTPPacket(sequenceNumber: UInt16(sequenceNumber))
            _ = Self.store(ring, packet, sequenceNumber: UInt16(sequenceNumber), now: at(Int64(sequenceNumber)))
        }
        #expect(Self.lookup(ring, 487, now: at(999)) == nil)
        #expect(Self.lookup(ring, 488, now: at(999)) == makeRTPPacket(sequenceNumber: 488))
        #expect(Self.lookup(ring, 999, now: at(999)) == makeRTPPacket(sequenceNumber: 999))
    }
}
