// Carriers (Kazoo "resources"): the account's own and, for superduper admins,
// the system's. Each list links to the form (views/resource_form.js).
import { describe } from "../api.js";
import { announce, h, replace } from "../dom.js";

export const SCOPES = {
  account: { base: (api) => `${api.accountUrl}/resources`, route: "#/resources",
             title: "This account's carriers" },
  system: { base: () => "/resources", route: "#/system-resources", title: "System carriers" },
};

function row(scope, resource, remove) {
  const route = SCOPES[scope].route;
  return h("tr", { "data-testid": "resource-row", "data-resource-id": resource.id, "data-scope": scope },
    h("th", { scope: "row" },
      h("a", { href: `${route}/${resource.id}`, "data-testid": "resource-open" }, resource.name || resource.id)),
    h("td", {}, h("span", { class: `badge ${resource.enabled === false ? "off" : "on"}` },
      resource.enabled === false ? "Disabled" : "Enabled")),
    h("td", { class: "num" }, resource.weight_cost ?? 1),
    h("td", {}, (resource.rules || []).map((rule) => h("code", {}, rule, " "))),
    h("td", { class: "num", "data-testid": "resource-gateways" }, resource.gateways ?? 0),
    h("td", { class: "actions" },
      h("button", { type: "button", class: "danger", "data-testid": "resource-delete",
                    "aria-label": `Delete ${resource.name || resource.id}`,
                    onclick: () => remove(scope, resource) }, "Delete")));
}

function table(scope, items, remove) {
  if (!items.length) return h("p", { class: "empty", "data-testid": `resource-empty-${scope}` }, "No carriers yet.");
  return h("div", { class: "table-scroll" }, h("table", { class: "grid", "data-testid": `resource-table-${scope}` },
    h("caption", { class: "visually-hidden" }, SCOPES[scope].title),
    h("thead", {}, h("tr", {}, ["Name", "State", "Priority", "Rules", "Gateways", ""]
      .map((label) => h("th", { scope: "col" }, label)))),
    h("tbody", {}, items.map((item) => row(scope, item, remove)))));
}

function section(scope) {
  const body = h("div", {}, h("p", { class: "loading" }, "Loading carriers…"));
  const element = h("section", { class: "card", "aria-labelledby": `${scope}-carriers`,
                                 "data-testid": `resources-${scope}` },
    h("div", { class: "heading-row" }, h("h2", { id: `${scope}-carriers` }, SCOPES[scope].title),
      h("a", { class: "button primary", href: `${SCOPES[scope].route}/new`,
               "data-testid": `resource-new-${scope}` }, "New carrier")),
    body);
  return { element, body };
}

// Shows the switches' answer to a save: every node's gateway sync.
export function syncSummary(reply) {
  const sync = ((reply || {})._read_only || {}).gateway_sync;
  if (!sync) return "No FreeSWITCH node is configured: the switches were not updated.";
  const failed = Object.entries(sync).filter(([, result]) => result.status !== "success");
  if (!failed.length) return `Gateways updated on ${Object.keys(sync).length} node(s).`;
  return `Gateways not updated on ${failed.map(([node, r]) => `${node} (${r.message})`).join(", ")}`;
}

export function resourcesView(ctx) {
  const own = section("account");
  const system = section("system");
  const status = h("p", { class: "hint", role: "status", "data-testid": "resources-status" });
  system.element.hidden = true;

  async function load() {
    try {
      replace(own.body, table("account", await ctx.api.getAll(SCOPES.account.base(ctx.api)), remove));
    } catch (problem) {
      replace(own.body, h("p", { class: "empty" }, `Carriers are for admins: ${describe(problem)}`));
    }
    try {   // superduper admins only: anyone else gets 403 and never sees the section
      replace(system.body, table("system", await ctx.api.getAll(SCOPES.system.base()), remove));
      system.element.hidden = false;
    } catch (problem) {
      system.element.hidden = true;
    }
  }

  async function remove(scope, resource) {
    if (!window.confirm(`Delete carrier ${resource.name || resource.id}?`)) return;
    try {
      const reply = await ctx.api.del(`${SCOPES[scope].base(ctx.api)}/${resource.id}`);
      announce(`Carrier ${resource.name || resource.id} deleted`);
      status.textContent = `Deleted ${resource.name || resource.id}. ${syncSummary(reply)}`;
      await load();
    } catch (problem) {
      ctx.notify(`Could not delete ${resource.name || resource.id}: ${describe(problem)}`);
    }
  }

  load();
  return {
    title: "Carriers",
    element: h("section", { "aria-labelledby": "resources-title", "data-testid": "resources-page" },
      h("h1", { id: "resources-title" }, "Carriers"),
      h("p", { class: "hint" }, "Numbers dialled from conferences go out through these carriers: the ",
        "account's own first, then the system's, lower priority values first, each carrier's gateways in order."),
      status, own.element, system.element),
  };
}
