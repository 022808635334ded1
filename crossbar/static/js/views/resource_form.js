// Create or edit a carrier (resource) and its gateways. Inputs are named by
// their document path ("gateways.0.server"), so a 400's field errors land at
// the input they concern. Passwords come back masked (********): sent back
// unchanged, the mask keeps the stored password.
import { describe } from "../api.js";
import { announce, h, replace } from "../dom.js";
import { SCOPES, syncSummary } from "./resources.js";

const GATEWAY_FIELDS = [
  ["server", "Server", "text", true], ["port", "Port", "number"], ["realm", "Realm", "text"],
  ["username", "Username", "text"], ["password", "Password", "password"],
  ["prefix", "Prefix", "text"], ["suffix", "Suffix", "text"], ["codecs", "Codecs (comma separated)", "list"],
  ["progress_timeout", "Progress timeout (s)", "number"],
];
const FORMATS = ["e164", "1npan", "npan", "route"];
const id = (path) => `res-${path.replace(/\./g, "-")}`;

function field(path, label, kind, value, required) {
  const attrs = { id: id(path), name: path, "data-testid": `field-${path}`, autocomplete: "off",
                  "aria-describedby": `${id(path)}-error` };
  let input;
  if (kind === "bool") input = h("input", { ...attrs, type: "checkbox", checked: value !== false });
  else if (kind === "lines") input = h("textarea", { ...attrs, rows: 3 }, (value || []).join("\n"));
  else if (kind === "select") input = h("select", attrs, FORMATS.map((f) => h("option", { value: f, selected: f === (value || "e164") }, f)));
  else input = h("input", { ...attrs, type: kind === "number" ? "number" : kind === "password" ? "password" : "text",
                            value: kind === "list" ? (value || []).join(", ") : (value ?? ""),
                            "aria-required": required ? "true" : null });
  const error = h("p", { class: "field-error", id: `${id(path)}-error`, "data-testid": `error-${path}`, hidden: true });
  const text = h("label", { for: id(path), class: required ? "required" : null }, label);
  return kind === "bool" ? h("div", { class: "field checkbox" }, input, text, error)
    : h("div", { class: "field" }, text, input, error);
}

function gatewayBlock(index, gateway, onRemove) {
  const base = `gateways.${index}`;
  return h("fieldset", { "data-testid": "gateway", "data-index": index },
    h("legend", {}, `Gateway ${index + 1}`),
    GATEWAY_FIELDS.map(([key, label, kind, required]) => field(`${base}.${key}`, label, kind, gateway[key], required)),
    field(`${base}.invite_format`, "Number format", "select", gateway.invite_format),
    field(`${base}.enabled`, "Enabled", "bool", gateway.enabled),
    h("button", { type: "button", class: "danger", "data-testid": "gateway-remove", onclick: onRemove }, "Remove gateway"));
}

function value(form, path, kind) {
  const input = form.elements[path];
  if (!input) return undefined;
  if (kind === "bool") return input.checked;
  const raw = input.value.trim();
  if (kind === "number") return raw === "" ? undefined : Number(raw);
  if (kind === "list") return raw ? raw.split(/[\s,]+/).filter(Boolean) : [];
  if (kind === "lines") return raw ? raw.split(/\n+/).map((line) => line.trim()).filter(Boolean) : [];
  return raw === "" ? undefined : raw;
}

function collect(form, count) {
  const cid = { number: value(form, "caller_id_options.number"), name: value(form, "caller_id_options.name"),
                force: value(form, "caller_id_options.force", "bool") };
  const doc = { name: value(form, "name"), enabled: value(form, "enabled", "bool"),
                weight_cost: value(form, "weight_cost", "number"), rules: value(form, "rules", "lines"),
                allow_sip_uris: value(form, "allow_sip_uris", "bool"), caller_id_options: cid, gateways: [] };
  for (let index = 0; index < count; index += 1) {
    const base = `gateways.${index}`;
    const gateway = { invite_format: value(form, `${base}.invite_format`), enabled: value(form, `${base}.enabled`, "bool") };
    for (const [key, , kind] of GATEWAY_FIELDS) gateway[key] = value(form, `${base}.${key}`, kind);
    doc.gateways.push(JSON.parse(JSON.stringify(gateway)));   // drops the undefined ones
  }
  return JSON.parse(JSON.stringify(doc));
}

function showErrors(form, summary, problem) {
  form.querySelectorAll(".field-error").forEach((node) => { node.hidden = true; });
  form.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
  const rest = [];
  for (const [path, messages] of Object.entries(problem.fieldErrors || {})) {
    const target = path.replace(/^data\./, "").replace(/^(rules)\.\d+$/, "$1").replace(/^(gateways\.\d+\.codecs)\.\d+$/, "$1");
    const input = form.elements[target];
    const error = input && document.getElementById(`${id(target)}-error`);
    if (error) {
      error.textContent = messages.join("; ");
      error.hidden = false;
      input.setAttribute("aria-invalid", "true");
    } else rest.push(`${path}: ${messages.join("; ")}`);
  }
  summary.textContent = rest.length ? rest.join(" · ") : describe(problem);
  summary.hidden = false;
}

export function resourceFormView(ctx, scope, givenId) {
  let resourceId = givenId;
  const base = SCOPES[scope].base(ctx.api);
  const element = h("section", { "aria-labelledby": "resource-form-title", "data-testid": "resource-form-page" },
    h("p", { class: "loading" }, "Loading…"));

  function render(doc, message = "") {
    const gateways = h("div", { "data-testid": "gateways" });
    let entries = (doc.gateways && doc.gateways.length ? doc.gateways : [{}]).map((g) => ({ ...g }));
    // Gateways are added and removed on what the form holds now (typed values kept).
    const change = (edit) => { entries = collect(form, entries.length).gateways; edit(); redraw(); };
    const redraw = () => replace(gateways, entries.map((g, i) =>
      gatewayBlock(i, g, () => change(() => entries.splice(i, 1)))));
    const summary = h("p", { class: "form-error", role: "alert", "data-testid": "resource-form-error", hidden: true });
    const status = h("p", { class: "hint", role: "status", "data-testid": "resource-form-status" }, message);
    const cid = doc.caller_id_options || {};
    const form = h("form", { class: "form", "data-testid": "resource-form", novalidate: true, onsubmit: save },
      summary,
      field("name", "Name", "text", doc.name, true), field("enabled", "Enabled", "bool", doc.enabled),
      field("weight_cost", "Priority (0-100, lower first)", "number", doc.weight_cost),
      field("rules", "Rules (regular expressions on the E.164 number, one per line)", "lines", doc.rules),
      field("allow_sip_uris", "Also dial sip: URIs of other hosts", "bool", doc.allow_sip_uris === true),
      h("fieldset", {}, h("legend", {}, "Caller id"),
        field("caller_id_options.number", "Number", "text", cid.number),
        field("caller_id_options.name", "Name", "text", cid.name),
        field("caller_id_options.force", "Always use this caller id", "bool", cid.force === true)),
      gateways,
      h("div", { class: "form-actions" },
        h("button", { type: "button", "data-testid": "gateway-add",
                      onclick: () => change(() => entries.push({})) }, "Add gateway"),
        h("button", { type: "submit", class: "primary", "data-testid": "resource-save" }, "Save"),
        h("a", { href: "#/resources", "data-testid": "resource-back" }, "Back to carriers")),
      status);
    redraw();

    async function save(event) {
      event.preventDefault();
      summary.hidden = true;
      const data = collect(form, entries.length);
      try {
        const reply = resourceId ? await ctx.api.post(`${base}/${resourceId}`, data) : await ctx.api.put(base, data);
        announce(`Carrier ${reply.name} saved`);
        if (!resourceId) {   // now an existing carrier: its address, without reloading the page
          resourceId = reply.id;
          window.history.replaceState(null, "", `${SCOPES[scope].route}/${reply.id}`);
        }
        render(reply, `Saved. ${syncSummary(reply)}`);   // passwords come back masked
      } catch (problem) {
        showErrors(form, summary, problem);
      }
    }

    replace(element, h("h1", { id: "resource-form-title" },
      `${resourceId ? "Edit" : "New"} ${scope === "system" ? "system " : ""}carrier`), form);
  }

  if (resourceId) {
    ctx.api.get(`${base}/${resourceId}`).then(render)
      .catch((problem) => replace(element, h("p", { class: "empty" }, `Could not load the carrier: ${describe(problem)}`)));
  } else {
    render({ enabled: true, weight_cost: 1, rules: [] });
  }
  return { title: resourceId ? "Edit carrier" : "New carrier", element };
}
