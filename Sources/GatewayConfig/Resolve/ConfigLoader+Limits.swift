import Foundation

extension ConfigLoader {
    // MARK: Stage: limits

    /// Checks `limits:` and fills in the defaults of the keys not given. Needs no other stage's
    /// output, so it can run (and report) before the subgraphs are introspected.
    public static func resolveLimits(_ raw: RawConfig) throws(ConfigErrors) -> OperationLimits {
        var limits = OperationLimits()
        guard let given = raw.limits else { return limits }
        var errors: [ConfigError] = []
        func read(_ value: Located<Int>?, _ key: String, into target: inout Int, unit: String = "") {
            guard let value else { return }
            guard value.value >= 1 else {
                errors.append(
                    ConfigError(
                        .invalidValue,
                        "limits.\(key) must be at least 1\(unit), got \(value.value); leave it out for the default, \(describe(target, unit: unit))",
                        at: value.location))
                return
            }
            target = value.value
        }
        read(given.maxDepth, "maxDepth", into: &limits.maxDepth)
        read(given.maxAliases, "maxAliases", into: &limits.maxAliases)
        read(given.maxRootFields, "maxRootFields", into: &limits.maxRootFields)
        read(given.maxListNesting, "maxListNesting", into: &limits.maxListNesting)
        read(given.maxCost, "maxCost", into: &limits.maxCost)
        read(given.defaultListSize, "defaultListSize", into: &limits.defaultListSize)
        read(given.maxRequestBytes, "maxRequestBytes", into: &limits.maxRequestBytes, unit: " byte")
        read(given.maxResponseBytes, "maxResponseBytes", into: &limits.maxResponseBytes, unit: " byte")
        if let introspection = given.introspection { limits.introspection = introspection.value }
        read(given.maxBatch, "maxBatch", into: &limits.maxBatch)
        guard errors.isEmpty else { throw ConfigErrors(errors) }
        return limits
    }

    // MARK: Stage: traffic

    /// Checks `traffic:` and fills in the defaults.
    public static func resolveTraffic(_ raw: RawConfig) throws(ConfigErrors) -> TrafficConfig {
        var traffic = TrafficConfig()
        guard let given = raw.traffic else { return traffic }
        var errors: [ConfigError] = []
        if let timeout = given.operationTimeout {
            if timeout.value <= .zero {
                errors.append(ConfigError(.invalidValue, "traffic.operationTimeout must be longer than 0, got \(timeout.value)", at: timeout.location))
            } else {
                traffic.operationTimeout = timeout.value
            }
        }
        if let retries = given.retries {
            if retries.value < 0 || retries.value > 5 {
                errors.append(ConfigError(.invalidValue, "traffic.retries must be between 0 and 5, got \(retries.value)", at: retries.location))
            } else {
                traffic.retries = retries.value
            }
        }
        if let failures = given.breakerFailures {
            if failures.value < 0 {
                errors.append(ConfigError(
                    .invalidValue, "traffic.breakerFailures must be at least 0 (0 turns the circuit breaker off), got \(failures.value)",
                    at: failures.location))
            } else {
                traffic.breakerFailures = failures.value
            }
        }
        if let openFor = given.breakerOpenFor {
            if openFor.value <= .zero {
                errors.append(ConfigError(.invalidValue, "traffic.breakerOpenFor must be longer than 0, got \(openFor.value)", at: openFor.location))
            } else {
                traffic.breakerOpenFor = openFor.value
            }
        }
        guard errors.isEmpty else { throw ConfigErrors(errors) }
        return traffic
    }

    // MARK: Stage: persisted queries

    /// Checks `persistedQueries:` and reads its allow-list file (relative to gateway.yaml).
    public static func resolvePersistedQueries(_ raw: RawConfig) throws(ConfigErrors) -> PersistedQueryConfig {
        var config = PersistedQueryConfig()
        guard let given = raw.persistedQueries else { return config }
        var errors: [ConfigError] = []
        if let size = given.cacheSize {
            if size.value < 0 {
                errors.append(ConfigError(
                    .invalidValue, "persistedQueries.cacheSize must be at least 0 (0 turns automatic persisted queries off), got \(size.value)",
                    at: size.location))
            } else {
                config.cacheSize = size.value
            }
        }
        if let list = given.allowList {
            let directory = URL(fileURLWithPath: raw.file).deletingLastPathComponent()
            let url = list.value.hasPrefix("/") ? URL(fileURLWithPath: list.value) : directory.appendingPathComponent(list.value)
            do {
                let text = try String(contentsOf: url, encoding: .utf8)
                config.allowList = PersistedQueryConfig.AllowList(path: url.path, text: text, location: list.location)
            } catch {
                errors.append(ConfigError(
                    .invalidValue, "persistedQueries.allowList: cannot read \(url.path): \(error.localizedDescription)", at: list.location))
            }
        }
        guard errors.isEmpty else { throw ConfigErrors(errors) }
        return config
    }

    /// `15`, or for sizes `16777216 bytes (16 MiB)`.
    static func describe(_ value: Int, unit: String) -> String {
        guard !unit.isEmpty else { return String(value) }
        if value % (1 << 20) == 0 { return "\(value) bytes (\(value >> 20) MiB)" }
        return "\(value) bytes"
    }
}
