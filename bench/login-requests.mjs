// Shared by bench/run.mjs and bench/profile.mjs.

/**
 * The logins' requests: each takes the next customer's token from one counter shared by all
 * connections. (A list of requests would be walked from its start by every connection, in
 * lockstep: ten logins of the same customer at once, which runs into the per-customer cap of
 * ten sessions, a cost the floors do not have and real traffic rarely meets.)
 */
export function loginRequests(authorizations) {
  if (authorizations === undefined) return undefined;
  let next = 0;
  return [
    {
      setupRequest: (req) => ({
        ...req,
        headers: { ...req.headers, authorization: authorizations[next++ % authorizations.length] },
      }),
    },
  ];
}
