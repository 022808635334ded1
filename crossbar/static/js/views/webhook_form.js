// Create or edit a webhook. After creation the signing secret is shown once
// (the API never returns it again); custom data is edited as key=value lines.
import { describe } from "../api.js";
import { announce, h, replace } from "../dom.js";
import { submitDocument } from "./form_errors.js";

const HOOKS = [["all", "All events"], ["conference", "Conference (created, updated, deleted, started, ended)"],
  ["participant", "Participant (joined, left, muted, deaf, held, moved)"],
  ["recording", "Recording (started, stopped, failed, ready)"], ["transcript", "Transcript (ready, failed)"]];
const inputId = (path) => `hook-${path.replace(/\./g, "-")}`;

function field(path, label, control, hint) {
  const id = inputId(path);
  const error = h("p", { class: "field-error", id: `${id}-error`, "data-testid": `error-${path}`, hidden: true });
  const checkbox = control.type === "checkbox";
  const labelNode = h("label", { for: id, class: control.getAttribute("aria-required") ? "required" : null }, label);
  const hintNode = hint ? h("p", { class: "hint", id: `${id}-hint` }, hint) : null;
  return checkbox ? h("div", { class: "field checkbox" }, control, labelNode, error)
    : h("div", { class: "field" }, labelNode, control, hintNode, error);
}

function common(path, extra = {}) {
  const id = inputId(path);
  return { id, name: path, "data-path": path, "data-testid": `field-${path}`, "aria-describedby": `${id}-error ${id}-hint`, ...extra };
}

function customText(data) {
  return Object.entries(data || {}).map(([key, value]) => `${key}=${value}`).join("\n");
}

function parseCustom(text) {
  const out = {};
  for (const line of text.split("\n").map((l) => l.trim()).filter(Boolean)) {
    const at = line.indexOf("=");
    if (at > 0) out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

function formFields(doc) {
  return [
    field("name", "Name", h("input", common("name", { type: "text", value: doc.name || "", "aria-required": "true", autocomplete: "off" }))),
    field("uri", "URL", h("input", common("uri", { type: "text", value: doc.uri || "", "aria-required": "true", autocomplete: "off", inputmode: "url" })),
      "http:// or https://, a public address."),
    field("hook", "Events", h("select", common("hook"), HOOKS.map(([value, label]) =>
      h("option", { value, selected: (doc.hook || "all") === value }, label)))),
    field("http_verb", "Method", h("select", common("http_verb"), ["post", "put"].map((verb) =>
      h("option", { value: verb, selected: (doc.http_verb || "post") === verb }, verb.toUpperCase())))),
    field("retries", "Retries", h("input", common("retries", { type: "number", min: "0", max: "4", step: "1", value: doc.retries ?? 2 })),
      "0 to 4, with exponential back-off."),
    field("include_subaccounts", "Also send sub-accounts' events", h("input", common("include_subaccounts", { type: "checkbox", checked: Boolean(doc.include_subaccounts) }))),
    field("enabled", "Enabled", h("input", common("enabled", { type: "checkbox", checked: doc.enabled !== false }))),
    field("custom_data", "Custom data", h("textarea", common("custom_data", { rows: "3" }), customText(doc.custom_data)),
      "One key=value per line, sent in every request as custom_data."),
  ];
}

function readForm(form, original) {
  const doc = JSON.parse(JSON.stringify(original));
  for (const key of Object.keys(doc)) if (key === "id" || key.startsWith("_")) delete doc[key];
  Object.assign(doc, { name: form.elements.name.value, uri: form.elements.uri.value.trim(),
    hook: form.elements.hook.value, http_verb: form.elements.http_verb.value,
    retries: Number(form.elements.retries.value || 0), include_subaccounts: form.elements.include_subaccounts.checked,
    enabled: form.elements.enabled.checked, custom_data: parseCustom(form.elements.custom_data.value) });
  return doc;
}

export function secretPanel(secret, next) {
  return h("div", { class: "card", role: "status", "data-testid": "webhook-secret-panel" },
    h("h2", {}, "Signing secret"),
    h("p", {}, "Copy it now: it is not shown again. Requests carry X-Kazoo-Signature: t=<time>,v1=HMAC-SHA256(secret, \"<time>.\" + body)."),
    h("p", {}, h("code", { "data-testid": "webhook-secret" }, secret)),
    next ? h("a", { class: "button primary", href: next, "data-testid": "webhook-continue" }, "Continue") : null);
}

export function webhookFormView(ctx, webhookId) {
  const editing = Boolean(webhookId);
  const base = `${ctx.api.accountUrl}/webhooks`;
  const summary = h("div", { class: "form-error", role: "alert", tabindex: "-1", "data-testid": "form-errors", hidden: true });
  const container = h("div", {}, h("p", { class: "loading" }, "Loading…"));
  let original = {};

  const save = submitDocument(summary, ctx.notify, (form) => {
    const doc = readForm(form, original);
    return editing ? ctx.api.post(`${base}/${webhookId}`, doc) : ctx.api.put(base, doc);
  }, (saved) => {
    announce(`Webhook ${saved.name} ${editing ? "saved" : "created"}`);
    if (editing) ctx.navigate(`#/webhooks/${saved.id}`);
    else replace(container, secretPanel(saved.secret, `#/webhooks/${saved.id}`));
  });

  function render(doc) {
    replace(container, h("form", { class: "card form", novalidate: true, "data-testid": "webhook-form", onsubmit: save },
      summary, formFields(doc),
      h("div", { class: "form-actions" },
        h("button", { type: "submit", class: "primary", "data-testid": "webhook-save" }, editing ? "Save changes" : "Create webhook"),
        h("a", { class: "button", href: editing ? `#/webhooks/${webhookId}` : "#/webhooks", "data-testid": "webhook-cancel" }, "Cancel"))));
  }

  if (editing) {
    ctx.api.get(`${base}/${webhookId}`).then((doc) => { original = doc; render(doc); })
      .catch((problem) => ctx.notify(`Could not load the webhook: ${describe(problem)}`));
  } else {
    render({});
  }
  return {
    title: editing ? "Edit webhook" : "New webhook",
    element: h("section", { "aria-labelledby": "webhook-form-title" },
      h("h1", { id: "webhook-form-title" }, editing ? "Edit webhook" : "New webhook"), container),
  };
}
