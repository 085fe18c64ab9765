import Foundation
import Synchronization

/// A problem starting or talking to a process under test.
public struct TestProcessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Where SwiftPM put the package's executables: next to the test bundle.
public enum BuildProducts {
    public static var directory: URL {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        // On Linux the tests run from `<build>/debug/<Package>PackageTests.xctest`.
        while directory.path != "/" {
            if FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent("people").path) {
                return directory
            }
            directory = directory.deletingLastPathComponent()
        }
        return executable.deletingLastPathComponent()
    }

    public static func path(_ product: String) throws -> String {
        let path = directory.appendingPathComponent(product).path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestProcessError("product \(product) is not built at \(path); run `swift build` first")
        }
        return path
    }

    /// The package root (for files such as gateway.yaml).
    public static var packageRoot: URL {
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
                return directory
            }
            directory = directory.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }
}

/// Output collected from a pipe's reading handler and read by the test.
final class OutputBuffer: Sendable {
    let text = Mutex<String>("")
    /// Whether the pipe has reached its end: everything the process wrote is in `text`.
    let ended = Mutex(false)
}

/// A child process started by a test, stopped by it (and killed at the latest when this
/// object goes away). Its output is collected so the test can wait for a line.
public final class ManagedProcess: @unchecked Sendable {
    // @unchecked: `Process` is not Sendable; it is only configured in init and afterwards
    // just queried and signalled, which Foundation allows from any thread.
    public let process: Process
    private let output = OutputBuffer()
    public let name: String

    public init(
        _ executable: String, arguments: [String], environment: [String: String]? = nil, name: String? = nil
    ) throws {
        self.name = name ?? URL(fileURLWithPath: executable).lastPathComponent
        process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let output = self.output
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                output.ended.withLock { $0 = true }
                return
            }
            output.text.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
        // One launch at a time in this process: Foundation's Process.run() crashed once in
        // memcpy while the parallel tests launched processes concurrently.
        try Self.launches.withLock { _ in try process.run() }
    }

    private static let launches = Mutex<Void>(())

    /// Starts one of the package's products.
    public convenience init(product: String, arguments: [String], environment: [String: String]? = nil) throws {
        try self.init(try BuildProducts.path(product), arguments: arguments, environment: environment, name: product)
    }

    public var outputText: String { output.text.withLock { $0 } }

    /// Waits until the output matches `pattern` (a regular expression) and returns the first
    /// capture group, or the whole match when there is none.
    public func waitForOutput(matching pattern: String, timeout: Duration = .seconds(30)) async throws -> String {
        let regex = try NSRegularExpression(pattern: pattern)
        let deadline = ContinuousClock.now + timeout
        var exitedAt: ContinuousClock.Instant?
        while ContinuousClock.now < deadline {
            let text = outputText
            if let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) {
                let range = match.numberOfRanges > 1 ? match.range(at: 1) : match.range
                return String(text[Range(range, in: text)!])
            }
            if !process.isRunning {
                // What it printed last may still be in the pipe: give the reader a second.
                if exitedAt == nil { exitedAt = .now }
                if let exitedAt, exitedAt.duration(to: .now) > .seconds(1) {
                    throw TestProcessError("\(name) exited with status \(process.terminationStatus):\n\(text)")
                }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestProcessError("\(name) did not print /\(pattern)/ within \(timeout):\n\(outputText)")
    }

    /// Waits for the `NAME listening on HOST:PORT` line the servers print and returns the port.
    public func waitForPort(timeout: Duration = .seconds(60)) async throws -> Int {
        let port = try await waitForOutput(matching: #"listening on [0-9.]+:([0-9]+)"#, timeout: timeout)
        guard let value = Int(port) else { throw TestProcessError("bad port \(port)") }
        return value
    }

    /// Waits, for at most `timeout`, until the process has exited and its output has been read
    /// to the end (on a loaded machine the reading lags behind the exit).
    ///
    /// - Returns: the exit status, or nil when the process is still running.
    public func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while (process.isRunning || !output.ended.withLock { $0 }) && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Sends SIGTERM and waits for the exit; SIGKILL after `grace`.
    public func stop(grace: Duration = .seconds(5)) async {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now + grace
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            // Not `waitUntilExit()`: it blocks a thread of the concurrency pool (on Linux it spins
            // on a run loop), and with two cores two such calls stalled every test of the run.
            let killed = ContinuousClock.now + .seconds(5)
            while process.isRunning && ContinuousClock.now < killed {
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
    }
}
