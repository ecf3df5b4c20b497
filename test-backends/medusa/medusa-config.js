// A bare Medusa 2.21.2 backend for bff-session's tests: no admin UI, no Redis (in-memory
// event bus and cache), its own PostgreSQL database. Configured by the environment that
// scripts/medusa-backend.mjs sets.
const { defineConfig } = require("@medusajs/framework/utils");

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
    http: {
      storeCors: process.env.STORE_CORS ?? "http://127.0.0.1",
      adminCors: process.env.ADMIN_CORS ?? "http://127.0.0.1",
      authCors: process.env.AUTH_CORS ?? "http://127.0.0.1",
      jwtSecret: process.env.JWT_SECRET,
      jwtExpiresIn: process.env.JWT_EXPIRES_IN ?? "1d",
      cookieSecret: process.env.COOKIE_SECRET,
    },
  },
  admin: { disable: true },
});
