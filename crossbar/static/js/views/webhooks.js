// The account's webhooks: where each goes, what it listens to, whether it is
// enabled (or was disabled by the delivery service), with open/edit/delete.
import { describe } from "../api.js";
import { announce, h, replace } from "../dom.js";

export function stateBadge(hook) {
  if (hook.enabled === false) {
    const auto = hook.disabled_reason || (hook._read_only && hook._read_only.auto_disabled);
    return h("span", { class: "badge warn", "data-testid": "webhook-state", "data-state": auto ? "auto-disabled" : "disabled",
                       title: auto ? `Disabled by the delivery service: ${hook.disabled_reason || auto.reason}` : null },
      auto ? "Disabled (failing)" : "Disabled");
  }
  return h("span", { class: "badge on", "data-testid": "webhook-state", "data-state": "enabled" }, "Enabled");
}

function row(hook, remove) {
  return h("tr", { "data-testid": "webhook-row", "data-webhook-id": hook.id },
    h("th", { scope: "row" }, h("a", { href: `#/webhooks/${hook.id}`, "data-testid": "webhook-open" }, hook.name || hook.id)),
    h("td", {}, h("code", { "data-testid": "webhook-uri" }, hook.uri)),
    h("td", { "data-testid": "webhook-hook" }, hook.hook),
    h("td", {}, stateBadge(hook)),
    h("td", { class: "actions" },
      h("a", { class: "button", href: `#/webhooks/${hook.id}/edit`, "data-testid": "webhook-edit",
               "aria-label": `Edit ${hook.name || hook.id}` }, "Edit"),
      h("button", { type: "button", class: "danger", "data-testid": "webhook-delete",
                    "aria-label": `Delete ${hook.name || hook.id}`, onclick: () => remove(hook) }, "Delete")));
}

function table(hooks, remove) {
  if (!hooks.length) return h("p", { class: "empty", "data-testid": "webhook-empty" }, "No webhooks yet.");
  return h("div", { class: "table-scroll" }, h("table", { class: "grid", "data-testid": "webhook-table" },
    h("caption", { class: "visually-hidden" }, "Webhooks of this account"),
    h("thead", {}, h("tr", {}, ["Name", "URL", "Hook", "State", "Actions"].map((label) => h("th", { scope: "col" }, label)))),
    h("tbody", {}, hooks.map((hook) => row(hook, remove)))));
}

export function webhooksView(ctx) {
  const body = h("div", { "aria-busy": "true" }, h("p", { class: "loading" }, "Loading webhooks…"));

  async function load() {
    try {
      const hooks = await ctx.api.getAll(`${ctx.api.accountUrl}/webhooks`);
      hooks.sort((a, b) => String(a.name || a.id).localeCompare(String(b.name || b.id)));
      replace(body, table(hooks, remove));
      body.setAttribute("aria-busy", "false");
    } catch (problem) {
      ctx.notify(`Could not load webhooks: ${describe(problem)}`);
    }
  }

  async function remove(hook) {
    if (!window.confirm(`Delete the webhook “${hook.name || hook.id}”?`)) return;
    try {
      await ctx.api.del(`${ctx.api.accountUrl}/webhooks/${hook.id}`);
      announce(`Webhook ${hook.name || hook.id} deleted`);
      await load();
    } catch (problem) {
      ctx.notify(`Could not delete: ${describe(problem)}`);
    }
  }

  load();
  return {
    title: "Webhooks",
    element: h("section", { "aria-labelledby": "webhooks-title" },
      h("div", { class: "heading-row" },
        h("h1", { id: "webhooks-title" }, "Webhooks"),
        h("a", { class: "button primary", href: "#/webhooks/new", "data-testid": "webhook-new" }, "New webhook")),
      h("p", { class: "hint" }, "Conference, participant and recording events are sent to these URLs, signed (X-Kazoo-Signature) and in order per conference."),
      body),
  };
}
