import STUN
import Testing

/// Deterministic random corruption of valid messages: each mutant must parse to nil or to a
/// view whose readers and checks all run without trapping.
@Suite("STUN parser under mutation")
struct MutationTests {
    /// SplitMix64, so every run tests the same mutants.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: RFC5769.all.indices)
    func mutantsNeverTrap(index: Int) {
        var generator = Generator(state: UInt64(index))
        let fixture = RFC5769.all[index]
        for _ in 0..<2000 {
            var mutant = fixture
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let offset = Int.random(in: 0..<mutant.count, using: &generator)
                mutant[offset] = UInt8.random(in: 0...255, using: &generator)
            }
            // Keep the header length consistent half of the time, so the attribute walk is reached.
            if Bool.random(using: &generator) {
                mutant[2] = UInt8((mutant.count - 20) >> 8)
                mutant[3] = UInt8((mutant.count - 20) & 0xFF)
                mutant[4...7] = [0x21, 0x12, 0xa4, 0x42]
                mutant[0] &= 0x3F
            }
            mutant.withUnsafeBytes { buffer in
                guard let view = STUNMessageView.parse(buffer) else { return }
                exercise(view)
            }
        }
    }
}
