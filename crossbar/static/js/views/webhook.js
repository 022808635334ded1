// One webhook: what it is, enable/disable (re-enabling one the delivery service
// disabled), secret rotation (the new secret shown once) and the delivery log,
// newest first. Both are re-read every few seconds while the page is open (the
// delivery service may disable the webhook meanwhile).
import { describe } from "../api.js";
import { announce, h, replace } from "../dom.js";
import { secretPanel } from "./webhook_form.js";
import { stateBadge } from "./webhooks.js";

const LOG_REFRESH_MS = 2000;

function when(seconds) {
  return seconds ? new Date(seconds * 1000).toLocaleString() : "—";
}

function outcome(entry) {
  if (entry.status) return entry.error ? `${entry.status} · ${entry.error}` : String(entry.status);
  return entry.error || "—";
}

function logTable(entries) {
  if (!entries.length) return h("p", { class: "empty", "data-testid": "attempts-empty" }, "No deliveries yet.");
  return h("div", { class: "table-scroll" }, h("table", { class: "grid", "data-testid": "attempts-table" },
    h("caption", { class: "visually-hidden" }, "Delivery attempts, newest first"),
    h("thead", {}, h("tr", {}, ["Time", "Event", "Attempt", "Status or error", "Duration", "Result"]
      .map((label) => h("th", { scope: "col" }, label)))),
    h("tbody", {}, entries.map((entry) => h("tr", { "data-testid": "attempt-row", "data-result": entry.result },
      h("td", {}, when(entry.time)),
      h("td", { "data-testid": "attempt-event" }, entry.event, entry.sequence ? ` #${entry.sequence}` : ""),
      h("td", { class: "num", "data-testid": "attempt-number" }, entry.attempt ? `${entry.attempt} of ${entry.attempts_max || "?"}` : "—"),
      h("td", { "data-testid": "attempt-status" }, outcome(entry)),
      h("td", { class: "num" }, entry.duration_ms != null ? `${Math.round(entry.duration_ms)} ms` : "—"),
      h("td", { "data-testid": "attempt-result" }, entry.result || "—"))))));
}

function details(hook) {
  const auto = hook._read_only && hook._read_only.auto_disabled;
  return h("dl", { class: "card details" },
    h("dt", {}, "URL"), h("dd", {}, h("code", { "data-testid": "webhook-uri" }, hook.uri)),
    h("dt", {}, "Events"), h("dd", { "data-testid": "webhook-hook" }, hook.hook),
    h("dt", {}, "Method"), h("dd", {}, (hook.http_verb || "post").toUpperCase()),
    h("dt", {}, "Retries"), h("dd", {}, String(hook.retries ?? 2)),
    h("dt", {}, "Sub-accounts"), h("dd", {}, hook.include_subaccounts ? "Included" : "Not included"),
    h("dt", {}, "State"), h("dd", {}, stateBadge(hook),
      auto ? h("span", { class: "hint", "data-testid": "webhook-disabled-reason" },
        ` Disabled by the delivery service: ${auto.reason}.`) : null));
}

export function webhookView(ctx, webhookId) {
  const path = `${ctx.api.accountUrl}/webhooks/${webhookId}`;
  const title = h("h1", { id: "webhook-title", "data-testid": "webhook-name" }, "Webhook");
  const info = h("div", {}, h("p", { class: "loading" }, "Loading…"));
  const toggle = h("button", { type: "button", "data-testid": "webhook-toggle", onclick: () => setEnabled() });
  const secret = h("div");
  const log = h("div", { "data-testid": "attempts" }, h("p", { class: "loading" }, "Loading the delivery log…"));
  let hook = null;

  async function load() {
    try {
      hook = await ctx.api.get(path);
      title.textContent = hook.name || webhookId;
      replace(info, details(hook));
      toggle.textContent = hook.enabled === false ? "Enable" : "Disable";
    } catch (problem) {
      ctx.notify(`Could not load the webhook: ${describe(problem)}`);
    }
  }

  async function loadLog() {
    try {
      replace(log, logTable(await ctx.api.get(`${path}/attempts`)));
    } catch (problem) {
      replace(log, h("p", { class: "empty" }, `Could not load the delivery log: ${describe(problem)}`));
    }
  }

  async function setEnabled() {
    const enabled = hook.enabled === false;
    try {
      await ctx.api.request("PATCH", path, { data: { enabled } });
      announce(`Webhook ${enabled ? "enabled" : "disabled"}`);
      await load();
    } catch (problem) {
      ctx.notify(`Could not change the webhook: ${describe(problem)}`);
    }
  }

  async function rotate() {
    if (!window.confirm("Make a new signing secret? The current one stops signing requests.")) return;
    try {
      const reply = await ctx.api.request("POST", `${path}/secret`);
      replace(secret, secretPanel(reply.data.secret, null));
      announce("New signing secret made");
    } catch (problem) {
      ctx.notify(`Could not rotate the secret: ${describe(problem)}`);
    }
  }

  const refresh = () => Promise.all([load(), loadLog()]);
  refresh();
  const timer = window.setInterval(refresh, LOG_REFRESH_MS);
  return {
    title: "Webhook",
    element: h("section", { "aria-labelledby": "webhook-title", "data-testid": "webhook-page", "data-webhook-id": webhookId },
      h("div", { class: "heading-row" }, title,
        h("div", { class: "button-row" }, toggle,
          h("button", { type: "button", "data-testid": "webhook-rotate", onclick: rotate }, "New secret"),
          h("a", { class: "button", href: `#/webhooks/${webhookId}/edit`, "data-testid": "webhook-edit" }, "Edit"))),
      info, secret,
      h("section", { "aria-labelledby": "attempts-title" },
        h("div", { class: "heading-row" }, h("h2", { id: "attempts-title" }, "Delivery log"),
          h("button", { type: "button", "data-testid": "attempts-refresh", onclick: refresh }, "Refresh")),
        log)),
    destroy() { window.clearInterval(timer); },
  };
}
