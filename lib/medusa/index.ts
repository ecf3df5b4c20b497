// bff-session/medusa: the pieces for the Medusa side. Only node:crypto and fetch: no express,
// nothing of the BFF's request path.
export {
  customerDeletedSubscriber,
  customerDeletedConfig,
  type MedusaSubscriberArgs,
} from "./subscriber.js";
export {
  notifyBff,
  BackChannelError,
  type BackChannelClientOptions,
  type BackChannelMessage,
} from "./notify.js";
export { SIGNATURE_HEADER, signatureHeader, type SignedParts } from "../account/signature.js";
