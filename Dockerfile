# One image for the whole demo stack: the five subgraphs and the gateway.
# docker-compose.yml runs one container per executable from this image; the
# image's own default command starts the gateway.
#
#   docker build -t federation-gateway:local .
#   docker compose up --build
#
# Debian 12 (bookworm) variants of the official Swift images: the same
# distribution as the development machines, so the Debian package names below
# (libcurl4, libsqlite3-0) are the ones the project documents.
ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=swift:6.3-bookworm-slim

# ---------------------------------------------------------------- build stage
FROM ${SWIFT_IMAGE} AS build

RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends \
        libcurl4-openssl-dev \
        libsqlite3-dev \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /build

# Resolve dependencies in their own layer so that source edits do not refetch
# them. Package.resolved is deliberately not copied (see .dockerignore): the
# development machines resolve against a local package mirror whose commit ids
# are not GitHub's, so the image resolves afresh from Package.swift.
COPY Package.swift ./
RUN swift package resolve

COPY . .

# Every executable that docker-compose.yml runs. One `swift build` per product
# keeps the list explicit; the shared modules are compiled once and reused.
ARG PRODUCTS="people authors catalog reviews inventory shipping prices gateway"
RUN set -e; \
    for product in ${PRODUCTS}; do \
        swift build -c release --product "$product"; \
    done; \
    bin="$(swift build -c release --show-bin-path)"; \
    mkdir -p /staging/bin; \
    for product in ${PRODUCTS}; do \
        cp "$bin/$product" /staging/bin/; \
    done; \
    # SwiftPM resource bundles, if any target has some, must sit next to the binaries.
    find -L "$bin/" -maxdepth 1 -regex '.*\.resources$' -exec cp -Ra {} /staging/bin/ \;

# -------------------------------------------------------------- runtime stage
FROM ${RUNTIME_IMAGE} AS runtime

# Runtime libraries only (no -dev packages), plus curl for health checks.
RUN export DEBIAN_FRONTEND=noninteractive \
    && apt-get -q update \
    && apt-get -q install -y --no-install-recommends \
        ca-certificates \
        curl \
        libcurl4 \
        libsqlite3-0 \
    && rm -rf /var/lib/apt/lists/*

# An unprivileged user that owns the data directory. A named volume mounted on
# /data starts as a copy of this directory, so it is writable by that user.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir -p /app /data \
    && chown app:app /data

COPY --from=build /staging/bin/ /usr/local/bin/
COPY gateway.yaml /app/gateway.yaml

WORKDIR /app
VOLUME ["/data"]
USER app:app

# Gateway on 4000; subgraphs people 4001, authors 4002, catalog 4003,
# reviews 4004, inventory 4005, shipping 4006, prices 4007.
EXPOSE 4000 4001 4002 4003 4004 4005 4006 4007

CMD ["gateway", "serve", "--config", "/app/gateway.yaml", "--host", "0.0.0.0", "--port", "4000"]
