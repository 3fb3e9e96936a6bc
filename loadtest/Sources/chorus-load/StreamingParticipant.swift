import Foundation
import HTTPServer
import SDP
import Wire

/// A participant of plain streaming: a publisher sends with WHIP (RFC 9725), a subscriber receives each of its
/// room's publishers with a WHEP session of its own. Callbacks run on the HTTP client's thread.
final class StreamingParticipant {
    let plan: ParticipantPlan
    private let context: RunContext
    private let token: String
    /// Session URLs from the Location headers, deleted when the participant leaves.
    private var sessions: [ClientURL] = []

    init(plan: ParticipantPlan, context: RunContext) {
        self.plan = plan
        self.context = context
        token = context.signer.token(
            room: plan.room, identity: plan.identity, publish: plan.publishes, subscribe: plan.subscribes,
            validSeconds: context.tokenLifetimeSeconds)
    }

    /// Sends the WHIP offer, or one WHEP offer per publisher. Safe to call from any thread.
    func start() {
        context.status.update(plan.index) { $0.startedAt = Instant.now().microseconds }
        context.client.post { [self] in
            do {
                if plan.publishes { try publish() }
                if plan.subscribes {
                    for publisher in plan.receivesFrom { try subscribe(to: publisher) }
                }
            } catch {
                context.status.recordError(plan.index, "\(error)")
            }
        }
    }

    /// Deletes every session (RFC 9725 section 4.4). Safe to call from any thread.
    func leave() {
        context.client.runOnServiceThread { [self] in
            for url in sessions {
                let request = HTTPClientRequest(
                    method: "DELETE", url: url, headers: [("Authorization", "Bearer \(token)")])
                context.client.send(request) { _ in }
            }
        }
    }

    private func publish() throws {
        let transport = try context.makeTransport(for: plan, role: .publisher)
        let publishPlan = context.publishPlan(for: plan)
        context.loop(for: plan).adopt(transport)
        let offer = ClientSDP.publishOffer(local: transport.local, plan: publishPlan)
        post(path: "/v1/rooms/\(plan.room)/whip", offer: offer) { [self] answer in
            try context.startPublishing(transport, plan: plan, publishPlan: publishPlan, answer: answer)
        }
    }

    private func subscribe(to publisher: String) throws {
        let transport = try context.makeTransport(for: plan, role: .subscriber)
        context.status.update(plan.index) { $0.subscriberTransports += 1 }
        context.loop(for: plan).adopt(transport)
        let offer = ClientSDP.receiveOffer(
            local: transport.local, audio: context.options.audio, video: context.options.video)
        let query = publisher.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? publisher
        post(path: "/v1/rooms/\(plan.room)/whep?participant=\(query)", offer: offer) { [self] answer in
            let slots = answer.sendingSlots(tracks: [:], defaultPublisher: publisher).map { slot in
                var copy = slot
                copy.publisher = publisher
                return copy
            }
            context.status.update(plan.index) { $0.tracksOffered += slots.count }
            context.startReceiving(transport, plan: plan, slots: slots, remote: try answer.remoteTransport())
        }
    }

    /// POSTs an SDP offer and hands the parsed answer of a 201 response to `answered`.
    private func post(path: String, offer: String, answered: @escaping (SessionDescription) throws -> Void) {
        let request = HTTPClientRequest(
            method: "POST", url: context.baseURL.replacingPath(path),
            headers: [("Content-Type", "application/sdp"), ("Authorization", "Bearer \(token)")],
            body: Array(offer.utf8))
        context.client.send(request) { [self] result in
            do {
                let response = try result.get()
                guard response.status == 201 else {
                    let body = String(decoding: response.body.prefix(300), as: UTF8.self)
                    throw RemoteDescriptionError.invalid("POST \(path) returned \(response.status): \(body)")
                }
                if let location = response.headers.first(where: { $0.0 == "location" })?.1 {
                    sessions.append(
                        location.hasPrefix("/")
                            ? context.baseURL.replacingPath(location)
                            : ClientURL(location) ?? context.baseURL.replacingPath(location))
                }
                let answer = try SessionDescription.parse(String(decoding: response.body, as: UTF8.self))
                context.status.update(plan.index) { entry in
                    if entry.joinedAt == nil { entry.joinedAt = Instant.now().microseconds }
                }
                try answered(answer)
            } catch {
                context.status.recordError(plan.index, "\(error)")
            }
        }
    }
}
