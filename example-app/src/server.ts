// `npm start`: the example BFF on PORT (default 3000) and HOST (default 127.0.0.1). With
// MEDUSA_URL it fronts that Medusa backend (`npm run medusa` starts one and prints the line).
import { startExample, type ExampleOptions } from "./app";
import { startConsoleTelemetry } from "./telemetry";

if (process.env.NODE_ENV === "production") {
  console.error(
    "example-app is a demo: its identity endpoint and generated signing key are for development only.",
  );
  process.exit(1);
}

// Before the router is made, as an app registers its OpenTelemetry SDK.
if (startConsoleTelemetry(process.env.BFF_TELEMETRY))
  console.log("BFF_TELEMETRY=console: metrics every 10 s and every span print here");

/** The environment as options, or the message naming the variable to set when one is missing. */
function optionsFromEnv(env: NodeJS.ProcessEnv): ExampleOptions | string {
  const port = env.PORT === undefined || env.PORT === "" ? 3000 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    return `PORT=${env.PORT} is not a port number. Start it with, for example, PORT=3000 npm start`;
  const options: ExampleOptions = {
    port,
    host: env.HOST || "127.0.0.1",
    jwksUrl: env.JWKS_URL,
    redisUrl: env.REDIS_URL,
    cookieSecret: env.COOKIE_SECRET,
    backChannelSecret: env.BFF_BACK_CHANNEL_SECRET,
  };
  if (env.MEDUSA_URL === undefined || env.MEDUSA_URL === "") return options;
  // Named here, before the package sees an empty secret: hmacSecret() can only ask for
  // JWT_SECRET, the backend's name for it, while in this mode the user sets MEDUSA_JWT_SECRET.
  const needed: Record<string, string> = {
    MEDUSA_JWT_SECRET: "the backend's JWT_SECRET",
    MEDUSA_PUBLISHABLE_KEY: "a publishable key linked to the backend's sales channel",
  };
  const missing = Object.keys(needed).filter((name) => !env[name]);
  if (missing.length > 0)
    return [
      "MEDUSA_URL is set, so the example fronts that Medusa backend, and it needs:",
      ...missing.map((name) => `  ${name}: ${needed[name]}`),
      "`npm run medusa` starts a local backend and prints the whole line:",
      "  MEDUSA_URL=… MEDUSA_JWT_SECRET=… MEDUSA_PUBLISHABLE_KEY=… npm start",
    ].join("\n");
  return {
    ...options,
    medusa: {
      url: env.MEDUSA_URL,
      jwtSecret: env.MEDUSA_JWT_SECRET!,
      publishableKey: env.MEDUSA_PUBLISHABLE_KEY,
    },
  };
}

const options = optionsFromEnv(process.env);
if (typeof options === "string") {
  console.error(options);
  process.exit(1);
}

startExample(options).then(
  ({ url }) => {
    console.log(`bff-session example listening on ${url}`);
    if (options.medusa === undefined) console.log("Sign in as jane@example.com / storefront-demo");
    else
      console.log(
        `Fronting the Medusa backend at ${options.medusa.url}: create an account on the page to sign in`,
      );
  },
  (error: unknown) => {
    const code = (error as { code?: unknown }).code;
    if (code === "EADDRINUSE" || code === "EACCES") {
      const port = options.port;
      console.error(
        code === "EADDRINUSE"
          ? `Port ${port} is already in use. Stop the other server, or start this one on another port: PORT=${port === 3001 ? 3002 : 3001} npm start`
          : `Port ${port} needs privileges this user lacks. Use a port above 1023: PORT=3000 npm start`,
      );
    } else {
      console.error("example-app failed to start:", error);
    }
    process.exit(1);
  },
);
