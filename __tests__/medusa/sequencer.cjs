// The suites against the real backend run one at a time, by file name; the one that stops the
// backend (stopped-backend.test.ts) comes last.
const Sequencer = require("@jest/test-sequencer").default;

module.exports = class ByName extends Sequencer {
  sort(tests) {
    const last = (t) => (t.path.includes("stopped-backend") ? 1 : 0);
    return [...tests].sort((a, b) => last(a) - last(b) || a.path.localeCompare(b.path));
  }
};
