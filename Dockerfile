# syntax=docker/dockerfile:1
# One image for Farman's worker and API (docker-compose.yml runs it twice with different commands).
# Build: docker compose build   (or: docker build -t farman:local .)

ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# ---- build: compile TypeScript, then keep only the production dependencies ----------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the same as on the developers' machines (npm 11 runs no install script unless approved);
# the native packages Farman uses (Temporal's core bridge, swc) ship prebuilt binaries.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
# tsc emits only JavaScript: files the code reads next to itself (the sample registry, templates, fonts)
# are copied into dist/ at the same relative paths.
RUN npm run build \
 && find lib domain workflows activities audit api worker -type f ! -name '*.ts' -exec cp --parents {} dist/ \; \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# ---- runtime -------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime

# Chromium renders the PDFs (playwright-core drives it; no browser download). Debian bookworm has no
# Vazirmatn package: the PDFs embed the font from npm, the Vazirmatn files are also installed system-wide
# below when the package is present, and Noto/DejaVu cover every other script and symbol. tini reaps
# Chromium's child processes and passes SIGTERM on, so the worker and the API shut down gracefully.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      chromium fonts-noto-core fonts-dejavu-core fontconfig tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 farman \
 && useradd --system --uid 10001 --gid farman --home-dir /home/farman --create-home --shell /usr/sbin/nologin farman \
 && mkdir -p /data \
 && chown farman:farman /data

WORKDIR /app
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist

RUN fonts=$(find node_modules/vazirmatn -type f -name '*.ttf' 2>/dev/null || true) \
 && if [ -n "$fonts" ]; then mkdir -p /usr/local/share/fonts/vazirmatn && cp $fonts /usr/local/share/fonts/vazirmatn/; fi \
 && fc-cache -f

ENV NODE_ENV=production \
    PLAYWRIGHT_CHROMIUM_PATH=/usr/bin/chromium \
    DATA_DIR=/data \
    HOST=0.0.0.0 \
    PORT=3000

USER farman
EXPOSE 3000
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/api/main.js"]
