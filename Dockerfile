# Build: compile TypeScript with dev dependencies, then keep production ones only.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY migrations ./migrations
COPY bench ./bench
COPY templates ./templates
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
# Chinese font for PDFs (sign-in sheets, certificates): PDF_FONT_PATH points here by default.
# Its Simplified Chinese face is also prepared once with fontTools (as `npm run fonts:prepare`
# does, see src/common/pdf/pdf-font.ts): each PDF then takes about 40 ms less to write.
RUN apt-get update \
  && apt-get install -y --no-install-recommends fonts-noto-cjk python3-fonttools \
  && mkdir -p /usr/local/share/lms-fonts \
  && python3 -m fontTools.subset /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc --font-number=2 \
    --glyphs='*' --unicodes='*' --desubroutinize --layout-features='*' --name-IDs='*' --name-languages='*' \
    --notdef-outline --output-file=/usr/local/share/lms-fonts/NotoSansCJKsc-Regular.otf \
  && apt-get purge -y python3-fonttools && apt-get autoremove -y \
  && rm -rf /var/lib/apt/lists/*
ENV PDF_PREPARED_FONT_PATH=/usr/local/share/lms-fonts/NotoSansCJKsc-Regular.otf
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/templates ./templates
COPY package.json ./
USER node
EXPOSE 3000
# Migrations first (safe to run on every start), then the API, exec'd so it gets SIGTERM and shuts down cleanly.
CMD ["sh", "-c", "node dist/src/cli/migrate.js && exec node dist/src/main.js"]
