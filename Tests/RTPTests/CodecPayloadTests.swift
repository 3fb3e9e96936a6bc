import Testing

@testable import RTP

@Suite struct VP8PayloadDescriptorTests {
    /// The start of a 640x480 key frame: S=1 and partition 0, then the frame tag with the
    /// inverse key frame bit 0, the start code 9D 01 2A, width and height.
    static let keyFrame: [UInt8] = [0x10, 0x50, 0x01, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01]

    /// X with I, L and T: 15-bit picture ID 42, TL0PICIDX 5, temporal layer 1, then an
    /// interframe tag.
    static let extendedDeltaFrame: [UInt8] = [0x90, 0xE0, 0x80, 0x2A, 0x05, 0x40, 0x31, 0x02, 0x00]

    static let all = [keyFrame, extendedDeltaFrame]

    static func parse(_ bytes: [UInt8]) -> VP8PayloadDescriptor? {
        bytes.withUnsafeBytes { VP8PayloadDescriptor.parse($0) }
    }

    @Test func keyFrameIsDetected() throws {
        let descriptor = try #require(Self.parse(Self.keyFrame))
        #expect(descriptor.startOfPartition)
        #expect(descriptor.partitionIndex == 0)
        #expect(descriptor.headerLength == 1)
        #expect(descriptor.pictureID == nil)
        #expect(descriptor.isKeyFrame)
    }

    @Test func extendedFieldsAreRead() throws {
        let descriptor = try #require(Self.parse(Self.extendedDeltaFrame))
        #expect(descriptor.pictureID == 42)
        #expect(descriptor.tl0PictureIndex == 5)
        #expect(descriptor.temporalLayerIndex == 1)
        #expect(descriptor.layerSync == false)
        #expect(descriptor.keyIndex == nil)
        #expect(descriptor.headerLength == 6)
        #expect(descriptor.isKeyFrame == false)
    }

    @Test func continuationIsNotKeyFrame() throws {
        var bytes = Self.keyFrame
        bytes[0] = 0x00  // S=0: the middle of a partition
        let descriptor = try #require(Self.parse(bytes))
        #expect(descriptor.isKeyFrame == false)
    }

    @Test func truncatedPictureIDIsRejected() {
        // X, then I, then M=1 announcing a second picture ID byte that is missing.
        #expect(Self.parse([0x81, 0x81, 0x94]) == nil)
    }

    @Test(arguments: all)
    func everyTruncationFailsCleanly(_ fixture: [UInt8]) {
        for length in 0..<fixture.count {
            let descriptor = Self.parse(Array(fixture.prefix(length)))
            if let descriptor {
                #expect(descriptor.headerLength < length)
            }
        }
        // The key frame start code is 6 bytes into the frame, so a shorter prefix is no key frame.
        #expect(Self.parse(Array(Self.keyFrame.prefix(6)))?.isKeyFrame == false)
    }
}

@Suite struct VP9PayloadDescriptorTests {
    /// A key frame in non-flexible mode with a scalability structure: one 640x360 layer and a
    /// picture group of one picture with one reference.
    static let keyFrame: [UInt8] = [
        0xAA,  // I=1 P=0 L=1 F=0 B=1 E=0 V=1 Z=0
        0x80, 0x01,  // 15-bit picture ID 1
        0x00,  // TID 0, U 0, SID 0, D 0
        0x00,  // TL0PICIDX 0
        0x18,  // N_S=0 (one layer), Y=1, G=1
        0x02, 0x80, 0x01, 0x68,  // 640x360
        0x01,  // N_G 1
        0x04, 0x01,  // T=0 U=0 R=1, P_DIFF 1
        0x82,  // VP9 frame
    ]

    /// An inter frame in flexible mode with two references.
    static let flexibleInterFrame: [UInt8] = [
        0xFC,  // I=1 P=1 L=1 F=1 B=1 E=1 V=0 Z=0
        0x05,  // 7-bit picture ID 5
        0x50,  // TID 2, U 1, SID 0, D 0
        0x03,  // P_DIFF 1, N=1
        0x04,  // P_DIFF 2, N=0
        0x86,  // VP9 frame
    ]

    static func parse(_ bytes: [UInt8]) -> VP9PayloadDescriptor? {
        bytes.withUnsafeBytes { VP9PayloadDescriptor.parse($0) }
    }

    @Test func keyFrameWithScalabilityStructure() throws {
        let descriptor = try #require(Self.parse(Self.keyFrame))
        #expect(descriptor.pictureID == 1)
        #expect(descriptor.spatialLayerIndex == 0)
        #expect(descriptor.tl0PictureIndex == 0)
        #expect(descriptor.spatialLayerResolutions == [.init(width: 640, height: 360)])
        #expect(descriptor.headerLength == 13)
        #expect(descriptor.isKeyFrame)
    }

    @Test func flexibleModeReferences() throws {
        let descriptor = try #require(Self.parse(Self.flexibleInterFrame))
        #expect(descriptor.pictureID == 5)
        #expect(descriptor.temporalLayerIndex == 2)
        #expect(descriptor.switchingUpPoint)
        #expect(descriptor.tl0PictureIndex == nil)
        #expect(descriptor.referenceDiffs == [1, 2])
        #expect(descriptor.headerLength == 5)
        #expect(descriptor.isKeyFrame == false)
    }

    @Test func fourReferencesAreRejected() {
        #expect(Self.parse([0xD0, 0x05, 0x03, 0x03, 0x03, 0x03, 0x86]) == nil)
    }

    @Test func upperSpatialLayerIsNotKeyFrame() throws {
        var bytes = Self.keyFrame
        bytes[3] = 0x02  // SID 1
        let descriptor = try #require(Self.parse(bytes))
        #expect(descriptor.isKeyFrame == false)
    }

    @Test(arguments: [keyFrame, flexibleInterFrame])
    func everyTruncationFailsCleanly(_ fixture: [UInt8]) {
        for length in 0..<fixture.count {
            #expect(Self.parse(Array(fixture.prefix(length))) == nil)
        }
    }
}

@Suite struct H264PayloadTests {
    /// A STAP-A with a 10-byte SPS, a 4-byte PPS and the start of an IDR slice.
    static let stapAWithIDR: [UInt8] = [
        0x78,  // F=0, NRI=3, type 24 STAP-A
        0x00, 0x0A, 0x67, 0x42, 0xC0, 0x1F, 0xDA, 0x01, 0x40, 0x16, 0xE8, 0x40,  // SPS
        0x00, 0x04, 0x68, 0xCE, 0x3C, 0x80,  // PPS
        0x00, 0x05, 0x65, 0x88, 0x84, 0x00, 0x33,  // IDR slice
    ]

    /// The first FU-A fragment of an IDR slice.
    static let fuAStartOfIDR: [UInt8] = [0x7C, 0x85, 0x88, 0x84, 0x00, 0x33]

    static func parse(_ bytes: [UInt8]) -> H264Payload? {
        bytes.withUnsafeBytes { H264Payload.parse($0) }
    }

    @Test func stapAWithShortSPSAndIDR() throws {
        let payload = try #require(Self.parse(Self.stapAWithIDR))
        #expect(payload.packetization == .stapA)
        #expect(payload.contains(nalUnitType: 7))
        #expect(payload.contains(nalUnitType: 8))
        #expect(payload.contains(nalUnitType: 5))
        #expect(payload.isKeyFrame)
    }

    @Test func fuAStartOfIDRIsKeyFrame() throws {
        let payload = try #require(Self.parse(Self.fuAStartOfIDR))
        #expect(payload.packetization == .fuA(start: true, end: false))
        #expect(payload.isKeyFrame)
    }

    @Test(arguments: [
        ([0x7C, 0x05, 0x00] as [UInt8], false),  // FU-A middle fragment of an IDR
        ([0x41, 0x9A, 0x00], false),  // single non-IDR slice
        ([0x65, 0x88, 0x84], true),  // single IDR slice
        ([0x67, 0x42, 0xC0], false),  // SPS alone
    ])
    func keyFrameDetection(_ bytes: [UInt8], _ expected: Bool) throws {
        let payload = try #require(Self.parse(bytes))
        #expect(payload.isKeyFrame == expected)
    }

    @Test(
        arguments: [
            ("empty", [] as [UInt8]),
            ("forbidden bit", [0xE5, 0x00]),
            ("STAP-A size past end", [0x78, 0x00, 0x0A, 0x67, 0x42]),
            ("STAP-A empty unit", [0x78, 0x00, 0x00]),
            ("STAP-A without units", [0x78]),
            ("STAP-B", [0x79, 0x00, 0x00, 0x00, 0x01, 0x65]),
            ("FU-B", [0x7D, 0x85, 0x00, 0x00, 0x88]),
            ("FU-A start and end", [0x7C, 0xC5, 0x88]),
            ("FU-A without data", [0x7C, 0x85]),
            ("type 0", [0x00, 0x00]),
        ] as [(String, [UInt8])])
    func invalidPayloadIsRejected(_ name: String, _ bytes: [UInt8]) {
        #expect(Self.parse(bytes) == nil, "\(name)")
    }

    @Test(arguments: [stapAWithIDR, fuAStartOfIDR])
    func everyTruncationFailsCleanly(_ fixture: [UInt8]) {
        for length in 0..<fixture.count {
            _ = Self.parse(Array(fixture.prefix(length)))
        }
        #expect(Self.parse(Array(Self.stapAWithIDR.prefix(20))) == nil)
    }
}

@Suite struct AV1AggregationHeaderTests {
    /// N=1, W=1: one element without a length, a sequence header OBU.
    static let sequenceStart: [UInt8] = [0x18, 0x08, 0x00, 0x00, 0x00, 0x24, 0xC4]

    /// W=2: a 3-byte sequence header with a length, then a frame OBU to the end.
    static let twoElements: [UInt8] = [0x28, 0x03, 0x08, 0xAA, 0xBB, 0x30, 0x10, 0x11]

    /// W=0: every element has a length.
    static let lengthPrefixed: [UInt8] = [0x00, 0x02, 0x30, 0x10, 0x01, 0x32]

    static func parse(_ bytes: [UInt8]) -> AV1AggregationHeader? {
        bytes.withUnsafeBytes { AV1AggregationHeader.parse($0) }
    }

    @Test func sequenceStartIsKeyFrame() throws {
        let header = try #require(Self.parse(Self.sequenceStart))
        #expect(header.startsCodedVideoSequence)
        #expect(header.obuElementCount == 1)
        #expect(header.elementCount == 1)
        #expect(header.containsSequenceHeader)
        #expect(header.isKeyFrame)
    }

    @Test func elementsWithAndWithoutLength() throws {
        let two = try #require(Self.parse(Self.twoElements))
        #expect(two.elementCount == 2)
        #expect(two.containsSequenceHeader)
        #expect(two.isKeyFrame)

        let prefixed = try #require(Self.parse(Self.lengthPrefixed))
        #expect(prefixed.obuElementCount == 0)
        #expect(prefixed.elementCount == 2)
        #expect(prefixed.containsSequenceHeader == false)
        #expect(prefixed.isKeyFrame == false)
    }

    @Test(
        arguments: [
            ("length past end", [0x28, 0x7F, 0x08] as [UInt8]),
            ("unterminated LEB128", [0x00, 0x80, 0x80]),
            ("N on a continuation", [0x88, 0x08]),
            ("fewer elements than W", [0x38, 0x01, 0x08, 0x01]),
            ("empty", []),
        ] as [(String, [UInt8])])
    func invalidPayloadIsRejected(_ name: String, _ bytes: [UInt8]) {
        #expect(Self.parse(bytes) == nil, "\(name)")
    }

    @Test func continuationDoesNotReportSequenceHeader() throws {
        // Z=1: the first element is the middle of an OBU whose first byte happens to read as type 1.
        let header = try #require(Self.parse([0x90, 0x08, 0x00]))
        #expect(header.containsSequenceHeader == false)
        #expect(header.isKeyFrame == false)
    }

    @Test(arguments: [sequenceStart, twoElements, lengthPrefixed])
    func everyTruncationFailsCleanly(_ fixture: [UInt8]) {
        for length in 0..<fixture.count {
            _ = Self.parse(Array(fixture.prefix(length)))
        }
        #expect(Self.parse(Array(Self.twoElements.prefix(3))) == nil)
    }

    @Test func leb128Values() {
        let bytes: [UInt8] = [0xE5, 0x8E, 0x26]
        bytes.withUnsafeBytes { buffer in
            let decoded = AV1AggregationHeader.readLEB128(buffer, at: 0)
            #expect(decoded?.0 == 624_485)
            #expect(decoded?.1 == 3)
        }
    }
}
