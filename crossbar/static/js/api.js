// REST client for crossbar's Kazoo-style API: envelopes, the auth token, errors.

export class ApiError extends Error {
  constructor(status, body) {
    const message = (body && body.message) || `HTTP ${status}`;
    super(message);
    this.status = status;
    this.body = body || {};
    this.data = (body && body.data) || {};
  }

  // Validation errors: {"dotted.path": {"keyword": {"message", ...}}}
  get fieldErrors() {
    if (this.status !== 400 || typeof this.data !== "object" || Array.isArray(this.data)) return {};
    const out = {};
    for (const [path, keywords] of Object.entries(this.data)) {
      if (!keywords || typeof keywords !== "object") continue;
      const messages = Object.entries(keywords).map(([keyword, detail]) =>
        (detail && detail.message) || keyword);
      if (messages.length) out[path] = messages;
    }
    return out;
  }

  // The most useful one-line description: FreeSWITCH's text (422) or the
  // fields a validation error names.
  get detail() {
    const data = this.data;
    if (typeof data === "string") return `${this.message}: ${data}`;
    const fields = Object.entries(this.fieldErrors).map(([path, messages]) => `${path}: ${messages.join("; ")}`);
    if (fields.length) return `${this.message} (${fields.join(", ")})`;
    if (data && typeof data.message === "string" && data.message !== this.message) {
      return data.message.startsWith(this.message) ? data.message : `${this.message}: ${data.message}`;
    }
    return this.message;
  }
}

// Any error (ApiError, network failure) as one line for the page.
export function describe(problem) {
  return (problem && (problem.detail || problem.message)) || String(problem);
}

export class Api {
  constructor(base, session) {
    this.base = base.replace(/\/$/, "");
    this.session = session;
    this.onUnauthorized = () => {};
  }

  get accountUrl() {
    return `/accounts/${this.session.accountId}`;
  }

  async request(method, path, { data, body, headers = {}, raw = false } = {}) {
    const init = { method, headers: { Accept: "application/json", ...headers } };
    if (this.session.token) init.headers["X-Auth-Token"] = this.session.token;
    if (data !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify({ data });
    } else if (body !== undefined) {
      init.body = body;
    }
    const response = await fetch(this.base + path, init);
    if (raw && response.ok) return response;
    const parsed = await response.json().catch(() => ({}));
    if (!response.ok) {
      if (response.status === 401 && this.session.token) this.onUnauthorized();
      throw new ApiError(response.status, parsed);
    }
    return parsed;
  }

  get(path) { return this.request("GET", path).then((r) => r.data); }

  // Every page of a list (Kazoo paging: next_start_key until there is none).
  async getAll(path, maxPages = 40) {
    const items = [];
    let startKey = null;
    for (let page = 0; page < maxPages; page += 1) {
      const query = startKey ? `${path.includes("?") ? "&" : "?"}start_key=${encodeURIComponent(startKey)}` : "";
      const reply = await this.request("GET", path + query);
      items.push(...(reply.data || []));
      startKey = reply.next_start_key;
      if (!startKey) break;
    }
    return items;
  }
  put(path, data) { return this.request("PUT", path, { data }).then((r) => r.data); }
  post(path, data) { return this.request("POST", path, { data }).then((r) => r.data); }
  del(path) { return this.request("DELETE", path).then((r) => r.data); }

  // Kazoo's "action" PUT bodies: {"data": {"action": ..., "data": {...}}}
  action(path, action, data = {}) {
    return this.request("PUT", path, { data: { action, data } });
  }

  async login(credentials) {
    const reply = await this.request(...credentials);
    return { token: reply.auth_token, accountId: reply.data.account_id,
             accountName: reply.data.account_name };
  }

  static userAuth(hash, accountName) {
    return ["PUT", "/user_auth", { data: { credentials: hash, account_name: accountName } }];
  }

  static apiAuth(apiKey) {
    return ["PUT", "/api_auth", { data: { api_key: apiKey } }];
  }

  async download(path) {
    const response = await this.request("GET", path, { raw: true, headers: { Accept: "*/*" } });
    return response.blob();
  }
}
