# One image per service of the suite: docker build --build-arg APP=<service> .
# APP is one of webhook-gateway, kyc-results, aml-trigger, retention, audit-log, console. The image holds that
# app's own build (`nx build <app>`: the app, the libraries it uses, the topic setup command) and only
# the packages that build requires.

FROM node:20-bookworm-slim AS build
WORKDIR /repo
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json ./
COPY apps ./apps
COPY libs ./libs
COPY tools/build ./tools/build
ARG APP=webhook-gateway
RUN npx tsx tools/build/build-app.ts ${APP}

FROM node:20-bookworm-slim AS runtime
ARG APP=webhook-gateway
ENV NODE_ENV=production \
    APP=${APP} \
    KAFKAJS_NO_PARTITIONER_WARNING=1 \
    AML_LISTS_DIR=/app/data/watchlists/sample
WORKDIR /app
COPY --from=build /repo/dist/deploy/${APP}/package.json ./
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /repo/dist/deploy/${APP} ./
COPY data ./data
USER node
# Health checks are per service in docker-compose.yml (each listens on its own port).
# A larger young generation: a consumer holds a whole fetch while it applies it, and with the default
# semi-space the scavenger copies that live batch again and again (a third of a service's CPU under load).
ENV NODE_SERVICE_ARGS="--max-semi-space-size=64"
CMD ["sh", "-c", "exec node $NODE_SERVICE_ARGS apps/${APP}/src/main.js"]
