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
# The health check port is the service's own port variable; compose passes HEALTH_PORT.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=5 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.HEALTH_PORT||3000)+'/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["sh", "-c", "exec node dist/apps/${APP}/src/main.js"]
