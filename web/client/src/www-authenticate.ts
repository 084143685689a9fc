/**
 * RFC 9110 section 11 grammar for `WWW-Authenticate` / `Proxy-Authenticate` (a list of
 * challenges) and `Authorization` (one credentials item):
 *
 *   challenge   = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 *   auth-param  = token BWS "=" BWS ( token / quoted-string )
 *   token68     = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
 *
 * Recipient leniency only where the RFC grants it: empty list elements (section 5.6.1.2),
 * BWS around "=", obs-fold replaced by SP (RFC 9112 section 5.2). Field values are handled as
 * the browser hands them over (a ByteString: one char per octet), so obs-text octets 0x80-0xFF
 * in quoted strings come back as the chars U+0080-U+00FF; decode them yourself if you need to.
 *
 * The parser never throws: it returns `{ ok: false, error, offset }` for input that does not
 * follow the grammar, and bounds its work by the input length (no backtracking).
 */

/** One parsed challenge (or credentials item). Names keep their case as written. */
export interface Challenge {
  /** The auth-scheme as written; compare case-insensitively (see {@link isScheme}). */
  scheme: string;
  /** The token68 form (`Negotiate abc==`), when the challenge uses it. */
  token68?: string;
  /** auth-params in order, values after quoted-string unescaping. Empty with token68. */
  params: Array<[name: string, value: string]>;
}

export type ParseResult =
  | { ok: true; challenges: Challenge[] }
  | { ok: false; error: string; offset: number };

/** The most octets a field value may have; longer input is refused, not parsed. */
export const MAX_FIELD_LENGTH = 64 * 1024;

const TCHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

function isTchar(c: string | undefined): boolean {
  return c !== undefined && TCHAR.test(c);
}

function isQdtext(code: number): boolean {
  // HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
  return code === 0x09 || code === 0x20 || code === 0x21 || (code >= 0x23 && code <= 0x5b) ||
    (code >= 0x5d && code <= 0x7e) || (code >= 0x80 && code <= 0xff);
}

function isQuotedPairChar(code: number): boolean {
  // HTAB / SP / VCHAR / obs-text
  return code === 0x09 || code === 0x20 || (code >= 0x21 && code <= 0x7e) || (code >= 0x80 && code <= 0xff);
}

class SyntaxFailure {
  constructor(readonly error: string, readonly offset: number) {}
}

class Cursor {
  i = 0;
  constructor(readonly s: string) {}

  get eof(): boolean {
    return this.i >= this.s.length;
  }

  peek(k = 0): string | undefined {
    return this.s[this.i + k];
  }

  fail(error: string): never {
    throw new SyntaxFailure(error, this.i);
  }

  /** OWS / BWS = *( SP / HTAB ) */
  skipWs(): void {
    while (this.peek() === " " || this.peek() === "\t") this.i++;
  }

  token(): string {
    const start = this.i;
    while (isTchar(this.peek())) this.i++;
    return this.s.slice(start, this.i);
  }

  /** Where a token starting at `at` ends (== at when there is none). */
  tokenEnd(at: number): number {
    let j = at;
    while (isTchar(this.s[j])) j++;
    return j;
  }

  wsEnd(at: number): number {
    let j = at;
    while (this.s[j] === " " || this.s[j] === "\t") j++;
    return j;
  }

  quotedString(): string {
    // caller checked the opening DQUOTE
    this.i++;
    let out = "";
    for (;;) {
      if (this.eof) this.fail("unterminated quoted-string");
      const c = this.s[this.i]!;
      const code = c.charCodeAt(0);
      if (c === '"') {
        this.i++;
        return out;
      }
      if (c === "\\") {
        const next = this.s[this.i + 1];
        if (next === undefined) {
          this.i++;
          this.fail("unterminated quoted-pair");
        }
        if (!isQuotedPairChar(next.charCodeAt(0))) {
          this.i++;
          this.fail("invalid character in quoted-pair");
        }
        out += next;
        this.i += 2;
        continue;
      }
      if (!isQdtext(code)) this.fail("invalid character in quoted-string");
      out += c;
      this.i++;
    }
  }

  /**
   * A token68 at the cursor that is the whole challenge: followed by OWS then "," or the end.
   * Returns its end, or -1 when the text there is not a complete token68.
   */
  token68End(): number {
    let j = this.i;
    while (this.s[j] !== undefined && TOKEN68_CHAR.test(this.s[j]!)) j++;
    if (j === this.i) return -1;
    while (this.s[j] === "=") j++;
    const k = this.wsEnd(j);
    if (k < this.s.length && this.s[k] !== ",") return -1;
    return j;
  }

  /** Does an auth-param (token BWS "=") start at `at`? */
  paramAt(at: number): boolean {
    const end = this.tokenEnd(at);
    if (end === at) return false;
    return this.s[this.wsEnd(end)] === "=";
  }

  /** Skip OWS and empty list elements from `at`; return where the next element starts. */
  nextElement(at: number): number {
    let j = at;
    for (;;) {
      j = this.wsEnd(j);
      if (this.s[j] === ",") {
        j++;
        continue;
      }
      return j;
    }
  }
}

/**
 * Replace each obs-fold (CRLF followed by SP/HTAB) with SP, as a user agent must
 * (RFC 9112 section 5.2). Any other CR, LF or NUL is left in place for the parser to refuse.
 */
function unfold(value: string): string {
  return value.replace(/\r\n(?=[ \t])/g, " ");
}

function checkChars(s: string): void {
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code > 0xff) throw new SyntaxFailure("character outside the octet range", i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) throw new SyntaxFailure("control character", i);
  }
}

/**
 * Parse one challenge at the cursor. In `list` mode a following "," may start another
 * challenge; in credentials mode the item must run to the end of the value.
 */
function parseItem(cur: Cursor, list: boolean): Challenge {
  const schemeStart = cur.i;
  const scheme = cur.token();
  if (scheme.length === 0) cur.fail("expected an auth-scheme");
  const ch: Challenge = { scheme, params: [] };
  if (cur.eof || cur.peek() === ",") return ch;
  if (cur.peek() !== " ") {
    // Only OWS may follow a bare scheme before "," or the end; parameters need 1*SP.
    cur.skipWs();
    if (cur.eof || cur.peek() === ",") return ch;
    cur.fail(cur.i === schemeStart + scheme.length
      ? "invalid character after the auth-scheme"
      : "the auth-scheme must be followed by SP, not HTAB");
  }
  while (cur.peek() === " ") cur.i++;
  if (cur.eof) return ch;

  const t68 = cur.token68End();
  if (t68 >= 0) {
    ch.token68 = cur.s.slice(cur.i, t68);
    cur.i = t68;
    return ch;
  }

  // #auth-param, possibly starting with empty elements ("Basic , realm=x").
  for (;;) {
    cur.skipWs();
    if (cur.eof) return ch;
    if (cur.peek() === ",") {
      const next = cur.nextElement(cur.i);
      if (next >= cur.s.length) {
        if (!list) cur.fail("trailing comma after credentials");
        cur.i = next;
        return ch;
      }
      if (!cur.paramAt(next)) {
        if (!list) cur.fail("more than one credentials item");
        return ch; // the next challenge starts there; the caller skips the commas
      }
      cur.i = next;
      continue;
    }
    const name = cur.token();
    if (name.length === 0) cur.fail("expected an auth-param name");
    cur.skipWs();
    if (cur.peek() !== "=") cur.fail("expected '=' after the auth-param name");
    cur.i++;
    cur.skipWs();
    let value: string;
    if (cur.peek() === '"') {
      value = cur.quotedString();
    } else {
      value = cur.token();
      if (value.length === 0) cur.fail("expected a token or quoted-string value");
    }
    ch.params.push([name, value]);
    cur.skipWs();
    if (!cur.eof && cur.peek() !== ",") cur.fail("expected ',' between auth-params");
  }
}

function joinLines(value: string | readonly string[]): string {
  return typeof value === "string" ? value : value.join(", ");
}

/**
 * Parse a `WWW-Authenticate` (or `Proxy-Authenticate`) field value into its challenges, in
 * order. Pass several field lines as an array: they are combined as "a, b" (RFC 9110 5.3), which
 * is also what `Headers.get()` does. An empty value is an empty list.
 */
export function parseChallenges(value: string | readonly string[]): ParseResult {
  const s = unfold(joinLines(value));
  if (s.length > MAX_FIELD_LENGTH) return { ok: false, error: "field value too long", offset: MAX_FIELD_LENGTH };
  try {
    checkChars(s);
    const cur = new Cursor(s);
    const challenges: Challenge[] = [];
    for (;;) {
      cur.i = cur.nextElement(cur.i);
      if (cur.eof) break;
      challenges.push(parseItem(cur, true));
      cur.skipWs();
      if (!cur.eof && cur.peek() !== ",") cur.fail("expected ',' between challenges");
    }
    return { ok: true, challenges };
  } catch (e) {
    if (e instanceof SyntaxFailure) return { ok: false, error: e.error, offset: e.offset };
    throw e;
  }
}

/**
 * Parse an `Authorization` (or `Proxy-Authorization`) field value: exactly one credentials
 * item. Two field lines are an error (the field is not a list). The result has one element.
 */
export function parseCredentials(value: string | readonly string[]): ParseResult {
  if (typeof value !== "string" && value.length !== 1) {
    return { ok: false, error: value.length === 0 ? "no field value" : "more than one field line", offset: 0 };
  }
  const s = unfold(joinLines(value)).replace(/^[ \t]+|[ \t]+$/g, "");
  if (s.length > MAX_FIELD_LENGTH) return { ok: false, error: "field value too long", offset: MAX_FIELD_LENGTH };
  try {
    checkChars(s);
    const cur = new Cursor(s);
    const item = parseItem(cur, false);
    cur.skipWs();
    if (!cur.eof) cur.fail("unexpected text after the credentials");
    return { ok: true, challenges: [item] };
  } catch (e) {
    if (e instanceof SyntaxFailure) return { ok: false, error: e.error, offset: e.offset };
    throw e;
  }
}

/** Case-insensitive scheme comparison. */
export function isScheme(ch: Challenge, scheme: string): boolean {
  return ch.scheme.toLowerCase() === scheme.toLowerCase();
}

/**
 * The value of parameter `name` (case-insensitive), or undefined when it is absent or appears
 * more than once (a parameter name MUST occur once per challenge, RFC 9110 11.2: a duplicated
 * one is not to be trusted either way).
 */
export function getParam(ch: Challenge, name: string): string | undefined {
  const want = name.toLowerCase();
  let found: string | undefined;
  let count = 0;
  for (const [n, v] of ch.params) {
    if (n.toLowerCase() === want) {
      found = v;
      count++;
    }
  }
  return count === 1 ? found : undefined;
}

/** Parameter names (lower-cased) that occur more than once in the challenge. */
export function duplicateParams(ch: Challenge): string[] {
  const seen = new Set<string>();
  const dups = new Set<string>();
  for (const [n] of ch.params) {
    const k = n.toLowerCase();
    if (seen.has(k)) dups.add(k);
    seen.add(k);
  }
  return [...dups];
}

/** What a Bearer challenge says (RFC 6750 section 3). */
export interface BearerChallengeInfo {
  realm?: string;
  /** `invalid_request`, `invalid_token`, `insufficient_scope`, or another code. */
  error?: string;
  errorDescription?: string;
  /** Space-separated scopes the resource needs (with `insufficient_scope`). */
  scope?: string;
}

/**
 * The first Bearer challenge of a `WWW-Authenticate` value, or undefined when there is none or
 * the value does not parse. Other schemes (Basic, Digest, DPoP, ...) are skipped, whatever
 * their order.
 */
export function bearerChallenge(value: string | readonly string[] | null | undefined): BearerChallengeInfo | undefined {
  if (value === null || value === undefined) return undefined;
  const parsed = parseChallenges(value);
  if (!parsed.ok) return undefined;
  const ch = parsed.challenges.find((c) => isScheme(c, "Bearer"));
  if (!ch) return undefined;
  const info: BearerChallengeInfo = {};
  const realm = getParam(ch, "realm");
  const error = getParam(ch, "error");
  const desc = getParam(ch, "error_description");
  const scope = getParam(ch, "scope");
  if (realm !== undefined) info.realm = realm;
  if (error !== undefined) info.error = error;
  if (desc !== undefined) info.errorDescription = desc;
  if (scope !== undefined) info.scope = scope;
  return info;
}
