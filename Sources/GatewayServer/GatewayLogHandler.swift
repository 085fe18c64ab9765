#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Logging

/// Log lines on standard error in swift-log's `StreamLogHandler` format, with the metadata
/// rendered only when a line is written.
///
/// Hummingbird gives every request's logger a request id; the stream handler renders all of a
/// logger's metadata again on every change, which cost the gateway about 4% of its CPU on
/// small requests even with nothing logged.
public struct GatewayLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    let label: String

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
        let text = self.line(level: event.level, message: message, metadata: event.metadata, source: event.source)
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
