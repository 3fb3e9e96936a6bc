import HTTPServer
import SFU

/// A request the API rejects, with its HTTP status and a stable error code.
struct APIError: Error {
    var status: Int
    var code: String
    var message: String
    var headers: [(String, String)] = []

    static func unauthorized(_ message: String) -> APIError {
        APIError(status: 401, code: "unauthorized", message: message, headers: [("WWW-Authenticate", "Bearer")])
    }

    static func forbidden(_ message: String) -> APIError {
        APIError(status: 403, code: "forbidden", message: message)
    }

    static func badRequest(_ message: String, code: String = "invalid_request") -> APIError {
        APIError(status: 400, code: code, message: message)
    }

    static func notFound(_ message: String) -> APIError {
        APIError(status: 404, code: "not_found", message: message)
    }

    var response: HTTPResponse {
        HTTPResponse.json(status, ["error": ["code": code, "message": message]], headers: headers)
    }
}

extension APIError {
    /// Maps an SFU error to its status code; the one place that decides it.
    init(_ error: SFUError) {
        let status: Int
        switch error.kind {
        case .roomNotFound, .participantNotFound, .sessionNotFound, .notPublishing, .trackNotFound: status = 404
        case .roomExists, .alreadyPublishing: status = 409
        case .roomFull, .notAllowed: status = 403
        case .invalidOffer, .invalidArgument: status = 400
        case .unavailable: status = 503
        }
        self.init(status: status, code: error.code, message: error.message)
    }
}
