// swift-tools-version: 6.1
import PackageDescription

import class Foundation.ProcessInfo

let package = Package(
    name: "Gateway",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "SubgraphKit", targets: ["SubgraphKit"]),
        .executable(name: "gateway", targets: ["gateway"]),
        .executable(name: "people", targets: ["people"]),
        .executable(name: "authors", targets: ["authors"]),
        .executable(name: "catalog", targets: ["catalog"]),
        .executable(name: "reviews", targets: ["reviews"]),
        .executable(name: "inventory", targets: ["inventory"]),
        .executable(name: "prices", targets: ["prices"]),
        .executable(name: "shipping", targets: ["shipping"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/GraphQLSwift/GraphQL", from: "4.3.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // OTLP over HTTP only: the gRPC exporter's dependencies would double the build.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        .target(name: "GatewayJSON"),
        .target(
            name: "GraphQLSupport",
            dependencies: [
                "GatewayJSON",
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ]
        ),
        .target(
            name: "Telemetry",
            dependencies: [
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "SubgraphKit",
            dependencies: [
                "GatewayJSON", "GraphQLSupport", "Telemetry",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(name: "CGatewayCurl", dependencies: ["CCurl"]),
        .target(
            name: "Upstream",
            dependencies: [
                "CGatewayCurl", "GatewayJSON",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "GatewayConfig",
            dependencies: [
                "GatewayJSON", "GraphQLSupport",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(
            name: "Supergraph",
            dependencies: [
                "GatewayJSON", "GraphQLSupport", "GatewayConfig",
                .product(name: "GraphQL", package: "GraphQL"),
            ]
        ),
        .target(
            name: "QueryPlanner",
            dependencies: [
                "GatewayJSON", "GraphQLSupport", "GatewayConfig", "Supergraph",
                .product(name: "GraphQL", package: "GraphQL"),
            ]
        ),
        .target(
            name: "GatewayExecution",
            dependencies: [
                "GatewayJSON", "GraphQLSupport", "GatewayConfig", "Supergraph", "QueryPlanner", "Upstream",
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        .target(
            name: "GatewayEdge",
            dependencies: [
                "GatewayJSON", "GraphQLSupport", "GatewayConfig", "GatewayExecution",
                .product(name: "GraphQL", package: "GraphQL"),
            ]
        ),
        .target(
            name: "GatewayServer",
            dependencies: [
                "GatewayJSON", "GraphQLSupport", "GatewayConfig", "Supergraph", "QueryPlanner", "GatewayExecution",
                "GatewayEdge", "Upstream", "Telemetry",
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "gateway",
            dependencies: [
                "GatewayServer", "GatewayConfig", "Supergraph", "QueryPlanner", "GraphQLSupport", "GatewayJSON", "Telemetry",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "DemoModels",
            dependencies: [
                "SubgraphKit", "GatewayJSON", "GraphQLSupport",
                .product(name: "GraphQL", package: "GraphQL"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            path: "subgraphs/DemoModels"),
        .executableTarget(name: "people", dependencies: ["SubgraphKit", "DemoModels"], path: "subgraphs/people"),
        .executableTarget(name: "authors", dependencies: ["SubgraphKit", "DemoModels"], path: "subgraphs/authors"),
        .executableTarget(name: "catalog", dependencies: ["SubgraphKit", "DemoModels"], path: "subgraphs/catalog"),
        .executableTarget(name: "reviews", dependencies: ["SubgraphKit", "DemoModels"], path: "subgraphs/reviews"),
        .executableTarget(name: "inventory", dependencies: ["SubgraphKit", "DemoModels"], path: "subgraphs/inventory"),
        .executableTarget(name: "prices", dependencies: ["SubgraphKit", "DemoModels"], path: "subgraphs/prices"),
        .executableTarget(name: "shipping", dependencies: ["SubgraphKit", "DemoModels"], path: "subgraphs/shipping"),

        // MARK: Tests
        .target(
            name: "TestSupport",
            dependencies: [
                "GatewayJSON", "GraphQLSupport", "GatewayConfig", "Supergraph",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/TestSupport"
        ),
        .testTarget(name: "GatewayJSONTests", dependencies: ["GatewayJSON"]),
        .testTarget(
            name: "SubgraphKitTests",
            dependencies: ["SubgraphKit", "GatewayJSON", "GraphQLSupport", "TestSupport"]
        ),
        .testTarget(
            name: "UpstreamTests",
            dependencies: [
                "Upstream", "GatewayJSON",
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .testTarget(name: "GatewayConfigTests", dependencies: ["GatewayConfig", "GraphQLSupport", "TestSupport"]),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "GatewayExecution", "GatewayJSON", "GatewayServer", "TestSupport", .product(name: "Hummingbird", package: "hummingbird"),
            ],
            exclude: ["Golden"]
        ),
        .testTarget(
            name: "GatewayEdgeTests",
            dependencies: [
                "GatewayEdge", "GatewayExecution", "Supergraph", "GatewayConfig", "GraphQLSupport", "GatewayJSON", "TestSupport",
                .product(name: "GraphQL", package: "GraphQL"),
            ]
        ),
        .testTarget(name: "FuzzTests", dependencies: ["GatewayJSON", "GraphQLSupport", "TestSupport"]),
        .testTarget(
            name: "SupergraphTests",
            dependencies: [
                "Supergraph", "QueryPlanner", "GatewayConfig", "GraphQLSupport", "GatewayJSON", "TestSupport",
                .product(name: "GraphQL", package: "GraphQL"),
            ]
        ),
    ]
)

// Microbenchmarks of the hot paths (ordo-one/benchmark), outside the normal build and tests:
//   GATEWAY_BENCHMARKS=1 swift package benchmark
if ProcessInfo.processInfo.environment["GATEWAY_BENCHMARKS"] != nil {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]))
    package.targets.append(
        .executableTarget(
            name: "HotPaths",
            dependencies: [
                "GatewayJSON", "GraphQLSupport", "GatewayConfig", "Supergraph", "GatewayServer", "Upstream", "SubgraphKit",
                "DemoModels",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/HotPaths",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ))
}
