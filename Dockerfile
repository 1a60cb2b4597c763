# aml-netcheck as a container: run it as a Kubernetes Job on an Arc-enabled cluster,
# or with `docker run` on a jumpbox inside the VNet.
#   docker build -t aml-netcheck .
#   docker run --rm aml-netcheck check --region westus2 --storage-account st1
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
# The build precompiles the shipped catalog (src/catalog/precompile.ts).
COPY probes ./probes
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY probes ./probes
COPY schema ./schema
# The checks need no privilege: they only open outbound connections.
USER node
ENTRYPOINT ["node", "/app/dist/cli.js"]
CMD ["--help"]
