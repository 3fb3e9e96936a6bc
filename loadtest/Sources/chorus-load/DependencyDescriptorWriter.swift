/// Writes the AV1 dependency descriptor (AV1 RTP payload specification, appendix A) for a stream with one
/// spatial and one temporal layer, as each simulcast stream of a browser is. The structure has one decode
/// target, no chains and two templates: template 0 for key frames (decode target indication "switch", no
/// references) and template 1 for delta frames ("required", referencing the previous frame).
///
/// A key frame's first packet carries the structure (8 bytes), every other packet the 3 mandatory bytes:
///
///      0                   1                   2
///      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///     |S|E|  template ID  |          frame number         |
///     +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
enum DependencyDescriptorWriter {
    static let mandatoryLength = 3
    static let withStructureLength = 8
    static let keyFrameTemplate = 0
    static let deltaFrameTemplate = 1

    /// The 33 bits after the mandatory fields of a descriptor that carries the structure, left-aligned in 40:
    /// flags 10000 (structure present), template_id_offset 0 (6 bits), dt_cnt_minus_one 0 (5 bits),
    /// next_layer_idc 00 then 11, template DTIs 10 (switch) and 11 (required), fdiffs 0 then 1 0000 0,
    /// chain_cnt 0 (1 bit for ns(2)), resolutions_present_flag 0, then 7 bits of padding.
    private static let structureBits: [UInt8] = [0b1000_0000, 0b0000_0000, 0b0011_1011, 0b0100_0000, 0b0000_0000]

    /// Writes the descriptor of one packet at `offset` and returns its length.
    static func write(
        into buffer: UnsafeMutableRawBufferPointer, at offset: Int, startOfFrame: Bool, endOfFrame: Bool,
        keyFrame: Bool, frameNumber: UInt16, withStructure: Bool
    ) -> Int {
        let template = keyFrame ? keyFrameTemplate : deltaFrameTemplate
        buffer[offset] = (startOfFrame ? 0x80 : 0) | (endOfFrame ? 0x40 : 0) | UInt8(template)
        buffer[offset + 1] = UInt8(truncatingIfNeeded: frameNumber >> 8)
        buffer[offset + 2] = UInt8(truncatingIfNeeded: frameNumber)
        guard withStructure else { return mandatoryLength }
        for (index, byte) in structureBits.enumerated() {
            buffer[offset + mandatoryLength + index] = byte
        }
        return withStructureLength
    }
}
