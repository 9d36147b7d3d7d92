# recall's image: build with dev dependencies, ship the compiled server with production
# dependencies only, as the unprivileged `node` user.
#
#   docker build -t recall .
#   docker run --init -p 50051:50051 -p 9464:9464 -e DATABASE_URL=... -e MILVUS_ADDRESS=... recall
#
# `node` is PID 1 (exec-form CMD, no npm or shell in between), and recall handles SIGTERM and
# SIGINT itself: it drains within SHUTDOWN_GRACE_MS, so give the container a stop timeout above
# that. `--init` (compose: `init: true`) adds a reaper; recall spawns no children, so it is optional.

FROM node:20.19-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
COPY bench ./bench
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20.19-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    GRPC_PORT=50051 \
    METRICS_PORT=9464 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
RUN mkdir -p /data && chown 1000:1000 /data
# 1000 is the image's unprivileged `node` user (numeric, so the host can resolve it).
USER 1000:1000
EXPOSE 50051 9464
VOLUME ["/data"]
# Liveness of the process through the metrics sidecar; readiness (/readyz) is for orchestrators.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.METRICS_PORT||9464)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
