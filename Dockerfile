# The GraphQL server as it runs in production: compiled JavaScript (npm run build), production
# dependencies only, as the unprivileged `node` user. Neo4j runs in its own container
# (docker-compose.yml) and is reached through NEO4J_URI, so this image needs no JDK.

# Build: every dependency, the compiled server (dist/) and the explorer and playground pages
# (web/dist, by vite).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts are skipped here (prepare would build the pages before web/ is copied); built below.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json codegen.ts ./
COPY schema ./schema
COPY src ./src
COPY scripts ./scripts
COPY web ./web
# The playground offers the README's example queries as tabs (imported by vite at build time).
COPY README.md ./
RUN npm run build && npm run build:web

# Run: production dependencies, the compiled server, and the files it reads at run time.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
COPY schema ./schema
COPY data ./data
USER node
EXPOSE 4000
CMD ["node", "dist/src/main.js"]
