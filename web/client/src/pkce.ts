/**
 * PKCE (RFC 7636) with WebCrypto: a code_verifier of 43-128 unreserved characters and its S256
 * code_challenge = BASE64URL(SHA-256(ASCII(code_verifier))). Works in browsers and Node >= 18.
 */

const UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

function webCrypto(): Crypto {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (!c || typeof c.getRandomValues !== "function" || !c.subtle) {
    throw new Error("WebCrypto (crypto.getRandomValues and crypto.subtle) is not available; PKCE needs a secure context");
  }
  return c;
}

/** base64url without padding (RFC 4648 section 5). */
export function base64UrlEncode(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * A fresh code_verifier: `length` characters (43..128, default 64) drawn uniformly from the 66
 * unreserved characters with rejection sampling (no modulo bias).
 */
export function createCodeVerifier(length = 64): string {
  if (!Number.isInteger(length) || length < 43 || length > 128) {
    throw new RangeError("a code_verifier has 43 to 128 characters (RFC 7636 section 4.1)");
  }
  const c = webCrypto();
  let out = "";
  const limit = 256 - (256 % UNRESERVED.length); // 198: bytes at or above are rejected
  while (out.length < length) {
    const buf = c.getRandomValues(new Uint8Array(length * 2));
    for (const b of buf) {
      if (b < limit) out += UNRESERVED[b % UNRESERVED.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/** The S256 code_challenge of a verifier. */
export async function codeChallengeS256(verifier: string): Promise<string> {
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)) {
    throw new RangeError("not a code_verifier: 43-128 unreserved characters (RFC 7636 section 4.1)");
  }
  const digest = await webCrypto().subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64UrlEncode(new Uint8Array(digest));
}

/** A random `state` (or nonce) value: 32 bytes, base64url (43 characters). */
export function randomState(bytes = 32): string {
  return base64UrlEncode(webCrypto().getRandomValues(new Uint8Array(bytes)));
}

/** A verifier together with its S256 challenge. */
export async function createPkcePair(length = 64): Promise<{ codeVerifier: string; codeChallenge: string; method: "S256" }> {
  const codeVerifier = createCodeVerifier(length);
  return { codeVerifier, codeChallenge: await codeChallengeS256(codeVerifier), method: "S256" };
}
