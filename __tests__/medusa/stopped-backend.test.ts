/** Runs last (see sequencer.cjs): it stops the real backend. */
import request from "supertest";
import { bff, env } from "./support.js";

const t = bff();

it("a stopped backend gives 502 in the documented shape", async () => {
  process.kill(Number(env("MEDUSA_PID")), "SIGTERM");
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const res = await request(t.app).get("/store/products");
  expect(res.status).toBe(502);
  expect(res.body).toEqual({
    message: "The commerce backend is unavailable.",
    type: "unexpected_state",
  });
  expect(t.events).toContainEqual(expect.objectContaining({ type: "upstream.error", status: 502 }));
});
