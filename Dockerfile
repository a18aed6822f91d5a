# The GraphQL server. Neo4j runs in its own container (docker-compose.yml) and is reached
# through NEO4J_URI, so this image needs no JDK.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json codegen.ts ./
COPY schema ./schema
COPY src ./src
COPY data ./data
ENV NODE_ENV=production HOST=0.0.0.0 PORT=4000
EXPOSE 4000
USER node
CMD ["npx", "tsx", "src/main.ts"]
