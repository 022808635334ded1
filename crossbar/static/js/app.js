// The admin UI's entry point: session, routing (#/...), one websocket shared
// by the pages (each page names its bindings and receives its events).
import { Api } from "./api.js";
import { announce, h, replace } from "./dom.js";
import { LiveSocket, websocketUrl } from "./live.js";
import { conferenceView } from "./views/conference.js";
import { conferenceFormView } from "./views/conference_form.js";
import { conferencesView } from "./views/conferences.js";
import { loginView } from "./views/login.js";
import { mediaView } from "./views/media.js";
import { webhookView } from "./views/webhook.js";
import { webhookFormView } from "./views/webhook_form.js";
import { webhooksView } from "./views/webhooks.js";
import { resourceFormView } from "./views/resource_form.js";
import { resourcesView } from "./views/resources.js";

const SESSION_KEY = "kz-admin-session";
const STATUS_TEXT = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…",
                      error: "Live updates refused", offline: "Offline" };

const ROUTES = [
  [/^#\/conferences\/new$/, (ctx) => conferenceFormView(ctx, null)],
  [/^#\/conferences\/([\w-]+)\/edit$/, (ctx, id) => conferenceFormView(ctx, id)],
  [/^#\/conferences\/([\w-]+)$/, (ctx, id) => conferenceView(ctx, id)],
  [/^#\/media$/, (ctx) => mediaView(ctx)],
  [/^#\/resources$/, (ctx) => resourcesView(ctx)],
  [/^#\/resources\/new$/, (ctx) => resourceFormView(ctx, "account", null)],
  [/^#\/resources\/([\w-]+)$/, (ctx, id) => resourceFormView(ctx, "account", id)],
  [/^#\/system-resources\/new$/, (ctx) => resourceFormView(ctx, "system", null)],
  [/^#\/system-resources\/([\w-]+)$/, (ctx, id) => resourceFormView(ctx, "system", id)],
  [/^#\/conferences$/, (ctx) => conferencesView(ctx)],
  [/^#\/webhooks\/new$/, (ctx) => webhookFormView(ctx, null)],
  [/^#\/webhooks\/([\w-]+)\/edit$/, (ctx, id) => webhookFormView(ctx, id)],
  [/^#\/webhooks\/([\w-]+)$/, (ctx, id) => webhookView(ctx, id)],
  [/^#\/webhooks$/, (ctx) => webhooksView(ctx)],
];

function loadSession() {
  try {
    return JSON.parse(window.sessionStorage.getItem(SESSION_KEY)) || {};
  } catch (error) {
    return {};
  }
}

class App {
  constructor(settings) {
    this.session = loadSession();
    this.api = new Api(settings.api_base || "/v2", this.session);
    this.api.onUnauthorized = () => this.signOut("Your session expired; please sign in again.");
    this.live = new LiveSocket(websocketUrl(settings), this.session, {
      onEvent: (message) => this.view && this.view.onEvent && this.view.onEvent(message),
      onStatus: (state, detail) => this.showStatus(state, detail),
      onResync: () => this.view && this.view.resync && this.view.resync(),
    });
    this.main = document.getElementById("main");
    this.view = null;
    this.ctx = { api: this.api, notify: (text) => this.notify(text),
                 navigate: (hash) => { window.location.hash = hash; },
                 signIn: (creds) => this.signIn(creds) };
    document.getElementById("sign-out").addEventListener("click", () => this.signOut());
    window.addEventListener("hashchange", () => this.route());
  }

  get signedIn() { return Boolean(this.session.token); }

  signIn({ token, accountId, accountName }) {
    Object.assign(this.session, { token, accountId, accountName });
    window.sessionStorage.setItem(SESSION_KEY, JSON.stringify(this.session));
    announce(`Signed in to ${accountName || accountId}`);
    if (window.location.hash === "#/conferences") this.route();
    else window.location.hash = "#/conferences";
  }

  signOut(message) {
    for (const key of Object.keys(this.session)) delete this.session[key];
    window.sessionStorage.removeItem(SESSION_KEY);
    this.live.stop();
    this.liveStarted = false;
    if (message) this.notify(message);
    if (window.location.hash === "#/login") this.route();
    else window.location.hash = "#/login";
  }

  notify(text) {
    const notice = document.getElementById("notice");
    replace(notice, h("span", {}, text),
      h("button", { type: "button", class: "link", "aria-label": "Dismiss", "data-testid": "notice-dismiss", onclick: () => { notice.hidden = true; } }, "×"));
    notice.hidden = false;
  }

  showStatus(state, detail) {
    const node = document.getElementById("ws-status");
    node.hidden = !this.signedIn;
    node.dataset.state = state;
    node.textContent = STATUS_TEXT[state] || state;
    node.title = detail || "";
  }

  chrome(hash) {
    document.querySelectorAll("#nav a").forEach((link) => {
      const current = hash.startsWith(link.getAttribute("href"));
      if (current) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    });
    document.getElementById("nav").hidden = !this.signedIn;
    document.getElementById("sign-out").hidden = !this.signedIn;
    document.getElementById("who").textContent = this.signedIn ? this.session.accountName || "" : "";
    document.getElementById("ws-status").hidden = !this.signedIn;
  }

  pickView(hash) {
    if (!this.signedIn) return loginView(this.ctx);
    for (const [pattern, make] of ROUTES) {
      const match = hash.match(pattern);
      if (match) return make(this.ctx, ...match.slice(1));
    }
    return null;
  }

  route() {
    const hash = window.location.hash || "#/conferences";
    if (!this.signedIn && hash !== "#/login") { window.location.hash = "#/login"; return; }
    const view = this.pickView(hash);
    if (!view) { window.location.hash = "#/conferences"; return; }
    this.leave();
    document.getElementById("notice").hidden = true;
    this.view = view;
    replace(this.main, view.element);
    document.title = `${view.title} · Conference admin`;
    this.chrome(hash);
    this.enter(view);
    this.main.focus({ preventScroll: true });
  }

  leave() {
    if (!this.view) return;
    for (const binding of this.view.bindings || []) this.live.unsubscribe(binding);
    if (this.view.destroy) this.view.destroy();
    this.view = null;
  }

  enter(view) {
    if (!this.signedIn) return;
    if (!this.liveStarted) { this.live.start(); this.liveStarted = true; }
    for (const binding of view.bindings || []) this.live.subscribe(binding);
  }
}

async function main() {
  let settings = {};
  try {
    settings = await (await fetch("/ui/config.json", { cache: "no-store" })).json();
  } catch (error) {
    settings = {};
  }
  const app = new App(settings);
  window.kzAdmin = app; // handy from the console
  app.route();
}

main();
