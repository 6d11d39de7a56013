// Signs the short-lived tokens the backend checks before it accepts a write: a JSON Web Token
// signed with HMAC-SHA256 and the secret both sides share.

import { createHmac } from "node:crypto";

const LIFETIME_SECONDS = 300;

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString("base64url");
}

/** An HS256 token for `subject`, issued by `issuer`, valid for five minutes from `now` (ms). */
export function signToken(
  secret: string,
  issuer: string,
  subject: string,
  now: number = Date.now(),
): string {
  const issuedAt = Math.floor(now / 1000);
  const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const claims = base64url(
    JSON.stringify({ iss: issuer, sub: subject, iat: issuedAt, exp: issuedAt + LIFETIME_SECONDS }),
  );
  const signature = createHmac("sha256", secret).update(`${header}.${claims}`).digest();
  return `${header}.${claims}.${base64url(signature)}`;
}
