import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Takes the body of a successful (2xx) response as it arrives, e.g. into a file.
protocol HTTPBodyReceiver: AnyObject, Sendable {
    /// Called once with the response before any of its body; throwing cancels the transfer.
    func begin(_ response: HTTPURLResponse) throws
    /// Called with each piece of the body, in order; throwing cancels the transfer.
    func append(_ data: Data) throws
}

/// One HTTP request through `URLSession` (Foundation on Apple platforms, FoundationNetworking
/// on Linux), with a say over which redirects are followed and the body streamed to a receiver.
final class HTTPTransfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    /// A response and its body (empty when a receiver took a 2xx body).
    struct Result {
        let response: HTTPURLResponse
        let body: Data
    }

    /// The most bytes of a body kept in memory (metadata, error pages); a receiver takes downloads.
    static let maximumBufferedBody = 64 << 20

    private let followRedirect: @Sendable (URL, URL) -> Bool
    private let receiver: HTTPBodyReceiver?
    private let lock = NSLock()
    private var response: HTTPURLResponse?
    private var body = Data()
    private var streaming = false
    private var receiverError: Error?
    private var continuation: CheckedContinuation<Result, Error>?

    private init(followRedirect: @escaping @Sendable (URL, URL) -> Bool, receiver: HTTPBodyReceiver?) {
        self.followRedirect = followRedirect
        self.receiver = receiver
    }

    /// Sends `request`. A redirect from URL a to URL b is followed when `followRedirect(a, b)`,
    /// without the `Authorization` header when b is on another origin; otherwise the redirect
    /// response itself is the result. Transport failures throw `URLError`; the receiver's
    /// errors are rethrown.
    static func perform(
        _ request: URLRequest, timeout: TimeInterval = 60,
        followRedirect: @escaping @Sendable (URL, URL) -> Bool, receiver: HTTPBodyReceiver? = nil
    ) async throws -> Result {
        let transfer = HTTPTransfer(followRedirect: followRedirect, receiver: receiver)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.urlCache = nil
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let session = URLSession(configuration: configuration, delegate: transfer, delegateQueue: queue)
        defer { session.finishTasksAndInvalidate() }
        let task = session.dataTask(with: request)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.lock.withLock { transfer.continuation = continuation }
                task.resume()
            }
        } onCancel: {
            task.cancel()
        }
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
    ) {
        guard let from = response.url ?? task.currentRequest?.url, let to = request.url, followRedirect(from, to) else {
            completionHandler(nil)
            return
        }
        var next = request
        if !Self.sameOrigin(from, to) { next.setValue(nil, forHTTPHeaderField: "Authorization") }
        completionHandler(next)
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void
    ) {
        guard let http = response as? HTTPURLResponse else {
            completionHandler(.cancel)
            return
        }
        lock.withLock { self.response = http }
        if let receiver, (200..<300).contains(http.statusCode) {
            do {
                try receiver.begin(http)
                lock.withLock { streaming = true }
            } catch {
                lock.withLock { receiverError = error }
                completionHandler(.cancel)
                return
            }
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let (streaming, failed) = lock.withLock { (self.streaming, receiverError != nil) }
        guard !failed else { return }
        guard streaming, let receiver else {
            let fits = lock.withLock {
                guard body.count + data.count <= Self.maximumBufferedBody else {
                    receiverError = HubError.badResponse(
                        url: dataTask.originalRequest?.url?.absoluteString ?? "",
                        reason: "the response is larger than \(Self.maximumBufferedBody >> 20) MiB")
                    return false
                }
                body.append(data)
                return true
            }
            if !fits { dataTask.cancel() }
            return
        }
        do {
            try receiver.append(data)
        } catch {
            lock.withLock { receiverError = error }
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        let (continuation, response, body, receiverError) = lock.withLock {
            defer { self.continuation = nil }
            return (self.continuation, self.response ?? task.response as? HTTPURLResponse, self.body, self.receiverError)
        }
        if let receiverError {
            continuation?.resume(throwing: receiverError)
        } else if let error {
            continuation?.resume(throwing: error)
        } else if let response {
            continuation?.resume(returning: Result(response: response, body: body))
        } else {
            continuation?.resume(throwing: URLError(.badServerResponse))
        }
    }

    /// Whether two URLs have the same scheme, host and port.
    static func sameOrigin(_ a: URL, _ b: URL) -> Bool {
        a.scheme?.lowercased() == b.scheme?.lowercased() && a.host?.lowercased() == b.host?.lowercased() && a.port == b.port
    }
}
