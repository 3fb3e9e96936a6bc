import RTP
import Testing

@testable import chorus_load

@Suite struct DependencyDescriptorWriterTests {
    private func write(keyFrame: Bool, start: Bool, end: Bool, frame: UInt16, structure: Bool) -> [UInt8] {
        var buffer = [UInt8](repeating: 0xFF, count: 16)
        let length = buffer.withUnsafeMutableBytes { raw in
            DependencyDescriptorWriter.write(
                into: raw, at: 0, startOfFrame: start, endOfFrame: end, keyFrame: keyFrame, frameNumber: frame,
                withStructure: structure)
        }
        return Array(buffer.prefix(length))
    }

    @Test func keyFrameDescriptorCarriesParsableStructure() throws {
        let bytes = write(keyFrame: true, start: true, end: false, frame: 0x1234, structure: true)
        #expect(bytes.count == DependencyDescriptorWriter.withStructureLength)
        let descriptor = try #require(bytes.withUnsafeBytes { DependencyDescriptor.parse($0, structure: nil) })
        #expect(descriptor.startOfFrame)
        #expect(!descriptor.endOfFrame)
        #expect(descriptor.frameNumber == 0x1234)
        let structure = try #require(descriptor.structure)
        #expect(structure.decodeTargetCount == 1)
        #expect(structure.chainCount == 0)
        #expect(structure.templates.count == 2)
        #expect(structure.templates[0].decodeTargetIndications == [.switchIndication])
        #expect(structure.templates[0].frameDiffs == [])
        #expect(structure.templates[1].decodeTargetIndications == [.required])
        #expect(structure.templates[1].frameDiffs == [1])
        #expect(structure.resolutions == nil)
        #expect(descriptor.frameDependencies?.frameDiffs == [])
    }

    @Test func deltaFrameDescriptorResolvesAgainstStructure() throws {
        let keyBytes = write(keyFrame: true, start: true, end: true, frame: 1, structure: true)
        let key = try #require(keyBytes.withUnsafeBytes { DependencyDescriptor.parse($0, structure: nil) })
        let bytes = write(keyFrame: false, start: false, end: true, frame: 2, structure: false)
        #expect(bytes.count == DependencyDescriptorWriter.mandatoryLength)
        let delta = try #require(bytes.withUnsafeBytes { DependencyDescriptor.parse($0, structure: key.structure) })
        #expect(!delta.startOfFrame)
        #expect(delta.endOfFrame)
        #expect(delta.templateID == DependencyDescriptorWriter.deltaFrameTemplate)
        #expect(delta.frameDependencies?.frameDiffs == [1])
    }

    @Test func frameNumberWraps() throws {
        let bytes = write(keyFrame: false, start: true, end: true, frame: 0xFFFF, structure: false)
        #expect(bytes == [0xC1, 0xFF, 0xFF])
    }
}
