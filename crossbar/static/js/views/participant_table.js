// The live participant table: rows keyed by participant id, updated in place
// from events, reconciled with the API's list on every re-read.
import { announce, h } from "../dom.js";
import { ParticipantRow, changesFrom } from "./participants.js";

const REMOVED = new Set(["del-member", "kick-member", "hup-member"]);
const NEWS = {
  "mute-member": "muted", "unmute-member": "unmuted", "deaf-member": "deafened", "undeaf-member": "undeafened",
  "hold-member": "put on hold", "unhold-member": "taken off hold",
};
const COLUMNS = ["Talking", "Caller", "Role", "Audio", "Time", "Actions"];

export class ParticipantTable {
  // act: (row, action, data) -> promise; more: {notify, conferences} for each row's panel
  constructor(act, more = {}) {
    this.act = act;
    this.more = more;
    this.rows = new Map();
    this.qualified = false; // participant ids are "<node>:<id>" (see keyOf)
    this.clock = 0; // counts applied events
    this.touched = new Map(); // participant id -> clock of its latest event
    this.body = h("tbody", { "data-testid": "participants" });
    this.empty = h("p", { class: "empty", "data-testid": "participants-empty" }, "Nobody is in the conference.");
    this.element = h("section", { class: "card", "aria-labelledby": "participants-title" },
      h("h2", { id: "participants-title" }, "Participants"),
      h("div", { class: "table-scroll" }, h("table", { class: "grid participants" },
        h("caption", { class: "visually-hidden" }, "Live participants"),
        h("thead", {}, h("tr", {}, COLUMNS.map((label) =>
          h("th", { scope: "col", class: label === "Time" ? "num" : null }, label)))),
        this.body)),
      this.empty);
  }

  get size() { return this.rows.size; }

  upsert(participant) {
    const id = String(participant.participant_id);
    const existing = this.rows.get(id);
    if (existing) return existing.update(participant);
    const peers = () => [...this.rows.values()].filter((other) => other !== row)
      .map((other) => [String(other.state.participant_id), other.label]);
    const row = new ParticipantRow(participant, (action, data) => this.act(row, action, data),
                                   { ...this.more, peers });
    this.rows.set(id, row);
    this.body.append(row.element);
    return row;
  }

  remove(participantId) {
    const row = this.rows.get(String(participantId));
    if (!row) return;
    this.rows.delete(String(participantId));
    row.element.remove();
    announce(`${row.label} left`);
  }

  // An event's participant: "<node>:<id>" while the room runs on several nodes (the
  // API's ids then are node-qualified; events carry the node as `focus`).
  keyOf(data) {
    return this.qualified && data.focus ? `${data.focus}:${data.participant_id}` : String(data.participant_id);
  }

  // The API's list (asked for when the clock read `since`) is the truth, except
  // for participants whose events arrived after it was asked for: newer news.
  sync(participants, since = this.clock) {
    this.qualified = participants.some((p) => typeof p.participant_id === "string" && p.participant_id.includes(":"));
    const fresh = (id) => !((this.touched.get(id) || 0) > since);
    const seen = new Set(participants.map((participant) => String(participant.participant_id)));
    participants.filter((p) => fresh(String(p.participant_id))).forEach((p) => this.upsert(p));
    [...this.rows.keys()].filter((id) => !seen.has(id) && fresh(id)).forEach((id) => this.remove(id));
  }

  clear() {
    [...this.rows.keys()].forEach((id) => this.remove(id));
  }

  // Apply one participant event; false when it needs a re-read to be shown right.
  apply(data) {
    this.clock += 1;
    const key = this.keyOf(data);
    this.touched.set(key, this.clock);
    const row = this.rows.get(key);
    if (data.event === "add-member") {
      this.upsert({ ...changesFrom(data), participant_id: this.qualified ? key : data.participant_id, duration: 0 });
      announce(`${data.caller_id_name || data.caller_id_number || "A participant"} joined`);
      return false; // events do not say who moderates: the API's list does
    }
    if (REMOVED.has(data.event)) {
      this.remove(key);
      return true;
    }
    if (!row) return false;
    row.update(changesFrom(data));
    if (NEWS[data.event]) announce(`${row.label} ${NEWS[data.event]}`);
    return true;
  }

  tick() {
    this.rows.forEach((row) => row.tick());
    this.empty.hidden = this.rows.size > 0;
  }
}
