import Foundation
import Hummingbird
import QwenKit

/// An error answered in OpenAI's shape, `{"error": {"message", "type", "param", "code"}}`, with
/// its HTTP status.
///
/// ```swift
/// throw APIError.invalidValue(param: "temperature", "must be >= 0")
/// ```
public struct APIError: Error, CustomStringConvertible, Equatable, HTTPResponseError {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// What went wrong, for people.
    public var message: String
    /// OpenAI's error type (`invalid_request_error`, `authentication_error`, ...).
    public var type: String
    /// The request field at fault, when there is one.
    public var param: String?
    /// A stable code for programs (`context_length_exceeded`, `invalid_api_key`, ...).
    public var code: String?
    /// Seconds after which a client may retry, sent as `Retry-After`.
    public var retryAfter: Int?

    /// Creates an error.
    public init(
        status: HTTPResponse.Status, message: String, type: String, param: String? = nil, code: String? = nil,
        retryAfter: Int? = nil
    ) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.retryAfter = retryAfter
    }

    public var description: String {
        param.map { "\($0): \(message)" } ?? message
    }

    /// A field with the wrong type or a value out of range (400).
    public static func invalidValue(param: String, _ message: String) -> APIError {
        APIError(status: .badRequest, message: "\(param) \(message)", type: "invalid_request_error", param: param)
    }

    /// A well-formed request the server cannot serve (400).
    public static func unsupported(param: String, _ message: String) -> APIError {
        APIError(
            status: .badRequest, message: "\(param): \(message)", type: "invalid_request_error", param: param,
            code: "unsupported_value")
    }

    /// A body that is not JSON (400).
    public static func invalidJSON(_ error: any Error) -> APIError {
        APIError(
            status: .badRequest, message: "request body is not valid JSON: \(error)", type: "invalid_request_error")
    }

    /// A request body that could not be read whole: cut short by the client or with broken
    /// chunked framing (400).
    public static func unreadableBody(_ error: any Error) -> APIError {
        APIError(status: .badRequest, message: "request body could not be read: \(error)", type: "invalid_request_error")
    }

    /// A prompt that leaves no room in the context (400); `param` names the field that holds it
    /// (`messages` or `prompt`).
    public static func contextLengthExceeded(promptTokens: Int, contextLength: Int, param: String) -> APIError {
        APIError(
            status: .badRequest,
            message: "the prompt has \(promptTokens) tokens; this model's context holds \(contextLength)",
            type: "invalid_request_error", param: param, code: "context_length_exceeded")
    }

    /// A missing or wrong API key (401).
    public static let invalidAPIKey = APIError(
        status: .unauthorized, message: "missing or incorrect API key (send it as 'Authorization: Bearer KEY')",
        type: "invalid_request_error", code: "invalid_api_key")

    /// A full queue (429).
    public static func queueFull(retryAfter: Int) -> APIError {
        APIError(
            status: .tooManyRequests, message: "the server is busy; retry in \(retryAfter) s",
            type: "rate_limit_error", code: "rate_limit_exceeded", retryAfter: retryAfter)
    }

    /// A body larger than the server accepts (413).
    public static func bodyTooLarge(limit: Int) -> APIError {
        APIError(
            status: .contentTooLarge, message: "request body is larger than \(limit) bytes",
            type: "invalid_request_error")
    }

    /// A path with no route (404).
    public static func notFound(_ path: String) -> APIError {
        APIError(status: .notFound, message: "no route for \(path)", type: "invalid_request_error", code: "not_found")
    }

    /// An unexpected failure (500).
    public static func internalError(_ error: any Error) -> APIError {
        APIError(status: .internalServerError, message: "\(error)", type: "server_error")
    }

    /// Maps any error a route throws to the error the client sees.
    static func from(_ error: any Error, path: String) -> APIError {
        switch error {
        case let error as APIError: error
        case let error as SamplingParametersError:
            if case .outOfRange(let field, _, _) = error {
                APIError(status: .badRequest, message: error.description, type: "invalid_request_error", param: field)
            } else {
                .internalError(error)
            }
        case let error as HTTPError where error.status == .notFound: .notFound(path)
        case let error as any HTTPResponseError:
            APIError(status: error.status, message: "\(error)", type: "invalid_request_error")
        default: .internalError(error)
        }
    }

    /// The OpenAI error object.
    var json: JSONValue {
        [
            "error": [
                "message": .string(message), "type": .string(type), "param": param.map(JSONValue.string) ?? .null,
                "code": code.map(JSONValue.string) ?? .null,
            ]
        ]
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(
            status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: json.serialized())))
    }
}
