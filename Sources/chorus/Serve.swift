import Crypto
import Foundation
import HTTPServer
import SFU
import Signaling
import Wire

func runServe(_ arguments: [String]) throws {
    let options = try Options(
        arguments, flags: ["--dev"],
        values: ["--config", "--bind", "--http-port", "--rtc-port", "--announce", "--web-root"])
    var file = NodeConfiguration()
    if let path = options.value("--config") { file = try NodeConfiguration.load(path: path) }
    let dev = options.flag("--dev")

    var apiKeys = file.apiKeys ?? [:]
    if dev {
        apiKeys = [NodeConfiguration.devKey: NodeConfiguration.devSecret]
        Log.warning("development mode: API key devkey and secret devsecret are public; do not expose this node")
    }
    guard !apiKeys.isEmpty else {
        throw CommandError("no API keys configured: set apiKeys in the configuration file or use --dev")
    }
    if !dev { try checkSecrets(apiKeys) }
    if dev, let bind = options.value("--bind"), bind != "127.0.0.1" {
        throw CommandError("--dev always binds 127.0.0.1; drop --bind \(bind) or run without --dev")
    }
    let bindHost = dev ? "127.0.0.1" : (options.value("--bind") ?? file.bindAddress ?? "0.0.0.0")
    let httpPort = try options.port("--http-port") ?? file.httpPort ?? 7880
    let rtcPort = try options.port("--rtc-port") ?? file.rtcPort ?? 7882
    guard let rtcAddress = SocketAddress.parseIPv4(bindHost, port: rtcPort) else {
        throw CommandError("bind address must be an IPv4 address, got \(bindHost)")
    }
    var announced = rtcAddress
    if let text = options.value("--announce") ?? file.announcedAddress {
        guard let address = SocketAddress.parseIPv4(text, port: rtcPort) else {
            throw CommandError("announced address must be an IPv4 address, got \(text)")
        }
        announced = address
    } else if bindHost == "0.0.0.0" {
        throw CommandError("binding 0.0.0.0 needs --announce ADDRESS (the address clients reach for media)")
    }

    let certificate = try Certificate.generate()
    let sfuConfiguration = SFUConfiguration(
        rtcBindAddress: rtcAddress, announcedAddress: announced, autoCreateRooms: dev || (file.autoCreateRooms ?? false),
        nodeID: file.nodeID ?? ProcessInfo.processInfo.hostName)
    let worker = try MediaWorker(configuration: sfuConfiguration)
    let rooms = RoomManager(configuration: sfuConfiguration, worker: worker, certificate: certificate)
    let metrics = MetricsExporter(rooms: rooms, workers: [worker])
    let apiConfiguration = APIConfiguration(apiKeys: apiKeys, devMode: dev)
    let staticFiles = StaticFiles(override: options.value("--web-root") ?? file.webRoot)
    if staticFiles.isEmpty {
        Log.warning("web client files not found; / and /v1/openapi.json will return 404",
                    ["hint": "pass --web-root DIR containing web/ and openapi.json"])
    }
    let api = APIHandler(configuration: apiConfiguration, rooms: rooms, metrics: metrics, staticFiles: staticFiles)
    let server = try HTTPServer(host: bindHost, port: Int(httpPort)) { request in api.handle(request) }
    let signaling = ConferenceSignaling(rooms: rooms, configuration: apiConfiguration)
    signaling.attach(to: server)
    rooms.onEvent = { event in signaling.handle(event) }

    worker.onSessionClosed = { [server] sessionID, reason in
        server.post { rooms.sessionClosedByWorker(sessionID, reason: reason) }
    }
    worker.onActiveSpeakers = { [server] room, speakers in
        server.post { signaling.sendActiveSpeakers(room: room, speakers: speakers) }
    }
    func expireRooms() {
        rooms.expireEmptyRooms()
        server.schedule(after: 1000) { expireRooms() }
    }
    server.schedule(after: 1000) { expireRooms() }

    worker.start()
    server.start()
    Log.info("chorus listening", ["http": "http://\(bindHost):\(server.boundPort)", "media": "udp \(worker.localAddress)",
                                  "fingerprint": certificate.sha256Fingerprint])
    print("Chorus listening: API and web client on http://\(bindHost):\(server.boundPort)/, media on udp \(worker.localAddress)")
    fflush(stdout)

    let signals = [SIGINT, SIGTERM].map { number -> DispatchSourceSignal in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
        source.setEventHandler {
            Log.info("shutting down", ["signal": "\(number)"])
            server.stop()
            worker.stop()
            exit(0)
        }
        source.resume()
        return source
    }
    withExtendedLifetime(signals) { dispatchMain() }
}

func runToken(_ arguments: [String]) throws {
    let options = try Options(
        arguments, flags: ["--dev", "--publish", "--subscribe", "--admin", "--create", "--list"],
        values: ["--config", "--room", "--identity", "--name", "--ttl", "--api-key"])
    var apiKeys: [String: String]
    if options.flag("--dev") {
        apiKeys = [NodeConfiguration.devKey: NodeConfiguration.devSecret]
    } else if let path = options.value("--config") {
        apiKeys = try NodeConfiguration.load(path: path).apiKeys ?? [:]
        try checkSecrets(apiKeys)
    } else {
        throw CommandError("pass --dev or --config FILE so the token is signed with a configured secret")
    }
    let key = options.value("--api-key") ?? apiKeys.keys.sorted().first
    guard let key, let secret = apiKeys[key] else { throw CommandError("no API key to sign with") }
    guard let identity = options.value("--identity"), !identity.isEmpty else {
        throw CommandError("--identity is required")
    }
    let room = options.value("--room")
    if let room, !isValidRoomName(room) { throw CommandError("invalid room name \(room)") }
    let joins = options.flag("--publish") || options.flag("--subscribe")
    if (joins || options.flag("--admin")) && room == nil { throw CommandError("--room is required to join or administer a room") }
    let ttl = try parseDuration(options.value("--ttl") ?? "1h")
    let grants = VideoGrants(
        room: room, roomJoin: joins || (room != nil && !options.flag("--admin")),
        canPublish: options.flag("--publish"), canSubscribe: options.flag("--subscribe"),
        roomCreate: options.flag("--create"), roomList: options.flag("--list"), roomAdmin: options.flag("--admin"))
    let claims = AccessTokenClaims(
        issuer: key, identity: identity, name: options.value("--name"),
        expiresAt: Int(Date().timeIntervalSince1970) + ttl, grants: grants)
    print(AccessToken.sign(claims, secret: secret))
}

/// Rejects API secrets short enough to guess: HS256 keys should have at least 128 bits.
func checkSecrets(_ apiKeys: [String: String]) throws {
    for (key, secret) in apiKeys where secret.utf8.count < 16 {
        throw CommandError("the secret of API key \(key) has \(secret.utf8.count) bytes; use at least 16 random bytes")
    }
}
