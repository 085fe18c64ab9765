import Foundation
import GraphQLSupport
import Yams

/// Reads gateway.yaml and resolves it in ordered stages, each taking the earlier stages' outputs:
///
/// 1. ``decode(yaml:file:environment:)``: YAML text to ``RawConfig`` (typed, located, no names checked);
/// 2. ``resolveSubgraphs(_:)``: ``SubgraphConfig``s (names, URLs, timeouts, headers, propagated
///    headers), ``resolveLimits(_:)``: the ``OperationLimits`` (ranges, defaults),
///    ``resolveReload(_:)``: the ``ReloadSettings``, and ``resolveTelemetry(_:)``: the ``TelemetrySettings``;
/// 3. ``resolveModels(_:subgraphs:schemas:)``: ``ModelConfig``s checked against the subgraphs' schemas;
/// 4. ``resolveRelationships(_:models:schemas:)``: ``RelationshipConfig``s checked against models and schemas.
///
/// Every stage reports all the mistakes it finds, each with its file, line and column; a stage
/// does not run when an earlier one failed, since its mistakes would mostly be echoes.
public enum ConfigLoader {
    // MARK: Stage 1: decode

    /// Reads the configuration file at `path` and decodes it.
    ///
    /// - Parameters:
    ///   - path: the file; its path as given names it in error locations.
    ///   - environment: values for `${NAME}` substitutions; default the process environment.
    public static func load(
        path: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigErrors) -> RawConfig {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigErrors([ConfigError(.unreadableFile, "configuration file \(path) does not exist", at: nil)])
        }
        guard !isDirectory.boolValue else {
            throw ConfigErrors([
                ConfigError(.unreadableFile, "configuration file \(path) is a directory, not a file", at: nil)
            ])
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigErrors([ConfigError(.unreadableFile, "cannot read configuration file \(path)", at: nil)])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigErrors([
                ConfigError(.unreadableFile, "configuration file \(path) is not valid UTF-8 text", at: nil)
            ])
        }
        return try decode(yaml: text, file: path, environment: environment)
    }

    /// Decodes configuration text into typed values that keep their locations, substituting
    /// environment variables in string values.
    ///
    /// - Parameters:
    ///   - yaml: the file's text.
    ///   - file: the name used in error locations (`gateway.yaml`).
    ///   - environment: values for `${NAME}` substitutions; default the process environment.
    public static func decode(
        yaml: String, file: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigErrors) -> RawConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigErrors([syntaxError(error, file: file)])
        }
        guard let root, !NodeReader.isNull(root) else {
            throw ConfigErrors([
                ConfigError(
                    .wrongNodeKind,
                    "the file is empty; expected a mapping with the keys \(Suggestions.list(ConfigDecoder.topKeys))",
                    at: SourceLocation(file: file, line: 1, column: 1))
            ])
        }
        var decoder = ConfigDecoder(reader: NodeReader(file: file, environment: environment))
        let raw = decoder.decode(root)
        guard let raw, decoder.reader.errors.isEmpty else { throw ConfigErrors(decoder.reader.errors) }
        return raw
    }

    static func syntaxError(_ error: any Error, file: String) -> ConfigError {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        guard let error = error as? YamlError else {
            return ConfigError(.yamlSyntax, "invalid YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var message = "invalid YAML: \(problem)"
            if let context {
                message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            return ConfigError(.yamlSyntax, message, at: at(mark))
        case .reader(let problem, let offset, _, let yaml):
            var location = SourceLocation(file: file, line: 1, column: 1)
            if let offset {
                for character in yaml.prefix(offset) {
                    if character == "\n" {
                        location.line += 1
                        location.column = 1
                    } else {
                        location.column += 1
                    }
                }
            }
            return ConfigError(.yamlSyntax, "invalid YAML: \(problem)", at: location)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            let noun = duplicates.count == 1 ? "key" : "keys"
            return ConfigError(
                .yamlSyntax, "invalid YAML: duplicate \(noun) \(keys) in one mapping; each key may appear once",
                at: at(context.mark))
        default:
            return ConfigError(.yamlSyntax, "invalid YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }

    // MARK: All stages

    /// Runs the resolving stages in order: subgraphs, limits, reload, models, relationships.
    ///
    /// - Parameters:
    ///   - schemas: each subgraph's schema, keyed by subgraph name.
    public static func resolve(_ raw: RawConfig, schemas: [String: SchemaModel]) throws(ConfigErrors)
        -> GatewayConfiguration
    {
        let subgraphs = try resolveSubgraphs(raw)
        let limits = try resolveLimits(raw)
        let persistedQueries = try resolvePersistedQueries(raw)
        let traffic = try resolveTraffic(raw)
        let reload = try resolveReload(raw)
        let telemetry = try resolveTelemetry(raw)
        let models = try resolveModels(raw, subgraphs: subgraphs, schemas: schemas)
        let relationships = try resolveRelationships(raw, models: models, schemas: schemas)
        return GatewayConfiguration(
            subgraphs: subgraphs, models: models, relationships: relationships, limits: limits, persistedQueries: persistedQueries,
            traffic: traffic, reload: reload, telemetry: telemetry)
    }
}
