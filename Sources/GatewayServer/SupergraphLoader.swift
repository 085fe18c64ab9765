import Foundation
import GatewayConfig
import GatewayEdge
import GatewayExecution
import GatewayJSON
import GraphQLSupport
import Logging
import Supergraph
import Upstream

/// A subgraph that could not be introspected.
public struct IntrospectionFailure: Error, Sendable, CustomStringConvertible {
    public var subgraph: String
    public var url: String
    public var reason: String
    public var description: String { "Subgraph \(subgraph) at \(url) could not be introspected: \(reason)" }
}

/// Everything that can stop the gateway from composing, each with a message a user can act on.
public enum LoadError: Error, Sendable, CustomStringConvertible {
    case configuration(ConfigErrors)
    case introspection([IntrospectionFailure])
    case composition(CompositionErrors)

    public var description: String {
        switch self {
        case .configuration(let errors): return errors.description
        case .introspection(let failures): return failures.map(\.description).joined(separator: "\n")
        case .composition(let errors): return errors.description
        }
    }
}

/// gateway.yaml to supergraph: decode the file, introspect every subgraph (waiting for it
/// with backoff), resolve models and relationships against the schemas, compose.
public enum SupergraphLoader {
    /// - Parameters:
    ///   - path: the gateway.yaml file.
    ///   - environment: for `${VAR}` interpolation.
    ///   - client: the upstream client used for introspection.
    ///   - wait: how long to wait for subgraphs that do not answer yet (0: one try each).
    public static func load(
        path: String, environment: [String: String] = ProcessInfo.processInfo.environment, client: UpstreamClient,
        wait: Duration = .seconds(60), logger: Logger
    ) async throws(LoadError) -> Supergraph {
        var raw: RawConfig
        var subgraphs: [SubgraphConfig]
        do {
            raw = try ConfigLoader.load(path: path, environment: environment)
        } catch {
            throw .configuration(error)
        }
        // These stages need no schema: their mistakes are reported before waiting for subgraphs.
        let resolvedSubgraphs = Result { () throws(ConfigErrors) in try ConfigLoader.resolveSubgraphs(raw) }
        let early = [
            resolvedSubgraphs.map { _ in () },
            Result { () throws(ConfigErrors) in _ = try ConfigLoader.resolveLimits(raw) },
            Result { () throws(ConfigErrors) in _ = try ConfigLoader.resolveReload(raw) },
            Result { () throws(ConfigErrors) in _ = try ConfigLoader.resolveTelemetry(raw) },
        ]
        let earlyErrors = early.flatMap { result -> [ConfigError] in
            if case .failure(let error) = result { return error.errors }
            return []
        }
        guard earlyErrors.isEmpty, case .success(let resolved) = resolvedSubgraphs else {
            throw .configuration(ConfigErrors(earlyErrors))
        }
        subgraphs = resolved
        var schemas = try await introspectAll(subgraphs, client: client, wait: wait, logger: logger)
        // A subgraph that names no protocol but serves `_service` and `_entities` is an Apollo
        // Federation subgraph.
        for index in raw.subgraphs.indices where raw.subgraphs[index].protocol == nil {
            let name = raw.subgraphs[index].name.value
            guard let query = schemas[name]?.query, query.field("_service") != nil, query.field("_entities") != nil else { continue }
            raw.subgraphs[index].protocol = Located(.federation, at: raw.subgraphs[index].location)
            logger.info("detected an Apollo Federation subgraph (it serves _service and _entities)", metadata: ["subgraph": "\(name)"])
        }
        do {
            subgraphs = try ConfigLoader.resolveSubgraphs(raw)
        } catch {
            throw .configuration(error)
        }
        let federation = try await readFederation(subgraphs, schemas: &schemas, client: client)
        let configuration: GatewayConfiguration
        do {
            configuration = try ConfigLoader.resolve(raw, schemas: schemas)
            // The allow-list's operations must parse before the gateway serves with it.
            _ = try PersistedQueries(configuration.persistedQueries)
        } catch {
            throw .configuration(error)
        }
        do {
            let supergraph = try Composer.compose(
                subgraphs: configuration.subgraphs.compactMap { subgraph in schemas[subgraph.name].map { (subgraph.name, $0) } },
                configuration: configuration, federation: federation)
            logger.info("composed the supergraph", metadata: [
                "subgraphs": "\(configuration.subgraphs.count)", "models": "\(configuration.models.count)",
                "relationships": "\(configuration.relationships.count)",
            ])
            return supergraph
        } catch {
            throw .composition(error)
        }
    }

    /// Reads `_service { sdl }` of every `protocol: federation` subgraph, and strips the
    /// router's fields and types from its introspected schema.
    static func readFederation(
        _ subgraphs: [SubgraphConfig], schemas: inout [String: SchemaModel], client: UpstreamClient
    ) async throws(LoadError) -> [String: FederationSchema] {
        var federation: [String: FederationSchema] = [:]
        var failures: [IntrospectionFailure] = []
        var errors: [CompositionError] = []
        let body = Array(#"{"query":"{ _service { sdl } }"}"#.utf8)
        for subgraph in subgraphs where subgraph.protocol == .federation {
            let sdl: String
            do {
                let json = try await client.postJSON(
                    url: subgraph.url, body: body, headers: subgraph.upstreamHeaders, timeouts: subgraph.upstreamTimeouts)
                guard let text = json["data"]?["_service"]?["sdl"]?.stringValue else {
                    let reason = json["errors"]?.arrayValue?.first?["message"]?.stringValue ?? "it answered no _service { sdl }"
                    failures.append(IntrospectionFailure(
                        subgraph: subgraph.name, url: subgraph.url,
                        reason: "protocol: federation, but \(reason); is it an Apollo Federation v2 subgraph?"))
                    continue
                }
                sdl = text
            } catch {
                failures.append(IntrospectionFailure(subgraph: subgraph.name, url: subgraph.url, reason: error.message))
                continue
            }
            do {
                let schema = try FederationSchema(sdl: sdl, subgraph: subgraph.name)
                federation[subgraph.name] = schema
                if let introspected = schemas[subgraph.name] { schemas[subgraph.name] = schema.strip(introspected) }
            } catch {
                errors += error.errors
            }
        }
        guard failures.isEmpty else { throw .introspection(failures) }
        guard errors.isEmpty else { throw .composition(CompositionErrors(errors: errors)) }
        return federation
    }

    /// Introspects all subgraphs concurrently.
    static func introspectAll(
        _ subgraphs: [SubgraphConfig], client: UpstreamClient, wait: Duration, logger: Logger
    ) async throws(LoadError) -> [String: SchemaModel] {
        let results = await withTaskGroup(of: (String, Result<SchemaModel, IntrospectionFailure>).self) { group in
            for subgraph in subgraphs {
                group.addTask {
                    (subgraph.name, await introspect(subgraph, client: client, wait: wait, logger: logger))
                }
            }
            var results: [String: Result<SchemaModel, IntrospectionFailure>] = [:]
            for await (name, result) in group { results[name] = result }
            return results
        }
        var schemas: [String: SchemaModel] = [:]
        var failures: [IntrospectionFailure] = []
        for subgraph in subgraphs {
            switch results[subgraph.name]! {
            case .success(let schema): schemas[subgraph.name] = schema
            case .failure(let failure): failures.append(failure)
            }
        }
        guard failures.isEmpty else { throw .introspection(failures) }
        return schemas
    }

    /// Introspects one subgraph, retrying with exponential backoff (100 ms doubling to 2 s)
    /// while it does not answer, until `wait` has passed.
    public static func introspect(
        _ subgraph: SubgraphConfig, client: UpstreamClient, wait: Duration, logger: Logger
    ) async -> Result<SchemaModel, IntrospectionFailure> {
        let deadline = ContinuousClock.now + wait
        var delay = Duration.milliseconds(100)
        var attempt = 1
        let body = Array(JSON.object(["query": .string(SchemaModel.introspectionQuery)]).description.utf8)
        while true {
            var reason: String
            do {
                let json = try await client.postJSON(
                    url: subgraph.url, body: body, headers: subgraph.upstreamHeaders, timeouts: subgraph.upstreamTimeouts)
                do {
                    let schema = try SchemaModel(introspection: json)
                    logger.info("introspected subgraph", metadata: [
                        "subgraph": "\(subgraph.name)", "url": "\(subgraph.url)", "types": "\(schema.types.count)",
                    ])
                    return .success(schema)
                } catch {
                    // An answer that is not a schema will not get better by waiting.
                    return .failure(IntrospectionFailure(subgraph: subgraph.name, url: subgraph.url, reason: error.message))
                }
            } catch {
                reason = error.message
                if case .httpStatus = error.kind {
                    return .failure(IntrospectionFailure(subgraph: subgraph.name, url: subgraph.url, reason: reason))
                }
            }
            // Cancelled (a reload cut short by shutdown): sleeping would not wait, and retrying
            // until the deadline would spin.
            guard ContinuousClock.now + delay < deadline, !Task.isCancelled else {
                return .failure(IntrospectionFailure(subgraph: subgraph.name, url: subgraph.url, reason: reason))
            }
            logger.info("waiting for subgraph", metadata: [
                "subgraph": "\(subgraph.name)", "url": "\(subgraph.url)", "attempt": "\(attempt)", "reason": "\(reason)",
            ])
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(2))
            attempt += 1
        }
    }
}
