// Create or edit a conference. Inputs are named by their document path
// ("member.pins"), so validation errors {"dotted.path": {keyword: {message}}}
// land at the input they concern; the rest go to the form's summary.
import { describe } from "../api.js";
import { announce, h, replace } from "../dom.js";
import { submitDocument } from "./form_errors.js";

const FIELDS = [
  { path: "name", label: "Name", kind: "text", required: true },
  { path: "conference_numbers", label: "Call-in numbers", kind: "list",
    hint: "Digits only; separate several with commas." },
  { path: "max_participants", label: "Maximum participants", kind: "number", hint: "0 or empty: no limit." },
  { path: "play_name", label: "Announce names on entry", kind: "bool" },
  { path: "wait_for_moderator", label: "Members wait for a moderator", kind: "bool" },
  { legend: "Members", fields: [
    { path: "member.pins", label: "Member PINs", kind: "list" },
    { path: "member.join_muted", label: "Members join muted", kind: "bool" },
    { path: "member.join_deaf", label: "Members join deaf", kind: "bool" },
  ] },
  { legend: "Moderators", fields: [
    { path: "moderator.pins", label: "Moderator PINs", kind: "list" },
    { path: "moderator.join_muted", label: "Moderators join muted", kind: "bool" },
    { path: "moderator.join_deaf", label: "Moderators join deaf", kind: "bool" },
  ] },
];

const flatFields = () => FIELDS.flatMap((entry) => entry.fields || [entry]);
const inputId = (path) => `conf-${path.replace(/\./g, "-")}`;

function read(doc, path) {
  return path.split(".").reduce((value, key) => (value == null ? undefined : value[key]), doc);
}

function write(doc, path, value) {
  const keys = path.split(".");
  const last = keys.pop();
  const parent = keys.reduce((node, key) => {
    if (typeof node[key] !== "object" || node[key] === null) node[key] = {};
    return node[key];
  }, doc);
  if (value === undefined) delete parent[last];
  else parent[last] = value;
}

function control(spec, value) {
  const id = inputId(spec.path);
  const common = { id, name: spec.path, "data-path": spec.path, "data-testid": `field-${spec.path}`,
                   "aria-describedby": `${id}-error${spec.hint ? ` ${id}-hint` : ""}` };
  if (spec.kind === "bool") return h("input", { ...common, type: "checkbox", checked: Boolean(value) });
  if (spec.kind === "number") {
    return h("input", { ...common, type: "number", min: "0", step: "1", inputmode: "numeric",
                        value: value ?? "" });
  }
  const text = spec.kind === "list" ? (value || []).join(", ") : (value ?? "");
  return h("input", { ...common, type: "text", value: text, "aria-required": spec.required ? "true" : null,
                      autocomplete: "off" });
}

function fieldBlock(spec, doc) {
  const id = inputId(spec.path);
  const input = control(spec, read(doc, spec.path));
  const error = h("p", { class: "field-error", id: `${id}-error`, "data-testid": `error-${spec.path}`,
                         hidden: true });
  const hint = spec.hint ? h("p", { class: "hint", id: `${id}-hint` }, spec.hint) : null;
  const label = h("label", { for: id, class: spec.required ? "required" : null }, spec.label);
  const cls = spec.kind === "bool" ? "field checkbox" : "field";
  return spec.kind === "bool" ? h("div", { class: cls }, input, label, error)
    : h("div", { class: cls }, label, input, hint, error);
}

function valueOf(form, spec) {
  const input = form.elements[spec.path];
  if (spec.kind === "bool") return input.checked;
  const raw = input.value.trim();
  if (spec.kind === "list") return raw ? raw.split(/[\s,;]+/).filter(Boolean) : [];
  if (spec.kind === "number") return raw === "" ? undefined : Number(raw);
  return raw === "" && !spec.required ? undefined : input.value;
}

export function conferenceFormView(ctx, conferenceId) {
  const editing = Boolean(conferenceId);
  const summary = h("div", { class: "form-error", role: "alert", tabindex: "-1", "data-testid": "form-errors",
                             hidden: true });
  const container = h("div", {}, h("p", { class: "loading" }, "Loading…"));
  let original = {};

  function buildDocument(form) {
    const doc = JSON.parse(JSON.stringify(original));
    for (const key of Object.keys(doc)) if (key === "id" || key.startsWith("_")) delete doc[key];
    for (const spec of flatFields()) write(doc, spec.path, valueOf(form, spec));
    return doc;
  }

  const save = submitDocument(summary, ctx.notify, (form) => {
    const base = `${ctx.api.accountUrl}/conferences`;
    const doc = buildDocument(form);
    return editing ? ctx.api.post(`${base}/${conferenceId}`, doc) : ctx.api.put(base, doc);
  }, (saved) => {
    announce(`Conference ${saved.name} ${editing ? "saved" : "created"}`);
    ctx.navigate(`#/conferences/${saved.id}`);
  });

  function render(doc) {
    const blocks = FIELDS.map((entry) => (entry.fields
      ? h("fieldset", {}, h("legend", {}, entry.legend), entry.fields.map((spec) => fieldBlock(spec, doc)))
      : fieldBlock(entry, doc)));
    const cancel = editing ? `#/conferences/${conferenceId}` : "#/conferences";
    replace(container, h("form", { class: "card form", novalidate: true, "data-testid": "conference-form",
                                   onsubmit: save },
      summary, blocks,
      h("div", { class: "form-actions" },
        h("button", { type: "submit", class: "primary", "data-testid": "conference-save" },
          editing ? "Save changes" : "Create conference"),
        h("a", { class: "button", href: cancel, "data-testid": "conference-cancel" }, "Cancel"))));
  }

  if (editing) {
    ctx.api.get(`${ctx.api.accountUrl}/conferences/${conferenceId}`)
      .then((doc) => { original = doc; render(doc); })
      .catch((problem) => ctx.notify(`Could not load the conference: ${describe(problem)}`));
  } else {
    render({ member: { join_muted: true } }); // the schema's defaults
  }
  return {
    title: editing ? "Edit conference" : "New conference",
    element: h("section", { "aria-labelledby": "form-title" },
      h("h1", { id: "form-title" }, editing ? "Edit conference" : "New conference"), container),
  };
}
