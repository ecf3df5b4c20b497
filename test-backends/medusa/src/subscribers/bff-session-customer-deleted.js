// The subscriber bff-session ships for the Medusa side (bff-session/medusa), installed as the
// README says. A Medusa project imports it by package name; this test backend takes the built
// package of this repository (`npm run test:medusa` builds it first). The back-channel's URL and
// secret come from scripts/medusa-backend.mjs; without them (`npm run medusa`) it does nothing.
const {
  customerDeletedSubscriber,
  customerDeletedConfig,
} = require("../../../../dist/cjs/medusa/index.js");

const url = process.env.BFF_BACK_CHANNEL_URL;
const secret = process.env.BFF_BACK_CHANNEL_SECRET;

module.exports = {
  default:
    url && secret ? customerDeletedSubscriber({ url, secret }) : async function bffSessionOff() {},
  config: customerDeletedConfig,
};
