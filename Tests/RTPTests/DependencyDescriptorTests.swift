import Testing

@testable import RTP

@Suite struct DependencyDescriptorTests {
    /// A key frame of a one-layer stream (L1T1) with its template dependency structure.
    ///
    ///     S=1 E=1 template ID 0, frame number 1
    ///     structure present; no active targets, custom DTIs, diffs or chains
    ///     template ID offset 0, one decode target
    ///     two templates on spatial 0, temporal 0 (next layer 0, then 3 to end)
    ///     DTIs: switch, switch
    ///     frame diffs: none for template 0, [1] for template 1
    ///     one chain (ns(2) = 1), protecting target 0 (ns(1) takes no bits)
    ///     chain diffs: 0 for template 0, 1 for template 1
    ///     render resolution 640x360
    static let keyFrame: [UInt8] = [0xC0, 0x00, 0x01, 0x80, 0x00, 0x3A, 0x41, 0x01, 0x81, 0x3F, 0x80, 0xB3, 0x80]

    /// A delta frame that uses template 1 as it is.
    static let deltaFrame: [UInt8] = [0xC1, 0x00, 0x02]

    /// A delta frame with template 1, the active decode target bitmask 1, and a custom frame
    /// diff of 2 in place of the template's.
    static let customDiffFrame: [UInt8] = [0xC1, 0x00, 0x02, 0x55, 0x10]

    static func parse(_ bytes: [UInt8], _ structure: FrameDependencyStructure?) -> DependencyDescriptor? {
        bytes.withUnsafeBytes { DependencyDescriptor.parse($0, structure: structure) }
    }

    @Test func keyFrameCarriesStructure() throws {
        let descriptor = try #require(Self.parse(Self.keyFrame, nil))
        #expect(descriptor.startOfFrame)
        #expect(descriptor.endOfFrame)
        #expect(descriptor.templateID == 0)
        #expect(descriptor.frameNumber == 1)
        #expect(descriptor.activeDecodeTargets == 1)

        let structure = try #require(descriptor.structure)
        #expect(structure.templateIDOffset == 0)
        #expect(structure.decodeTargetCount == 1)
        #expect(structure.chainCount == 1)
        #expect(structure.templates.count == 2)
        #expect(structure.templates.map(\.frameDiffs) == [[], [1]])
        #expect(structure.templates.map(\.chainDiffs) == [[0], [1]])
        #expect(structure.templates.map(\.decodeTargetIndications) == [[.switchIndication], [.switchIndication]])
        #expect(structure.decodeTargetProtectedByChain == [0])
        #expect(structure.decodeTargetLayers.map(\.spatialID) == [0])
        #expect(structure.decodeTargetLayers.map(\.temporalID) == [0])
        #expect(structure.resolutions == [.init(width: 640, height: 360)])

        let dependencies = try #require(descriptor.frameDependencies)
        #expect(dependencies.spatialID == 0)
        #expect(dependencies.temporalID == 0)
        #expect(dependencies.frameDiffs == [])
    }

    @Test func deltaFrameUsesTemplate() throws {
        let structure = try #require(Self.parse(Self.keyFrame, nil)?.structure)
        let descriptor = try #require(Self.parse(Self.deltaFrame, structure))
        #expect(descriptor.templateID == 1)
        #expect(descriptor.frameNumber == 2)
        #expect(descriptor.structure == nil)
        #expect(descriptor.activeDecodeTargets == nil)
        #expect(descriptor.frameDependencies?.frameDiffs == [1])
        #expect(descriptor.frameDependencies?.chainDiffs == [1])
    }

    @Test func customFrameDiffsOverrideTemplate() throws {
        let structure = try #require(Self.parse(Self.keyFrame, nil)?.structure)
        let descriptor = try #require(Self.parse(Self.customDiffFrame, structure))
        #expect(descriptor.activeDecodeTargets == 1)
        #expect(descriptor.frameDependencies?.frameDiffs == [2])
        #expect(descriptor.frameDependencies?.chainDiffs == [1])
    }

    @Test func mandatoryFieldsWithoutStructure() throws {
        let descriptor = try #require(Self.parse(Self.customDiffFrame, nil))
        #expect(descriptor.startOfFrame)
        #expect(descriptor.frameNumber == 2)
        #expect(descriptor.frameDependencies == nil)
    }

    @Test func unknownTemplateIsRejected() throws {
        let structure = try #require(Self.parse(Self.keyFrame, nil)?.structure)
        #expect(Self.parse([0xC5, 0x00, 0x02], structure) == nil)
    }

    @Test(arguments: [keyFrame, deltaFrame, customDiffFrame])
    func everyTruncationFailsCleanly(_ fixture: [UInt8]) throws {
        let structure = try #require(Self.parse(Self.keyFrame, nil)?.structure)
        for length in 0..<fixture.count {
            let prefix = Array(fixture.prefix(length))
            let withStructure = Self.parse(prefix, structure)
            let without = Self.parse(prefix, nil)
            if length < 3 {
                #expect(withStructure == nil)
                #expect(without == nil)
            }
        }
    }
}

@Suite struct SimpleExtensionTests {
    @Test(arguments: [
        (0x00 as UInt8, false, false, 0),
        (0x01, false, false, 90),
        (0x0B, true, false, 270),
        (0x06, false, true, 180),
    ])
    func videoOrientation(_ byte: UInt8, _ back: Bool, _ flip: Bool, _ rotation: Int) throws {
        let orientation = try #require([byte].withUnsafeBytes { VideoOrientation.parse($0) })
        #expect(orientation.backCamera == back)
        #expect(orientation.horizontalFlip == flip)
        #expect(orientation.rotation == rotation)
    }

    @Test func playoutDelay() throws {
        // Minimum 0x00A (100 ms), maximum 0x0C8 (2000 ms).
        let delay = try #require(([0x00, 0xA0, 0xC8] as [UInt8]).withUnsafeBytes { PlayoutDelay.parse($0) })
        #expect(delay.minimumMilliseconds == 100)
        #expect(delay.maximumMilliseconds == 2000)
        #expect(([0x00, 0xA0] as [UInt8]).withUnsafeBytes { PlayoutDelay.parse($0) } == nil)
        #expect(([0x10, 0x00, 0x01] as [UInt8]).withUnsafeBytes { PlayoutDelay.parse($0) } == nil)
        #expect([UInt8]().withUnsafeBytes { VideoOrientation.parse($0) } == nil)
    }

    @Test(arguments: [
        (2 as UInt32, [0b0000_0000] as [UInt8], 0 as UInt32),  // 1 bit: 0
        (2, [0b1000_0000], 1),
        (5, [0b0000_0000], 0),  // w=3, m=3: values below 3 take 2 bits
        (5, [0b1000_0000], 2),
        (5, [0b1100_0000], 3),  // 2 bits "11" = 3 >= m, then 1 extra bit 0: (3<<1) - 3 + 0
        (5, [0b1110_0000], 4),
    ])
    func nonSymmetricValues(_ n: UInt32, _ bytes: [UInt8], _ expected: UInt32) {
        bytes.withUnsafeBytes { buffer in
            var reader = BitReader(buffer)
            #expect(reader.readNonSymmetric(n) == expected)
        }
    }
}
