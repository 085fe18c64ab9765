import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization

/// The gateway's HTTP server: HummingbirdCore's HTTP/1.1 server with a responder that answers
/// `POST /graphql` directly and hands every other request to a Hummingbird router.
///
/// Hummingbird's `Application` gives every request a logger with a fresh request id, a task-local
/// logger scope, a request context and a route lookup before the handler runs; the GraphQL
/// endpoint uses none of them, and it is the one request that must be cheap. The rest (`/health`,
/// `/ready`, `/metrics`, `/explain`, `GET /graphql`) keeps the router and its context.
struct GatewayApplication<Router: HTTPResponder>: ApplicationProtocol where Router.Context == BasicRequestContext {
    typealias Responder = Router

    let router: Router
    /// Answers `POST /graphql` (any query string).
    let graphQLPost: @Sendable (Request) async -> Response
    let configuration: ApplicationConfiguration
    let serverConfiguration: ServerConfiguration
    let logger: Logger
    let onRunning: @Sendable (any Channel) async -> Void

    var responder: Router { router }

    func onServerRunning(_ channel: any Channel) async { await onRunning(channel) }

    func run() async throws {
        let dates = HTTPDateCache()
        let (router, graphQLPost, logger, serverName) = (router, graphQLPost, logger, serverConfiguration.serverName)
        let server = try HTTPServerBuilder.http1().buildServer(
            configuration: serverConfiguration, eventLoopGroup: eventLoopGroup, logger: logger,
            responder: { request, writer, channel in
                var response: Response
                if request.method == .post, request.uri.path == "/graphql" {
                    response = await graphQLPost(request)
                } else {
                    let context = BasicRequestContext(source: .init(channel: channel, logger: logger))
                    do {
                        response = try await router.respond(to: request, context: context)
                    } catch let error as HTTPParserError {
                        throw error
                    } catch {
                        logger.debug("Unrecognised error", metadata: ["error.type": "\(error)"])
                        response = Response(status: .internalServerError, body: .init())
                    }
                }
                response.headers[.date] = dates.current
                if let serverName { response.headers[.server] = serverName }
                try await writer.write(response: response.head, body: response.body)
            },
            onServerRunning: { await self.onServerRunning($0) })
        try await ServiceGroup(configuration: .init(services: [server], logger: logger)).run()
    }
}

/// The `Date` header's value (RFC 9110 IMF-fixdate), formatted once per second.
final class HTTPDateCache: Sendable {
    private let cached = Mutex<(second: Int, text: String)>((-1, ""))

    var current: String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME_COARSE, &now)
        let second = now.tv_sec
        return cached.withLock { cached in
            if cached.second != second { cached = (second, Self.format(second)) }
            return cached.text
        }
    }

    static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// `Sun, 06 Nov 1994 08:49:37 GMT` for seconds since 1970.
    static func format(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
