// The demo single-page app: sign in through gatekeeper's issuer with authorization code + PKCE,
// call /api/ with the short-lived access token, and show every 401, refresh and retry.
// Tokens stay in this module's memory; only the PKCE verifier and state sit in sessionStorage
// for the redirect round trip. Served by `gatekeeper demo` at /spa/ (and /spa/callback), with
// the built client at /spa/client/.
import {
  AuthClient,
  OAuthError,
  beginPkceLogin,
  completePkceLogin,
  refreshTokenGrant,
  revokeToken,
} from "./client/index.js";

const meta = (name, fallback) => document.querySelector(`meta[name="${name}"]`)?.content || fallback;

const CONFIG = {
  clientId: meta("gk-client-id", "demo-spa"),
  scope: meta("gk-scope", "read"),
  api: meta("gk-api", "/api/things"),
  authorizationEndpoint: "/.gatekeeper/authorize",
  tokenEndpoint: "/.gatekeeper/token",
  revocationEndpoint: "/.gatekeeper/revoke",
  metadata: "/.well-known/oauth-authorization-server",
  redirectUri: `${location.origin}/spa/callback`,
};

const $ = (id) => document.getElementById(id);
const started = performance.now();

function log(text, kind = "") {
  const li = document.createElement("li");
  const t = document.createElement("span");
  t.className = "t";
  t.textContent = `${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s`;
  const body = document.createElement("span");
  body.className = kind;
  body.textContent = text;
  li.append(t, body);
  li.dataset.kind = kind;
  $("log").append(li);
  li.scrollIntoView({ block: "nearest" });
}

const path = (url) => {
  try {
    const u = new URL(url, location.href);
    return u.origin === location.origin ? u.pathname + u.search : u.href;
  } catch {
    return String(url);
  }
};

function describe(e) {
  switch (e.type) {
    case "request": return [`${e.retry ? "retry " : ""}${e.method} ${path(e.url)}${e.withToken ? " with token" : " without token"}`, ""];
    case "unauthorized": return [`401 from ${path(e.url)}${e.error ? `: ${e.error}` : ""}${e.description ? ` (${e.description})` : ""}`, "warn"];
    case "refresh-start": return ["refreshing the access token (refresh_token grant)…", ""];
    case "refresh-success": return [`refreshed: new access token, expires in ${Math.round((e.expiresAt - Date.now()) / 1000)} s`, "ok"];
    case "refresh-failure": return [`refresh failed: ${e.error?.message ?? e.error}`, "bad"];
    case "retry": return [`retrying ${path(e.url)} once${e.refreshed ? "" : " with the token another call already refreshed"}`, ""];
    case "forbidden": return [`403 from ${path(e.url)}${e.error ? `: ${e.error}` : ""}${e.scope ? ` (needs scope ${e.scope})` : ""}: not retried, still signed in`, "bad"];
    case "login-required": return [e.suppressed ? `(login already asked for: ${e.reason})` : `login required: ${e.reason}`, "bad"];
    default: return [JSON.stringify(e), ""];
  }
}

const client = new AuthClient({
  refresh: refreshTokenGrant({ tokenEndpoint: CONFIG.tokenEndpoint, clientId: CONFIG.clientId }),
  onEvent: (e) => {
    const [text, kind] = describe(e);
    log(text, kind);
    if (e.type === "refresh-success") render();
  },
  onLoginRequired: (info) => {
    // A redirect would wipe this log; the demo asks instead.
    render();
    $("status").textContent = `Signed out (${info.reason}). Log in again to continue.`;
    $("status").dataset.state = "signed-out";
  },
});

let issuer; // from the metadata, for the RFC 9207 check of the callback's iss

async function loadIssuer() {
  try {
    const r = await fetch(CONFIG.metadata, { headers: { Accept: "application/json" } });
    if (r.ok) issuer = (await r.json()).issuer;
  } catch {
    // without metadata the iss check is skipped
  }
}

function claims(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part + "=".repeat((4 - (part.length % 4)) % 4)));
  } catch {
    return {};
  }
}

function render() {
  const t = client.tokens;
  const signedIn = t !== null;
  $("login").hidden = signedIn;
  for (const id of ["call", "burst", "write", "logout"]) $(id).disabled = !signedIn;
  $("token").hidden = !signedIn;
  $("refreshes").textContent = String(client.refreshCount);
  if (signedIn) {
    const c = claims(t.accessToken);
    $("status").textContent = `Signed in as ${c.sub ?? "?"} (scope: ${t.scope ?? c.scope ?? "?"})`;
    $("status").dataset.state = "signed-in";
    $("token").dataset.expiresAt = String(t.expiresAt ?? "");
  } else if ($("status").dataset.state !== "signed-out") {
    $("status").textContent = "Not signed in.";
    $("status").dataset.state = "signed-out";
  }
  tick();
}

function tick() {
  const at = Number($("token").dataset.expiresAt);
  $("ttl").textContent = at ? String(Math.max(0, Math.round((at - Date.now()) / 1000))) : "?";
}
setInterval(tick, 1000);

async function callApi(method = "GET") {
  const res = await client.fetch(CONFIG.api, {
    method,
    headers: { Accept: "application/json", ...(method === "GET" ? {} : { "Content-Type": "application/json" }) },
    ...(method === "GET" ? {} : { body: JSON.stringify({ hello: "from the SPA" }) }),
  });
  let who = "";
  if (res.ok) {
    try {
      const doc = await res.json();
      const h = Object.fromEntries(Object.entries(doc.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      who = h["x-auth-request-user"] ? ` as ${h["x-auth-request-user"]}` : "";
    } catch {
      // not the echo upstream
    }
  }
  log(`${method} ${CONFIG.api} -> ${res.status}${who}`, res.ok ? "ok" : "bad");
  return res.status;
}

async function burst() {
  const before = client.refreshCount;
  log("firing 10 calls at once", "");
  const statuses = await Promise.all(Array.from({ length: 10 }, () => callApi()));
  const ok = statuses.filter((s) => s === 200).length;
  const refreshes = client.refreshCount - before;
  $("summary").textContent = `${ok}/10 calls succeeded, ${refreshes} refresh${refreshes === 1 ? "" : "es"}`;
  $("summary").dataset.ok = String(ok);
  $("summary").dataset.refreshes = String(refreshes);
  render();
}

async function login() {
  $("after-logout").hidden = true;
  log("redirecting to the issuer (authorization code + PKCE S256)");
  location.assign(await beginPkceLogin({
    authorizationEndpoint: CONFIG.authorizationEndpoint,
    clientId: CONFIG.clientId,
    redirectUri: CONFIG.redirectUri,
    scope: CONFIG.scope,
    returnTo: "/spa/",
  }));
}

async function logout() {
  const rt = client.tokens?.refreshToken;
  client.clearTokens();
  if (rt) {
    const ok = await revokeToken({ ...CONFIG, clientId: CONFIG.clientId }, rt, "refresh_token").catch(() => false);
    log(ok ? "refresh token revoked" : "revocation failed (the token is forgotten anyway)", ok ? "ok" : "bad");
  }
  log("logged out: tokens forgotten");
  $("status").textContent = "Logged out.";
  $("status").dataset.state = "signed-out";
  $("after-logout").hidden = false;
  render();
}

async function main() {
  $("login").addEventListener("click", () => void login());
  $("call").addEventListener("click", () => void callApi());
  $("burst").addEventListener("click", () => void burst());
  $("write").addEventListener("click", () => void callApi("POST"));
  $("logout").addEventListener("click", () => void logout());
  $("clear").addEventListener("click", () => $("log").replaceChildren());
  await loadIssuer();
  if (location.pathname === "/spa/callback") {
    log("back from the issuer: exchanging the code");
    try {
      const { tokens, returnTo } = await completePkceLogin({
        tokenEndpoint: CONFIG.tokenEndpoint, clientId: CONFIG.clientId,
        ...(issuer ? { expectedIssuer: issuer } : {}),
      });
      client.setTokens(tokens);
      history.replaceState(null, "", returnTo || "/spa/");
      log(`signed in; access token expires in ${Math.round((tokens.expiresAt - Date.now()) / 1000)} s`, "ok");
    } catch (e) {
      history.replaceState(null, "", "/spa/");
      log(`login failed: ${e instanceof OAuthError ? e.code + ": " : ""}${e.message}`, "bad");
    }
  }
  render();
  document.body.dataset.ready = "true";
}

// Exposed for the browser tests and for poking around in devtools (never the tokens' values).
window.gkSpa = {
  refreshCount: () => client.refreshCount,
  expiresAt: () => client.tokens?.expiresAt ?? null,
  signedIn: () => client.tokens !== null,
};

void main();
