# syntax=docker/dockerfile:1
# gatehouse operator image: `docker build -t gatehouse:dev .` at the repository root.
# Stage 1 builds the workspace; stage 2 holds only the operator, its production
# dependencies (pnpm deploy) and Node.js, running as a non-root user under tini.

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
ENV CI=true TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
# pnpm at the version package.json's packageManager pins.
RUN corepack enable
WORKDIR /src
# Manifests first: the dependency layer is reused until the lockfile or a package.json changes.
COPY package.json pnpm-lock.yaml pnpm-workspace.yaml ./
COPY packages/ packages/
COPY providers/ providers/
COPY operator/ operator/
COPY test/harness/ test/harness/
COPY test/fakes/ test/fakes/
COPY tsconfig.base.json tsconfig.json turbo.json ./
COPY scripts/ scripts/
RUN pnpm install --frozen-lockfile
# The operator and the packages it depends on (tsc -b).
RUN pnpm exec turbo run build --filter=@gatehouse/operator...
# The operator with its production dependencies only, workspace packages copied in.
RUN pnpm --filter=@gatehouse/operator deploy --prod --legacy /out \
 && rm -rf /out/src /out/test /out/bench /out/dist/test /out/dist/bench /out/tsconfig.json

FROM ${NODE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out /app
RUN chmod 0755 /app/dist/src/main.js && ln -s /app/dist/src/main.js /usr/local/bin/gatehouse
ENV NODE_ENV=production
# The chart runs the pod as 65532:65532 with a read-only root filesystem (/tmp is an emptyDir).
USER 65532:65532
WORKDIR /app
# Metrics, health; the local proxy's internal ports are 20000-29999 (--internal-ports).
EXPOSE 9090 8081
# tini is PID 1: it forwards SIGTERM to node (operator/src/run/shutdown.ts drains and
# releases the Lease) and reaps any zombie.
ENTRYPOINT ["/usr/bin/tini", "--", "gatehouse"]
CMD ["run"]
