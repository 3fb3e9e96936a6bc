import Crypto
import DTLS
import FuzzerSupport
import Wire

/// Splits one input into datagrams (see `forEachDatagram`) and feeds them to a new DTLS server
/// transport and to a client transport that has sent its ClientHello, after checking each with
/// `DTLSRecordFilter`. Garbage must be dropped or fail the handshake, never crash or hand out keys.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = UnsafeRawBufferPointer(start: start, count: count)
    _ = DTLSRecordFilter.isWellFormed(input)
    guard let server = makeTransport(.server), let client = makeTransport(.client) else {
        preconditionFailure("creating a DTLS transport failed")
    }

    let now = Instant(microseconds: 1_000_000)
    _ = client.start(now: now)
    forEachDatagram(in: input) { datagram in
        if let first = datagram.first {
            _ = DTLSRecordFilter.isDTLS(firstByte: first)
        }
        _ = DTLSRecordFilter.isWellFormed(datagram)
        for transport in [server, client] {
            let event = transport.receive(datagram, now: now)
            precondition(event.keys == nil, "a handshake with an unknown peer cannot complete")
        }
    }
    for transport in [server, client] {
        _ = transport.poll(now: now.adding(milliseconds: 2000))
        _ = transport.close()
    }
    return 0
}

@_cdecl("DTLSFuzzer_main")
func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runLibFuzzer(argc: argc, argv: argv) { data, size in
        withInput(data, size) { input in _ = fuzz(input.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, input.count) }
        return 0
    }
}

/// One certificate for every input: generating a key pair per input would dominate the run time.
private let certificate = try? Certificate.generate()

private func makeTransport(_ role: DTLSRole) -> DTLSTransport? {
    guard let certificate else { return nil }
    // The expected fingerprint is one no certificate has, so no handshake can authenticate.
    return try? DTLSTransport(
        certificate: certificate, role: role,
        expectedRemoteFingerprint: ("sha-256", String(repeating: "00:", count: 31) + "00"))
}
