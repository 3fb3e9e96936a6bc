import CLibFuzzer

/// The signature of `LLVMFuzzerTestOneInput`: one input as a pointer and a byte count.
public typealias FuzzerCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

/// Runs libFuzzer with the command line of the process, calling `testOneInput` for each input.
///
/// SwiftPM links an executable target with `main` bound to the `<module>_main` symbol, so each
/// fuzzer defines that symbol with `@_cdecl` and calls this, in place of libFuzzer's own `main`.
public func runLibFuzzer(
    argc: CInt, argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ testOneInput: FuzzerCallback
) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, testOneInput)
}

/// Calls `body` with the bytes libFuzzer passed, or an empty buffer for a null pointer.
public func withInput(_ data: UnsafePointer<UInt8>?, _ size: Int, _ body: (UnsafeRawBufferPointer) -> Void) {
    guard let data, size > 0 else {
        body(UnsafeRawBufferPointer(start: nil, count: 0))
        return
    }
    body(UnsafeRawBufferPointer(start: data, count: size))
}

/// Splits one fuzzer input into datagrams: each starts with a 16-bit big-endian length, and a
/// length past the end takes the rest of the input. So a seed file of length-prefixed datagrams
/// replays a whole exchange, and any byte string still yields at least one datagram.
public func forEachDatagram(in input: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
    var offset = 0
    while offset + 2 <= input.count {
        let declared = Int(input[offset]) << 8 | Int(input[offset + 1])
        let start = offset + 2
        let end = min(start + declared, input.count)
        body(UnsafeRawBufferPointer(rebasing: input[start..<end]))
        offset = end
    }
}
