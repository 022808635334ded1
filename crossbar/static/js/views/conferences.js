// The conference list: live member counts, lock and recording state, and links
// to create, open, edit and delete. Any conference event re-reads the list.
import { describe } from "../api.js";
import { announce, h, replace } from "../dom.js";

const ROOM_EVENTS = /^(add-member|del-member|lock|unlock|recording-started|recording-stopped|recording-failed|conference-create|conference-destroy|conference-ended)$/;
const REFRESH_DELAY_MS = 250;

function badge(on, text, testid, style) {
  return h("span", { class: `badge ${on ? style : "off"}`, "data-testid": testid,
                     "data-state": on ? "on" : "off" }, text);
}

function numbers(conference) {
  return (conference.conference_numbers || []).join(", ") || "—";
}

function row(conference, ctx, remove) {
  const id = conference.id;
  return h("tr", { "data-testid": "conference-row", "data-conference-id": id },
    h("th", { scope: "row" },
      h("a", { href: `#/conferences/${id}`, "data-testid": "conference-open" }, conference.name || id)),
    h("td", {}, numbers(conference)),
    h("td", { class: "num", "data-testid": "conference-members" }, conference.members || 0),
    h("td", { class: "num" }, conference.moderators || 0),
    h("td", {}, badge(conference.status === "active", conference.status === "active" ? "Active"
      : conference.status === "ending" ? "Ending" : "Idle", "conference-status", "rec"), " ",
      badge(conference.is_locked, conference.is_locked ? "Locked" : "Unlocked", "conference-locked", "warn"),
      " ", conference.is_recording ? badge(true, "Recording", "conference-recording", "rec") : ""),
    h("td", { class: "actions" },
      h("a", { class: "button", href: `#/conferences/${id}/edit`, "data-testid": "conference-edit",
               "aria-label": `Edit ${conference.name || id}` }, "Edit"),
      h("button", { type: "button", class: "danger", "data-testid": "conference-delete",
                    "aria-label": `Delete ${conference.name || id}`,
                    onclick: () => remove(conference) }, "Delete")));
}

function table(conferences, ctx, remove) {
  if (!conferences.length) {
    return h("p", { class: "empty", "data-testid": "conference-empty" }, "No conferences yet.");
  }
  return h("div", { class: "table-scroll" }, h("table", { class: "grid", "data-testid": "conference-table" },
    h("caption", { class: "visually-hidden" }, "Conferences of this account"),
    h("thead", {}, h("tr", {}, ["Name", "Numbers", "Members", "Moderators", "State", "Actions"]
      .map((label) => h("th", { scope: "col", class: /Members|Moderators/.test(label) ? "num" : null }, label)))),
    h("tbody", {}, conferences.map((conference) => row(conference, ctx, remove)))));
}

export function conferencesView(ctx) {
  const body = h("div", { "aria-busy": "true" }, h("p", { class: "loading" }, "Loading conferences…"));
  let timer = null;

  async function load() {
    try {
      const conferences = await ctx.api.getAll(`${ctx.api.accountUrl}/conferences`);
      conferences.sort((a, b) => String(a.name || a.id).localeCompare(String(b.name || b.id)));
      replace(body, table(conferences, ctx, remove));
      body.setAttribute("aria-busy", "false");
    } catch (problem) {
      ctx.notify(`Could not load conferences: ${describe(problem)}`);
    }
  }

  async function remove(conference) {
    if (!window.confirm(`Delete the conference “${conference.name || conference.id}”?`)) return;
    const path = `${ctx.api.accountUrl}/conferences/${conference.id}`;
    try {
      await ctx.api.del(path).catch((problem) => {
        // a running room: ending it is part of deleting it, once confirmed
        if (problem.status !== 409 || problem.data.cause !== "running") throw problem;
        if (!window.confirm("The conference is running. End it (everyone is hung up) and delete it?")) return null;
        return ctx.api.del(`${path}?end=true`);
      });
      announce(`Conference ${conference.name || conference.id} deleted`);
      await load();
    } catch (problem) {
      ctx.notify(`Could not delete: ${describe(problem)}`);
    }
  }

  function scheduleLoad() {
    window.clearTimeout(timer);
    timer = window.setTimeout(load, REFRESH_DELAY_MS);
  }

  load();
  return {
    title: "Conferences",
    bindings: ["conference.event.*.*"],
    element: h("section", { "aria-labelledby": "conferences-title" },
      h("div", { class: "heading-row" },
        h("h1", { id: "conferences-title" }, "Conferences"),
        h("a", { class: "button primary", href: "#/conferences/new", "data-testid": "conference-new" },
          "New conference")),
      body),
    onEvent(message) {
      if (ROOM_EVENTS.test((message.data || {}).event || "")) scheduleLoad();
    },
    resync: scheduleLoad,
    destroy() { window.clearTimeout(timer); },
  };
}
