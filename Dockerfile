# One image per service of the suite: docker build --build-arg APP=<service> .
# APP is one of webhook-gateway, kyc-results, aml-trigger, retention, audit-log.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY tsconfig.base.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ARG APP=webhook-gateway
ENV NODE_ENV=production \
    APP=${APP} \
    KAFKAJS_NO_PARTITIONER_WARNING=1 \
    AML_LISTS_DIR=/app/data/watchlists/sample
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY data ./data
USER node
# Health checks are per service in docker-compose.yml (each listens on its own port).
# A larger young generation: a consumer holds a whole fetch while it applies it, and with the default
# semi-space the scavenger copies that live batch again and again (a third of a service's CPU under load).
ENV NODE_SERVICE_ARGS="--max-semi-space-size=64"
CMD ["sh", "-c", "exec node $NODE_SERVICE_ARGS dist/apps/${APP}/src/main.js"]
