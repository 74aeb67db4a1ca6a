# llmsim in a container image, for deploy/k8s/ (or any cluster that runs images):
#
#   docker build -t llmsim:0.1.0 .
#   docker run --rm -v "$PWD/results:/results" llmsim:0.1.0 run scenarios/quickstart.yaml -o /results/qs
#
# The image holds the package at /opt/llmsim (its working directory), built with `npm ci` and
# `npm run build`, devDependencies pruned; `npx --no-install llmsim` finds it there. Not built in
# this project's CI (no Docker engine on its machines): test/deploy/dockerfile.test.ts lints it.
FROM node:20-bookworm-slim
WORKDIR /opt/llmsim
# Dependencies first, so they stay cached while only the sources change. --ignore-scripts: the
# package's `prepare` script builds, and the sources are not copied yet.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build && npm prune --omit=dev && npm cache clean --force
# What scenarios read at run time: shipped profiles, traces, scenarios, serving data, the schema.
COPY profiles ./profiles
COPY traces ./traces
COPY scenarios ./scenarios
COPY data ./data
COPY schema ./schema
# Results go to a mounted volume; llmsim runs as the image's unprivileged user `node` (uid 1000).
RUN mkdir -p /results && chown node:node /results
USER node
ENTRYPOINT ["npx", "--no-install", "llmsim"]
CMD ["--help"]
