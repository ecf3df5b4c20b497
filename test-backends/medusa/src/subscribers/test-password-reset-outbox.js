// A test subscriber, as a shop's notification subscriber would be: it receives the reset token
// in the `auth.password_reset` event ({ entity_id, actor_type, token }) and, instead of
// e-mailing a link, appends the event's data as a JSON line to BFF_TEST_OUTBOX for the suite
// (__tests__/medusa/account.test.ts) to read.
const { appendFileSync } = require("node:fs");

module.exports = {
  default: async function testPasswordResetOutbox({ event }) {
    const outbox = process.env.BFF_TEST_OUTBOX;
    if (!outbox) return;
    const { entity_id, actor_type, token } = event.data;
    appendFileSync(outbox, JSON.stringify({ entity_id, actor_type, token }) + "\n");
  },
  config: { event: "auth.password_reset" },
};
