/**
 * The same 401 rules for axios (or anything with axios-style interceptors), without depending
 * on axios: a request interceptor attaches the token, a response error interceptor refreshes
 * (shared with every other caller of the same {@link AuthClient}) and retries once through
 * `instance.request(config)`.
 */
import type { AuthClient } from "./auth-client.js";

/** The part of an axios instance the adapter uses. */
export interface AxiosLikeInstance {
  interceptors: {
    request: { use(onFulfilled?: (config: any) => any, onRejected?: (error: any) => any): number; eject(id: number): void };
    response: { use(onFulfilled?: (response: any) => any, onRejected?: (error: any) => any): number; eject(id: number): void };
  };
  request(config: any): Promise<any>;
}

/** Book-keeping the adapter puts on each request config (survives axios's mergeConfig). */
interface Meta {
  managed: boolean;
  sent: string | null;
  retried: boolean;
}

const META = "__gatekeeper";

function headerGet(headers: any, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof headers.get === "function") {
    const v = headers.get(name);
    if (v !== undefined && v !== null && v !== false) return Array.isArray(v) ? v.join(", ") : String(v);
  }
  const want = name.toLowerCase();
  for (const k of Object.keys(headers)) {
    if (k.toLowerCase() === want) {
      const v = headers[k];
      return Array.isArray(v) ? v.join(", ") : v === undefined || v === null ? undefined : String(v);
    }
  }
  return undefined;
}

function headerSet(config: any, name: string, value: string | null): void {
  config.headers ??= {};
  const h = config.headers;
  if (typeof h.set === "function" && typeof h.delete === "function") {
    if (value === null) h.delete(name);
    else h.set(name, value);
    return;
  }
  for (const k of Object.keys(h)) if (k.toLowerCase() === name.toLowerCase()) delete h[k];
  if (value !== null) h[name] = value;
}

function requestUrl(config: any): string {
  const url = String(config.url ?? "");
  const base = config.baseURL ? String(config.baseURL) : undefined;
  const loc = (globalThis as { location?: { href: string } }).location;
  try {
    if (base && !/^[a-z][a-z0-9+.-]*:/i.test(url)) {
      return new URL(url.replace(/^\//, ""), base.endsWith("/") ? base : base + "/").toString();
    }
    return new URL(url, loc?.href).toString();
  } catch {
    return url;
  }
}

/**
 * Install the interceptors on `instance`; returns a function that removes them.
 *
 *     const api = axios.create({ baseURL: "/api/" });
 *     attachToAxios(api, client);
 */
export function attachToAxios(instance: AxiosLikeInstance, client: AuthClient): () => void {
  const reqId = instance.interceptors.request.use((config: any) => {
    const meta: Meta | undefined = config[META];
    const url = requestUrl(config);
    if (!meta) {
      const own = headerGet(config.headers, "authorization") !== undefined;
      const managed = !own && client.mayAttach(url);
      config[META] = { managed, sent: null, retried: false } satisfies Meta;
    }
    const m: Meta = config[META];
    if (m.managed) {
      const token = client.accessToken;
      m.sent = token;
      headerSet(config, "Authorization", token === null ? null : `Bearer ${token}`);
    }
    return config;
  });

  const resId = instance.interceptors.response.use(undefined, async (error: any) => {
    const res = error?.response;
    const config = error?.config;
    const m: Meta | undefined = config?.[META];
    if (!res || !m?.managed) throw error;
    const url = requestUrl(config);
    if (res.status === 403) {
      client.noteForbidden(url, headerGet(res.headers, "www-authenticate"));
      throw error;
    }
    if (res.status !== 401) throw error;
    const decision = await client.handleUnauthorized({
      requestUrl: url,
      sentToken: m.sent,
      retried: m.retried,
      wwwAuthenticate: headerGet(res.headers, "www-authenticate"),
      readBody: async () => (typeof res.data === "string" ? JSON.parse(res.data) : res.data),
      responseUrl: res.request?.responseURL || url,
    });
    if (decision.retryWith === undefined) throw error;
    m.retried = true;
    return instance.request(config);
  });

  return () => {
    instance.interceptors.request.eject(reqId);
    instance.interceptors.response.eject(resId);
  };
}
