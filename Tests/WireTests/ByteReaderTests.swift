import Testing

@testable import Wire

@Suite struct ByteReaderTests {
    @Test func readsBigEndianIntegers() {
        let bytes: [UInt8] = [
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11, 0x12,
        ]
        bytes.withUnsafeBytes { buffer in
            var reader = ByteReader(buffer)
            #expect(reader.readUInt8() == 0x01)
            #expect(reader.readUInt16() == 0x0203)
            #expect(reader.readUInt24() == 0x04_0506)
            #expect(reader.readUInt32() == 0x0708_090A)
            #expect(reader.readUInt64() == 0x0B0C_0D0E_0F10_1112)
            #expect(reader.remaining == 0)
            #expect(reader.readUInt8() == nil)
        }
    }

    @Test func shortReadsReturnNilWithoutMoving() {
        let bytes: [UInt8] = [0x01, 0x02, 0x03]
        bytes.withUnsafeBytes { buffer in
            var reader = ByteReader(buffer)
            #expect(reader.readUInt32() == nil)
            #expect(reader.offset == 0)
            #expect(reader.readBytes(4) == nil)
            #expect(reader.readBytes(-1) == nil)
            #expect(reader.skip(4) == false)
            #expect(reader.skip(-1) == false)
            #expect(reader.offset == 0)
            #expect(reader.readBytes(3).map(Array.init) == [0x01, 0x02, 0x03])
        }
    }

    @Test func writerRoundTrip() {
        var writer = ByteWriter()
        writer.write(UInt8(1))
        writer.write(UInt16(0x0203))
        writer.writeUInt24(0x04_0506)
        writer.write(UInt32(0))
        writer.write(UInt64(0x0B0C_0D0E_0F10_1112))
        writer.set(UInt32(0x0708_090A), at: 6)
        #expect(writer.bytes == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18])
    }
}
