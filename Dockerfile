# syntax=docker/dockerfile:1
#
# One image for every Meridian process. The command picks the role:
#
#   serve edge | catalog | chart | sql | audit   one service (what docker-compose.yml and k8s/ run)
#   db upgrade                                   apply the metadata database migrations
#   db seed                                      create the example data and content
#   start                                        everything in one process (embedded mode)
#   healthcheck                                  ask the server in this container for /ready
#
# Build:  docker build -t meridian:0.1.0 .
# Run:    docker run --rm meridian:0.1.0 --help

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: full dependency tree, swc compiles apps/ and libs/ to dist/ -------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund
COPY .swcrc ./
COPY apps ./apps
COPY libs ./libs
COPY bench ./bench
# package.json "build": swc apps libs bench -d dist  ->  dist/apps/meridian/src/main.js
RUN npm run build

# --- runtime: production dependencies and the compiled output only ------------------------------
FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="meridian" \
      org.opencontainers.image.description="Meridian: an MCP platform for analytics" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
# The code stays owned by root (read-only for the process). Only the embedded mode's data folder
# (`start`, MERIDIAN_DATA_DIR=.data) is writable by the runtime user.
RUN mkdir -p /app/.data && chown node:node /app/.data

# `meridian <command>` on the PATH, for operators in a shell inside the container. `meridian
# healthcheck` runs its own small entry point: the HEALTHCHECK below must not load the platform.
RUN printf '%s\n' '#!/bin/sh' \
      'if [ "$1" = healthcheck ]; then shift; exec node /app/dist/apps/meridian/src/healthcheck.js "$@"; fi' \
      'exec node /app/dist/apps/meridian/src/main.js "$@"' > /usr/local/bin/meridian \
 && chmod 0755 /usr/local/bin/meridian

# The base image's `node` user, given by number so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000

# 5008: edge (MCP_SERVICE_PORT). 9101-9104: health and metrics of catalog, chart, sql, audit.
EXPOSE 5008 9101 9102 9103 9104

# Node answers the probe (slim images have no curl). The check reads the role from the command the
# container runs: the edge's /ready on MCP_SERVICE_PORT, a backend's on its METRICS_PORT, the
# all-in-one's on MCP_SERVICE_PORT; a one-shot command (db upgrade) passes.
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["meridian", "healthcheck"]

ENTRYPOINT ["node", "dist/apps/meridian/src/main.js"]
CMD ["--help"]
