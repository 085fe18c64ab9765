#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import GatewayJSON
import Logging

/// Log lines on standard error in swift-log's `StreamLogHandler` format, or as JSON lines with
/// `LOG_FORMAT=json` (`{"time", "level", "logger", "source", "message", "metadata"}`), with
/// the metadata rendered only when a line is written.
///
/// Hummingbird gives every request's logger a request id; the stream handler renders all of a
/// logger's metadata again on every change, which cost the gateway about 4% of its CPU on
/// small requests even with nothing logged.
public struct GatewayLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    let label: String

    /// How lines are written.
    public enum Format: String, Sendable {
        case text
        case json
    }

    /// `LOG_FORMAT` of the process (`text`, the default, or `json`).
    public static let format: Format = ProcessInfo.processInfo.environment["LOG_FORMAT"].flatMap(Format.init(rawValue:)) ?? .text

    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    /// Makes every logger of the process use this handler; only the first call counts (swift-log
    /// allows one bootstrap per process).
    public static func bootstrap() {
        _ = bootstrapped
    }

    private static let bootstrapped: Void = LoggingSystem.bootstrap(
        { label, provider in GatewayLogHandler(label: label, metadataProvider: provider) }, metadataProvider: nil)

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var message = event.message
        if let error = event.error { message = "\(message) (\(error))" }
        let text = Self.format == .json
            ? jsonLine(level: event.level, message: message, metadata: event.metadata, source: event.source)
            : line(level: event.level, message: message, metadata: event.metadata, source: event.source)
        // One write per line, so that lines of concurrent tasks do not interleave.
        text.utf8CString.withUnsafeBufferPointer { buffer in
            _ = write(STDERR_FILENO, buffer.baseAddress, buffer.count - 1)
        }
    }

    /// `TIMESTAMP LEVEL LABEL : KEY=VALUE ... [SOURCE] MESSAGE`, metadata sorted by key (the
    /// logger's, its provider's, then the call's; later ones win).
    func line(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String) -> String {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let explicit { all.merge(explicit) { _, new in new } }
        let rendered = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return "\(Self.timestamp()) \(level) \(label) :\(rendered) [\(source)] \(message)\n"
    }

    /// One JSON object per line: `{"time", "level", "logger", "source", "message", "metadata"}`,
    /// metadata merged as for text lines.
    func jsonLine(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String) -> String {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let explicit { all.merge(explicit) { _, new in new } }
        var object: JSONObject = [
            "time": .string(Self.timestamp()), "level": .string(level.rawValue), "logger": .string(label),
            "source": .string(source), "message": .string(message.description),
        ]
        if !all.isEmpty {
            object["metadata"] = .object(JSONObject(all.sorted { $0.key < $1.key }.map { ($0.key, Self.json($0.value)) }))
        }
        return JSON.object(object).description + "\n"
    }

    static func json(_ value: Logger.MetadataValue) -> JSON {
        switch value {
        case .string(let text): return .string(text)
        case .stringConvertible(let value): return .string(value.description)
        case .array(let items): return .array(items.map(json))
        case .dictionary(let members): return .object(JSONObject(members.sorted { $0.key < $1.key }.map { ($0.key, json($0.value)) }))
        }
    }

    /// `2026-11-22T03:52:08+0000`, local time, as the stream handler writes it.
    static func timestamp() -> String {
        var buffer = [Int8](repeating: 0, count: 32)
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
