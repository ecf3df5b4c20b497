// `npm start`: the example BFF on PORT (default 3000) and HOST (default 127.0.0.1).
import { startExample } from "./app";

if (process.env.NODE_ENV === "production") {
  console.error(
    "example-app is a demo: its identity endpoint and generated signing key are for development only.",
  );
  process.exit(1);
}

startExample({
  port: process.env.PORT === undefined ? 3000 : Number(process.env.PORT),
  host: process.env.HOST ?? "127.0.0.1",
  jwksUrl: process.env.JWKS_URL,
  redisUrl: process.env.REDIS_URL,
  cookieSecret: process.env.COOKIE_SECRET,
  medusa:
    process.env.MEDUSA_URL === undefined
      ? undefined
      : {
          url: process.env.MEDUSA_URL,
          jwtSecret: process.env.MEDUSA_JWT_SECRET ?? "",
          publishableKey: process.env.MEDUSA_PUBLISHABLE_KEY,
        },
}).then(
  ({ url }) => {
    console.log(`bff-session example listening on ${url}`);
    if (process.env.MEDUSA_URL === undefined)
      console.log("Sign in as jane@example.com / storefront-demo");
    else console.log(`Fronting the Medusa backend at ${process.env.MEDUSA_URL}`);
  },
  (error: unknown) => {
    const code = (error as { code?: unknown }).code;
    if (code === "EADDRINUSE" || code === "EACCES") {
      const port = process.env.PORT ?? "3000";
      console.error(
        code === "EADDRINUSE"
          ? `Port ${port} is already in use. Stop the other server, or start this one on another port: PORT=3001 npm start`
          : `Port ${port} needs privileges this user lacks. Use a port above 1023: PORT=3000 npm start`,
      );
    } else {
      console.error("example-app failed to start:", error);
    }
    process.exit(1);
  },
);
