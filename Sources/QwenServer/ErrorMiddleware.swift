import Hummingbird

/// Answers every error in OpenAI's error shape and counts each request by route and status.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = try APIError.from(error, path: path).response(from: request, context: context)
        }
        metrics.recordRequest(path: Self.knownRoutes.contains(path) ? path : "other", status: response.status.code)
        return response
    }

    /// Routes counted under their own path; anything else counts as `other`, so clients cannot
    /// grow the metric without bound.
    static var knownRoutes: Set<String> {
        ["/v1/chat/completions", "/v1/completions", "/v1/models", "/health", "/metrics"]
    }
}
