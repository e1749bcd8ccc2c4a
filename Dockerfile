# syntax=docker/dockerfile:1
# H-MAS in one image: the server with its web UI, the CLI, and the embedded llama.cpp runtime
# (`hmas runtime llama`, which the Kubernetes driver runs in pods for GGUF models).
#   docker build -t hmas:0.1.0 .
#   docker run -p 8080:8080 -v hmas-data:/var/lib/hmas hmas:0.1.0            # hmas server
#   docker run hmas:0.1.0 runtime llama --help                               # any hmas command
# Secrets (HMAS_JWT_SECRET, HMAS_SECRET_KEY, DATABASE_URL, ...) come from the environment at run
# time, never from this file. deploy/README.md: building, pinning the base image, Kubernetes.
ARG NODE_IMAGE=node:20-bookworm-slim

# All dependencies, for the build.
FROM ${NODE_IMAGE} AS deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# The server (tsc) and the web UI (vite) into dist/.
FROM deps AS build
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

# Production dependencies only (node-llama-cpp's prebuilt binaries included).
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
# JSON logs: the human-readable ones need pino-pretty, a development dependency not in the image.
ENV NODE_ENV=production \
    HMAS_LOG_PRETTY=false \
    HMAS_HOST=0.0.0.0 \
    HMAS_PORT=8080 \
    HMAS_DATA_DIR=/var/lib/hmas
# A fixed non-root uid/gid, so Kubernetes' runAsNonRoot and volume ownership (fsGroup) can name it.
RUN groupadd --system --gid 10001 hmas \
 && useradd --system --uid 10001 --gid hmas --home-dir /var/lib/hmas --shell /usr/sbin/nologin hmas \
 && mkdir -p /var/lib/hmas && chown hmas:hmas /var/lib/hmas
WORKDIR /app
COPY --from=prod-deps /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
RUN chmod 755 dist/main/cli.js && ln -s /app/dist/main/cli.js /usr/local/bin/hmas
USER 10001:10001
VOLUME ["/var/lib/hmas"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HMAS_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["hmas"]
CMD ["server"]
