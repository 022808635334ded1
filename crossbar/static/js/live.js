// Blackhole websocket client: subscribe with the auth token, reconnect with
// backoff, resubscribe every binding, and tell the page when it is live again
// (the page then re-reads what it may have missed).

const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 8000];
const PING_MS = 20000;

export class LiveSocket {
  constructor(url, session, { onEvent, onStatus, onResync } = {}) {
    this.url = url;
    this.session = session;
    this.bindings = new Set();
    this.onEvent = onEvent || (() => {});
    this.onStatus = onStatus || (() => {});
    this.onResync = onResync || (() => {});
    this.attempt = 0;
    this.requestSeq = 0;
    this.socket = null;
    this.closed = false;
    this.connected = false;
  }

  start() {
    this.closed = false;
    this.connect();
    return this;
  }

  stop() {
    this.closed = true;
    this.connected = false;
    window.clearTimeout(this.retryTimer);
    window.clearInterval(this.pingTimer);
    if (this.socket) this.socket.close(1000, "page left");
    this.socket = null;
  }

  subscribe(binding) {
    this.bindings.add(binding);
    if (this.connected) this.send("subscribe", [binding]);
  }

  unsubscribe(binding) {
    if (!this.bindings.delete(binding) || !this.connected) return;
    this.send("unsubscribe", [binding]);
  }

  connect() {
    this.status("connecting");
    let socket;
    try {
      socket = new WebSocket(this.url);
    } catch (error) {
      this.retry();
      return;
    }
    this.socket = socket;
    socket.addEventListener("open", () => this.opened(socket));
    socket.addEventListener("message", (message) => this.received(message.data));
    socket.addEventListener("close", () => this.lost(socket));
  }

  opened(socket) {
    if (socket !== this.socket) return;
    this.connected = true;
    this.attempt = 0;
    this.pingTimer = window.setInterval(() => this.send("ping"), PING_MS);
    if (this.bindings.size) this.send("subscribe", [...this.bindings], "resubscribe");
    else this.status("live");
  }

  lost(socket) {
    if (socket !== this.socket) return;
    this.connected = false;
    window.clearInterval(this.pingTimer);
    this.socket = null;
    if (!this.closed) this.retry();
  }

  retry() {
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    this.status("reconnecting");
    this.retryTimer = window.setTimeout(() => this.connect(), delay * (0.75 + Math.random() / 2));
  }

  send(action, bindings, tag) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return;
    this.requestSeq += 1;
    const message = { action, request_id: `${tag || action}-${this.requestSeq}` };
    if (bindings) {
      message.auth_token = this.session.token;
      message.data = { account_id: this.session.accountId, bindings };
    }
    this.socket.send(JSON.stringify(message));
  }

  received(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch (error) {
      return;
    }
    if (message.action === "event" && message.name === "events_dropped") {
      this.onResync(); // the gateway dropped events we were too slow for: re-read
    } else if (message.action === "event") {
      this.onEvent(message);
    } else if (message.action === "reply" && /subscribe-/.test(String(message.request_id))) {
      const ok = message.status === "success";
      if (!String(message.request_id).startsWith("unsubscribe")) {
        this.status(ok ? "live" : "error", ok ? "" : (message.data || {}).message);
        if (ok) this.onResync();
      }
    }
  }

  status(state, detail = "") {
    this.state = state;
    this.onStatus(state, detail);
  }
}

// The gateway URL from /ui/config.json: explicit, else host:port, else this page's host.
export function websocketUrl(settings) {
  if (settings.websocket_url) return settings.websocket_url;
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const host = settings.websocket_host || window.location.hostname;
  const port = settings.websocket_port ? `:${settings.websocket_port}` : "";
  const bracketed = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `${scheme}://${bracketed}${port}/`;
}
