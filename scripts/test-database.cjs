// The PostgreSQL database the tests and the bench use (DATABASE_URL), created when missing.
const { Client } = require("pg");

const DATABASE_URL =
  process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/bff_session_test";

/** Creates the database of `url` if needed; resolves false when the server cannot be reached. */
async function ensureDatabase(url) {
  const database = new URL(url).pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new Client({ connectionString: admin.href, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [
      database,
    ]);
    if (rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, "")}"`);
    return true;
  } catch (error) {
    if (error && error.code === "42P04") return true; // created meanwhile by another run
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

module.exports = { DATABASE_URL, ensureDatabase };
