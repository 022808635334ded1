// One conference, live: participants and room state updated from websocket
// events, re-read from the API whenever the socket (re)subscribes, an action
// was accepted or an event cannot be applied; controls, recordings and transcripts.
// Recording and transcript events re-read those lists; only the room's own
// recording (an event on the room's routing key, naming no participant) changes
// the room's Recording badge: a participant's own track does not.
import { describe } from "../api.js";
import { announce, formatDuration, h } from "../dom.js";
import { LIFECYCLE_EVENTS, lifecyclePanel } from "./lifecycle.js";
import { ParticipantTable } from "./participant_table.js";
import { recordingsList } from "./recordings.js";
import { transcriptsList } from "./transcripts.js";
import { mediaPicker, roomControls } from "./room_controls.js";

const REFRESH_DELAY_MS = 150;
const LIST_EVENTS = /^(recording|transcript)-/;
const ROOM_EVENTS = {
  lock: [{ is_locked: true }, "The conference is locked"],
  unlock: [{ is_locked: false }, "The conference is unlocked"],
  "recording-started": [{ is_recording: true }, "Recording started"],
  "recording-stopped": [{ is_recording: false }, "Recording stopped"],
  "conference-destroy": [{ is_locked: false, is_recording: false, startedAt: null }, "The conference ended"],
};
const now = () => Date.now() / 1000;

function header(conferenceId) {
  const parts = {
    title: h("h1", { id: "conference-title", "data-testid": "conference-name" }, "Conference"),
    locked: h("span", { class: "badge", "data-testid": "room-locked" }),
    recording: h("span", { class: "badge", "data-testid": "room-recording" }),
    members: h("span", { "data-testid": "room-members" }, "0"),
    duration: h("span", { "data-testid": "room-duration" }, "—"),
  };
  parts.element = h("div", { class: "heading-row" }, parts.title,
    h("p", { class: "room-state" }, parts.locked, " ", parts.recording, " ",
      h("span", {}, parts.members, " in the room"), " · ", h("span", {}, "running ", parts.duration)),
    h("a", { class: "button", href: `#/conferences/${conferenceId}/edit`, "data-testid": "conference-edit" }, "Edit"));
  // one room on several FreeSWITCH nodes (the API's _read_only.split and warning)
  parts.split = h("p", { class: "notice", role: "status", "data-testid": "room-split", hidden: true });
  return parts;
}

function setBadge(node, on, [onText, offText], style) {
  node.textContent = on ? onText : offText;
  node.dataset.state = on ? "on" : "off";
  node.className = `badge ${on ? style : "off"}`;
}

class ConferencePage {
  constructor(ctx, conferenceId) {
    this.ctx = ctx;
    this.conferenceId = conferenceId;
    this.base = `${ctx.api.accountUrl}/conferences/${conferenceId}`;
    this.room = { is_locked: false, is_recording: false, startedAt: null };
    this.roomClock = 0; // counts room events (see refresh)
    this.top = header(conferenceId);
    this.table = new ParticipantTable((row, action, data) => this.participantAction(row, action, data),
                                      { notify: (text) => ctx.notify(text), conferences: () => this.otherConferences() });
    this.media = mediaPicker(ctx);
    this.recordings = recordingsList(ctx, conferenceId);
    this.transcripts = transcriptsList(ctx, conferenceId);
    this.lifecycle = lifecyclePanel({ endRoom: () => this.roomAction("end") });
    this.controls = roomControls(ctx, { media: this.media,
      roomAction: (action, data) => this.roomAction(action, data),
      bulkAction: (action) => this.run(ctx.api.action(`${this.base}/participants`, action, {}),
                                       `${action} (everyone)`) });
    this.element = h("section", { class: "conference", "aria-labelledby": "conference-title",
                                  "data-testid": "conference-page", "data-conference-id": conferenceId },
      this.top.element, this.top.split,
      h("div", { class: "conference-layout" },
        h("div", { class: "main-column" }, this.table.element, this.recordings.element,
          this.transcripts.element),
        h("div", { class: "side-column" }, this.lifecycle.element, this.controls.element)));
    this.ticker = window.setInterval(() => this.tick(), 1000);
    this.render();
  }

  // The reply's envelope either way (a refused dial still lists its endpoints).
  async run(promise, what) {
    try {
      const reply = await promise;
      announce(`${what}: done`);
      this.scheduleRefresh();
      return reply;
    } catch (problem) {
      this.ctx.notify(`Could not ${what}: ${describe(problem)}`);
      return problem.body || {};
    }
  }

  async roomAction(action, data = {}) {
    const reply = await this.run(this.ctx.api.action(this.base, action, data), `${action} ${data.action || ""}`.trim());
    if (action === "record" || action === "transcribe") this.scheduleListsRefresh();
    return (reply.data || {}).endpoint_responses;
  }

  participantAction(row, action, data = {}) {
    if (action === "play") data = this.media.selected();
    if (data === null) return this.ctx.notify("Choose media (or enter a URL or tts:// text) to play.");
    const id = encodeURIComponent(String(row.state.participant_id)); // "<node>:<id>" in a split room
    return this.run(this.ctx.api.action(`${this.base}/participants/${id}`, action, data),
                    `${action} ${row.label}`);
  }

  // [id, name] of the account's other conferences (where a participant can be moved)
  async otherConferences() {
    const items = await this.ctx.api.getAll(`${this.ctx.api.accountUrl}/conferences`);
    return items.filter((item) => item.id !== this.conferenceId).map((item) => [item.id, item.name || item.id]);
  }

  async refresh() {
    try {
      const [asked, roomAsked] = [this.table.clock, this.roomClock];
      const doc = await this.ctx.api.get(this.base);
      const live = doc._read_only || {};
      this.top.title.textContent = doc.name || this.conferenceId;
      document.title = `${doc.name || this.conferenceId} · Conference admin`;
      if (roomAsked === this.roomClock) { // else a room event since is newer than this read
        Object.assign(this.room, { is_locked: Boolean(live.is_locked), is_recording: Boolean(live.is_recording),
                                   startedAt: live.members ? now() - Number(live.duration || 0) : null });
      }
      this.top.split.hidden = !live.split;
      this.top.split.textContent = live.split ? live.warning : "";
      this.table.sync(live.participants || [], asked);
      this.lifecycle.update(live);
      this.render();
    } catch (problem) {
      this.ctx.notify(`Could not read the conference: ${describe(problem)}`);
    }
  }

  scheduleRefresh() {
    window.clearTimeout(this.refreshTimer);
    this.refreshTimer = window.setTimeout(() => this.refresh(), REFRESH_DELAY_MS);
  }

  scheduleListsRefresh() {
    window.clearTimeout(this.listsTimer);
    this.listsTimer = window.setTimeout(() => { this.recordings.refresh(); this.transcripts.refresh(); },
                                        REFRESH_DELAY_MS);
  }

  onEvent(message) {
    const data = message.data || {};
    if (data.conference_id && data.conference_id !== this.conferenceId) return;
    if (LIFECYCLE_EVENTS.has(data.event)) return this.scheduleRefresh();
    const roomKey = String(message.routing_key || "").endsWith(".conference");
    if (LIST_EVENTS.test(data.event || "")) {
      this.scheduleListsRefresh();
      if (!roomKey || (data.participant_id !== undefined && data.participant_id !== null)) return; // a participant's track
    }
    if (roomKey) {
      this.applyRoomEvent(data);
    } else if (data.participant_id !== undefined && data.participant_id !== null) {
      if (data.event === "add-member") this.room.startedAt = this.room.startedAt || now();
      if (!this.table.apply(data)) this.scheduleRefresh();
    }
    this.render();
  }

  applyRoomEvent(data) {
    this.roomClock += 1;
    const [changes, news] = ROOM_EVENTS[data.event] || [];
    if (data.event === "conference-destroy") this.table.clear();
    if (data.event === "conference-create") this.room.startedAt = now();
    if (!changes) return;
    Object.assign(this.room, changes);
    announce(news);
  }

  render() {
    setBadge(this.top.locked, this.room.is_locked, ["Locked", "Unlocked"], "warn");
    setBadge(this.top.recording, this.room.is_recording, ["Recording", "Not recording"], "rec");
    this.top.members.textContent = String(this.table.size);
    this.controls.update(this.room);
    this.tick();
  }

  tick() {
    this.table.tick();
    const { startedAt } = this.room;
    this.top.duration.textContent = startedAt ? formatDuration(now() - startedAt) : "—";
  }

  destroy() {
    window.clearInterval(this.ticker);
    window.clearTimeout(this.refreshTimer);
    window.clearTimeout(this.listsTimer);
  }
}

export function conferenceView(ctx, conferenceId) {
  const page = new ConferencePage(ctx, conferenceId);
  page.refresh();
  page.recordings.refresh();
  page.transcripts.refresh();
  return {
    title: "Conference",
    bindings: [`conference.event.${conferenceId}.*`],
    element: page.element,
    onEvent: (message) => page.onEvent(message),
    resync: () => page.scheduleRefresh(),
    destroy: () => page.destroy(),
  };
}
