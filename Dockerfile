# Dockerfile - the Mega node as a container: built to plain JavaScript (npm run build), run by the
# unprivileged `node` user, data in the /var/lib/mega volume, health from `--healthcheck`, stopped by
# SIGTERM (the node closes its journal and exits 0). docs/operations.md says what was verified.
#   docker build -t wolfram-mega .
#   docker run -d -p 8080:8080 -p 8333:8333 -v mega-data:/var/lib/mega wolfram-mega

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: no install script is needed (secp256k1 ships a linux-x64 prebuild); none runs.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json app.ts wolfram-mega-spec.yaml ./
COPY scripts/build.mjs scripts/
COPY src src
COPY web web
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY contrib/mega.json /etc/mega/mega.json
RUN mkdir -p /var/lib/mega && chown node:node /var/lib/mega && chmod 0700 /var/lib/mega
USER node
VOLUME ["/var/lib/mega"]
# Any key can be set with MEGA_<KEY> (docs/configuration.md): e.g. MEGA_NETWORK, MEGA_P2PSEED.
ENV MEGA_DATA_DIR=/var/lib/mega
EXPOSE 8080 8333
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["node", "dist/app.js", "/etc/mega/mega.json", "--healthcheck"]
CMD ["node", "--max-semi-space-size=32", "--initial-old-space-size=256", "dist/app.js", "/etc/mega/mega.json"]
