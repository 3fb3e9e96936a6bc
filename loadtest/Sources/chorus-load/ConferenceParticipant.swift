import Foundation
import HTTPServer
import SDP
import Wire

/// A participant that joins with the conference signaling protocol on `/v1/rtc`: it publishes on one peer
/// connection (it offers, the server answers) and receives on another (the server offers, it answers), as
/// docs/signaling.md describes. Everything here runs on the HTTP client's thread.
final class ConferenceParticipant: WebSocketClientHandler {
    let plan: ParticipantPlan
    private let context: RunContext
    private var socket: WebSocketClient?
    private var publisher: PeerTransport?
    private var publishPlan: PublishPlan?
    private var subscriber: PeerTransport?
    private var leaving = false

    init(plan: ParticipantPlan, context: RunContext) {
        self.plan = plan
        self.context = context
    }

    /// Opens the signaling WebSocket. Safe to call from any thread.
    func start() {
        context.status.update(plan.index) { $0.startedAt = Instant.now().microseconds }
        let token = context.signer.token(
            room: plan.room, identity: plan.identity, publish: plan.publishes, subscribe: plan.subscribes,
            validSeconds: context.tokenLifetimeSeconds)
        let url = context.baseURL.replacingPath("/v1/rtc?access_token=\(token)")
        context.client.post { [self] in
            socket = context.client.webSocket(url, handler: self)
        }
    }

    /// Sends `leave`; the server then closes the WebSocket. Safe to call from any thread.
    func leave() {
        context.client.runOnServiceThread { [self] in
            leaving = true
            send(["type": "leave"])
        }
    }

    // MARK: WebSocketClientHandler

    func webSocketDidOpen(_ socket: WebSocketClient) {}

    func webSocket(_ socket: WebSocketClient, didReceiveText text: String) {
        guard let message = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any],
            let type = message["type"] as? String
        else {
            context.status.recordError(plan.index, "signaling: the server sent a message that is not a JSON object")
            return
        }
        do {
            switch type {
            case "joined":
                try joined()
            case "publish_answer":
                try publishAnswered(message)
            case "subscriber_offer":
                try subscriberOffered(message)
            case "error":
                let code = message["code"] as? String ?? "unknown"
                let detail = message["message"] as? String ?? ""
                context.status.recordError(plan.index, "signaling error \(code): \(detail)")
            case "leave":
                if !leaving {
                    context.status.recordError(
                        plan.index, "the server removed the participant: \(message["reason"] ?? "")")
                }
            default:
                break
            }
        } catch {
            context.status.recordError(plan.index, "\(type): \(error)")
        }
    }

    func webSocketDidClose(_ socket: WebSocketClient, code: Int, reason: String) {
        let now = Instant.now().microseconds
        context.status.update(plan.index) { entry in
            entry.leftAt = now
            if !leaving, entry.errors.count < 10 {
                entry.errors.append("signaling closed with \(code)\(reason.isEmpty ? "" : ": \(reason)")")
            }
        }
    }

    // MARK: Messages

    private func joined() throws {
        context.status.update(plan.index) { $0.joinedAt = Instant.now().microseconds }
        guard plan.publishes, publisher == nil else { return }
        let transport = try context.makeTransport(for: plan, role: .publisher)
        let publishPlan = context.publishPlan(for: plan)
        publisher = transport
        self.publishPlan = publishPlan
        context.loop(for: plan).adopt(transport)

        // `e2ee` is not in protocol version 1, which ignores unknown fields. A server that supports it then does
        // not read the payloads.
        let encrypted = context.options.e2ee
        var tracks: [[String: Any]] = []
        if publishPlan.audioSSRC != nil {
            tracks.append(["mid": PublishPlan.audioMid, "kind": "audio", "source": "microphone", "e2ee": encrypted])
        }
        if !publishPlan.videoSSRCs.isEmpty {
            var track: [String: Any] = [
                "mid": PublishPlan.videoMid, "kind": "video", "source": "camera", "e2ee": encrypted,
            ]
            if publishPlan.simulcast {
                let bitrate = context.options.videoBitrate
                track["layers"] = [
                    ["rid": "q", "width": 320, "height": 180, "bitrate": bitrate / 16],
                    ["rid": "h", "width": 640, "height": 360, "bitrate": bitrate / 4],
                    ["rid": "f", "width": 1280, "height": 720, "bitrate": bitrate],
                ]
            }
            tracks.append(track)
        }
        send([
            "type": "publish", "sdp": ClientSDP.publishOffer(local: transport.local, plan: publishPlan),
            "tracks": tracks,
        ])
    }

    private func publishAnswered(_ message: [String: Any]) throws {
        guard let publisher, let publishPlan else { return }
        guard let sdp = message["sdp"] as? String else {
            throw RemoteDescriptionError.invalid("publish_answer has no sdp")
        }
        let answer = try SessionDescription.parse(sdp)
        try context.startPublishing(publisher, plan: plan, publishPlan: publishPlan, answer: answer)
    }

    private func subscriberOffered(_ message: [String: Any]) throws {
        guard let sdp = message["sdp"] as? String else {
            throw RemoteDescriptionError.invalid("subscriber_offer has no sdp")
        }
        let offer = try SessionDescription.parse(sdp)
        var isFirst = false
        if subscriber == nil {
            subscriber = try context.makeTransport(for: plan, role: .subscriber)
            isFirst = true
        }
        guard let subscriber else { return }
        if isFirst {
            context.status.update(plan.index) { $0.subscriberTransports += 1 }
            context.loop(for: plan).adopt(subscriber)
        }

        var tracks: [String: (trackSid: String, publisher: String)] = [:]
        for entry in message["tracks"] as? [[String: Any]] ?? [] {
            guard let mid = entry["mid"] as? String, let sid = entry["trackSid"] as? String else { continue }
            tracks[mid] = (sid, entry["participant"] as? String ?? "")
        }
        let slots = offer.sendingSlots(tracks: tracks, defaultPublisher: "")
        send(["type": "subscriber_answer", "sdp": ClientSDP.answer(toSendingOffer: offer, local: subscriber.local)])
        context.status.update(plan.index) { entry in
            entry.tracksOffered = max(entry.tracksOffered, slots.count)
        }
        context.startReceiving(
            subscriber, plan: plan, slots: slots, remote: isFirst ? try offer.remoteTransport() : nil)
    }

    private func send(_ message: [String: Any]) {
        guard let socket,
            let data = try? JSONSerialization.data(withJSONObject: message, options: [.withoutEscapingSlashes])
        else { return }
        socket.send(text: String(decoding: data, as: UTF8.self))
    }
}
