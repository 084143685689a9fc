import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

import {
  bearerChallenge,
  duplicateParams,
  getParam,
  parseChallenges,
  parseCredentials,
  type Challenge,
} from "../src/www-authenticate.js";

// The shared corpus lives beside the project (../shared/vectors from the repository root); it is
// read in place, never copied. GK_VECTORS overrides the folder.
const here = dirname(fileURLToPath(import.meta.url));
const vectorsDir = process.env.GK_VECTORS ?? resolve(here, "../../../../shared/vectors");
const corpusPath = resolve(vectorsDir, "challenges.json");

interface CorpusCase {
  id: string;
  kind: "challenge" | "credentials";
  field_value?: string;
  field_lines?: string[];
  field_value_hex?: string;
  expect:
    | { syntax: "ok"; challenges: Array<{ scheme: string; token68?: string; params?: Array<[string, string]> }> }
    | { syntax: "error" };
  semantic?: string;
}

/** Octets as a ByteString (one char per octet), which is how fetch's Headers hand them over. */
function hexToByteString(hex: string): string {
  let out = "";
  for (let i = 0; i < hex.length; i += 2) out += String.fromCharCode(parseInt(hex.slice(i, i + 2), 16));
  return out;
}

function inputOf(c: CorpusCase): string | string[] {
  if (c.field_lines) return c.field_lines;
  if (c.field_value_hex !== undefined) return hexToByteString(c.field_value_hex);
  return c.field_value ?? "";
}

function normalize(chs: Challenge[]) {
  return chs.map((ch) => {
    const o: { scheme: string; token68?: string; params?: Array<[string, string]> } = { scheme: ch.scheme };
    if (ch.token68 !== undefined) o.token68 = ch.token68;
    if (ch.params.length > 0) o.params = ch.params;
    return o;
  });
}

describe("WWW-Authenticate / Authorization corpus (shared/vectors/challenges.json)", () => {
  it("finds the corpus beside the project", () => {
    expect(existsSync(corpusPath), `no corpus at ${corpusPath} (set GK_VECTORS)`).toBe(true);
  });
  const corpus = JSON.parse(readFileSync(corpusPath, "utf8")) as { cases: CorpusCase[] };

  it("has the cases the README promises", () => {
    expect(corpus.cases.length).toBeGreaterThanOrEqual(100);
  });

  for (const c of corpus.cases) {
    it(`${c.id} (${c.kind}) -> ${c.expect.syntax}`, () => {
      const input = inputOf(c);
      const r = c.kind === "credentials" ? parseCredentials(input) : parseChallenges(input);
      if (c.expect.syntax === "error") {
        expect(r.ok, JSON.stringify(r)).toBe(false);
        return;
      }
      if (!r.ok) throw new Error(`expected ok, got ${r.error} at ${r.offset}`);
      expect(normalize(r.challenges)).toEqual(c.expect.challenges);
    });
  }

  it("flags the duplicate-parameter cases the corpus calls invalid", () => {
    const dupIds = ["gb-simplebasic2realms", "a-duplicate-param-different-case", "cred-digest-dup-param",
      "a-auth-digest-duplicate-nonce"];
    for (const id of dupIds) {
      const c = corpus.cases.find((x) => x.id === id)!;
      const r = c.kind === "credentials" ? parseCredentials(inputOf(c)) : parseChallenges(inputOf(c));
      if (!r.ok) throw new Error(id);
      expect(duplicateParams(r.challenges[0]!).length, id).toBe(1);
      expect(getParam(r.challenges[0]!, c.id.includes("nonce") ? "nonce" : c.id.includes("cred") ? "username" : "realm"))
        .toBeUndefined();
    }
  });
});

describe("parseChallenges beyond the corpus", () => {
  it("reads gatekeeper's own 401 for /app/ (four field lines joined by Headers.get)", () => {
    const v = 'Digest realm="gatekeeper demo", qop="auth, auth-int", algorithm=SHA-256, nonce="AAAB", ' +
      'opaque="Jk47", charset=UTF-8, userhash=true, Digest realm="gatekeeper demo", qop="auth, auth-int", ' +
      'algorithm=MD5, nonce="AAAB", opaque="Jk47", charset=UTF-8, userhash=true, ' +
      'Basic realm="gatekeeper demo", charset="UTF-8", Bearer realm="gatekeeper demo"';
    const r = parseChallenges(v);
    if (!r.ok) throw new Error(r.error);
    expect(r.challenges.map((c) => c.scheme)).toEqual(["Digest", "Digest", "Basic", "Bearer"]);
    expect(getParam(r.challenges[0]!, "qop")).toBe("auth, auth-int");
    expect(getParam(r.challenges[1]!, "ALGORITHM")).toBe("MD5");
  });

  it("finds the Bearer error after other schemes, with escapes in the description", () => {
    const info = bearerChallenge(
      'Basic realm="x", Bearer realm="api", error="invalid_token", error_description="the \\"exp\\" passed"');
    expect(info).toEqual({ realm: "api", error: "invalid_token", errorDescription: 'the "exp" passed' });
  });

  it("reads insufficient_scope with its scope", () => {
    expect(bearerChallenge('Bearer realm="api", error="insufficient_scope", scope="write"'))
      .toEqual({ realm: "api", error: "insufficient_scope", scope: "write" });
  });

  it("is not fooled by a disguised error inside another parameter", () => {
    expect(bearerChallenge('Bearer realm="error=\\"invalid_token\\""')).toEqual({ realm: 'error="invalid_token"' });
    expect(bearerChallenge('Newauth error="invalid_token", Bearer realm="api"')).toEqual({ realm: "api" });
  });

  it("returns undefined for no header, no Bearer challenge, or an unparsable one", () => {
    expect(bearerChallenge(null)).toBeUndefined();
    expect(bearerChallenge('Basic realm="x"')).toBeUndefined();
    expect(bearerChallenge('Bearer error="invalid_token')).toBeUndefined();
  });

  it("refuses control characters and over-long values and reports where", () => {
    const r = parseChallenges('Basic realm="a\nb"');
    expect(r).toMatchObject({ ok: false, offset: 14 });
    expect(parseChallenges("Basic realm=" + "a".repeat(70_000)).ok).toBe(false);
  });

  it("keeps obs-text octets as they came", () => {
    const r = parseChallenges('Basic realm="caf\u00e9"');
    expect(r.ok && r.challenges[0]!.params[0]![1]).toBe("caf\u00e9");
    expect(parseChallenges('Basic realm="\u20ac"').ok).toBe(false);
  });

  it("takes the array form of field lines", () => {
    const r = parseChallenges(['Bearer realm="api"', 'Basic realm="b"']);
    expect(r.ok && r.challenges.map((c) => c.scheme)).toEqual(["Bearer", "Basic"]);
  });
});
