# aml-netcheck as a container: a Kubernetes Job on an Arc-enabled cluster (deploy/kubernetes/,
# or `aml-netcheck k8s-manifest`), or `docker run` on a jumpbox inside the VNet.
#   docker build -t aml-netcheck .
#   docker run --rm aml-netcheck check --region westus2 --storage-account st1 -o json
# Behind TLS inspection, give npm the proxy's CA for the build (the runtime image never sees it):
#   buildah bud -v /etc/ssl/certs:/etc/ssl/certs:ro \
#     --build-arg NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt -t aml-netcheck .
#   docker build --secret id=ca,src=/etc/ssl/certs/ca-certificates.crt -t aml-netcheck .
ARG BASE_IMAGE=node:22-bookworm-slim

FROM ${BASE_IMAGE} AS build
# A PEM bundle path inside the build (a -v mount, or the `ca` secret below); Node, and so npm, trust it.
ARG NODE_EXTRA_CA_CERTS=
WORKDIR /build
COPY package.json package-lock.json ./
RUN --mount=type=secret,id=ca,target=/run/secrets/ca \
    if [ -z "$NODE_EXTRA_CA_CERTS" ] && [ -s /run/secrets/ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca; fi; \
    npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
COPY probes ./probes
COPY schema ./schema
# The build also precompiles the shipped catalog into dist/ (src/catalog/precompile.ts).
RUN npm run build && npm prune --omit=dev --no-audit --no-fund --ignore-scripts

FROM ${BASE_IMAGE}
ARG VERSION=0.1.0
ARG SOURCE=https://aml-netcheck.dev
LABEL org.opencontainers.image.title="aml-netcheck" \
      org.opencontainers.image.description="Network connectivity diagnostics for Azure Machine Learning workspaces in a locked-down virtual network" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="MIT"
ENV NODE_ENV=production
WORKDIR /app
# Production dependencies and the compiled code only: no TypeScript, no tests, no sources.
COPY --from=build /build/package.json ./
COPY --from=build /build/node_modules ./node_modules
COPY --from=build /build/dist ./dist
COPY --from=build /build/probes ./probes
COPY --from=build /build/schema ./schema
# Numeric, so that Kubernetes' runAsNonRoot can verify it (the node user of the Node.js images).
# Nothing is written at run time but --out files and --log-file: a read-only root file
# system works, with /tmp or a volume for those.
USER 1000:1000
ENTRYPOINT ["node", "/app/dist/cli.js"]
CMD ["--help"]
