// One conference, live: participants updated from websocket events (re-read
// from the API whenever the socket (re)subscribes or an event cannot be
// applied), room state, controls and recordings.
import { describe } from "../api.js";
import { announce, formatDuration, h, replace } from "../dom.js";
import { ParticipantRow, changesFrom } from "./participants.js";
import { recordingsList } from "./recordings.js";
import { mediaPicker, roomControls } from "./room_controls.js";

const REFRESH_DELAY_MS = 150;
const REMOVED = new Set(["del-member", "kick-member", "hup-member"]);
const ROOM_STATE = {
  lock: { is_locked: true }, unlock: { is_locked: false },
  "start-recording": { is_recording: true }, "stop-recording": { is_recording: false },
};

const ROOM_NEWS = {
  lock: "The conference is locked", unlock: "The conference is unlocked",
  "start-recording": "Recording started", "stop-recording": "Recording stopped",
};
const PARTICIPANT_NEWS = {
  "mute-member": "muted", "unmute-member": "unmuted", "deaf-member": "deafened", "undeaf-member": "undeafened",
};

function header(conferenceId) {
  const title = h("h1", { id: "conference-title", "data-testid": "conference-name" }, "Conference");
  const locked = h("span", { class: "badge", "data-testid": "room-locked" });
  const recording = h("span", { class: "badge", "data-testid": "room-recording" });
  const members = h("span", { "data-testid": "room-members" }, "0");
  const duration = h("span", { "data-testid": "room-duration" }, "—");
  const element = h("div", { class: "heading-row" }, title,
    h("p", { class: "room-state" }, locked, " ", recording, " ",
      h("span", {}, members, " in the room"), " · ", h("span", {}, "running ", duration)),
    h("a", { class: "button", href: `#/conferences/${conferenceId}/edit`, "data-testid": "conference-edit" }, "Edit"));
  return { element, title, locked, recording, members, duration };
}

export function conferenceView(ctx, conferenceId) {
  const base = `${ctx.api.accountUrl}/conferences/${conferenceId}`;
  const rows = new Map(); // participant_id -> ParticipantRow
  const room = { is_locked: false, is_recording: false, startedAt: null };
  const top = header(conferenceId);
  const tbody = h("tbody", { "data-testid": "participants" });
  const empty = h("p", { class: "empty", "data-testid": "participants-empty" }, "Nobody is in the conference.");
  const media = mediaPicker(ctx);
  const recordings = recordingsList(ctx, conferenceId);
  let refreshTimer = null;

  async function run(promise, what) {
    try {
      const reply = await promise;
      announce(`${what}: done`);
      scheduleRefresh();
      return reply;
    } catch (problem) {
      ctx.notify(`${what} failed: ${describe(problem)}`);
      return null;
    }
  }

  const roomAction = async (action, data = {}) => {
    const reply = await run(ctx.api.action(base, action, data), `${action} ${data.action || ""}`.trim());
    if (action === "record") recordings.refresh();
    return reply && reply.data && reply.data.endpoint_responses;
  };
  const bulkAction = (action) => {
    const data = action === "play" ? media.selected() || {} : {};
    return run(ctx.api.action(`${base}/participants`, action, data), `${action} (everyone)`);
  };
  const controls = roomControls(ctx, { roomAction, bulkAction, media });

  function participantAction(row, action) {
    const data = action === "play" ? media.selected() : {};
    if (data === null) return ctx.notify("Choose media (or enter a URL or tts:// text) to play.");
    return run(ctx.api.action(`${base}/participants/${row.state.participant_id}`, action, data),
               `${action} ${row.label}`);
  }

  function renderRoom() {
    top.locked.textContent = room.is_locked ? "Locked" : "Unlocked";
    top.locked.dataset.state = room.is_locked ? "on" : "off";
    top.locked.className = `badge ${room.is_locked ? "warn" : "off"}`;
    top.recording.textContent = room.is_recording ? "Recording" : "Not recording";
    top.recording.dataset.state = room.is_recording ? "on" : "off";
    top.recording.className = `badge ${room.is_recording ? "rec" : "off"}`;
    top.members.textContent = String(rows.size);
    empty.hidden = rows.size > 0;
    controls.update(room);
    tickRoom();
  }

  function tickRoom() {
    top.duration.textContent = room.startedAt ? formatDuration(Date.now() / 1000 - room.startedAt) : "—";
  }

  function upsert(participant) {
    const id = String(participant.participant_id);
    const existing = rows.get(id);
    if (existing) return existing.update(participant);
    const row = new ParticipantRow(participant, (action) => participantAction(row, action));
    rows.set(id, row);
    tbody.append(row.element);
    return row;
  }

  function remove(participantId) {
    const row = rows.get(String(participantId));
    if (!row) return;
    rows.delete(String(participantId));
    row.element.remove();
    announce(`${row.label} left`);
  }

  async function refresh() {
    try {
      const doc = await ctx.api.get(base);
      const live = doc._read_only || {};
      top.title.textContent = doc.name || conferenceId;
      document.title = `${doc.name || conferenceId} · Conference admin`;
      Object.assign(room, { is_locked: Boolean(live.is_locked), is_recording: Boolean(live.is_recording) });
      room.startedAt = live.members ? Date.now() / 1000 - Number(live.duration || 0) : null;
      const seen = new Set();
      for (const participant of live.participants || []) {
        seen.add(String(participant.participant_id));
        upsert(participant);
      }
      for (const id of [...rows.keys()]) if (!seen.has(id)) remove(id);
      renderRoom();
    } catch (problem) {
      ctx.notify(`Could not read the conference: ${describe(problem)}`);
    }
  }

  function scheduleRefresh() {
    window.clearTimeout(refreshTimer);
    refreshTimer = window.setTimeout(refresh, REFRESH_DELAY_MS);
  }

  function applyParticipantEvent(data) {
    if (data.event === "add-member") {
      room.startedAt = room.startedAt || Date.now() / 1000;
      upsert({ ...changesFrom(data), participant_id: data.participant_id, duration: 0 });
      announce(`${data.caller_id_name || data.caller_id_number || "A participant"} joined`);
      scheduleRefresh(); // events do not say who moderates: the API's list does
    } else if (REMOVED.has(data.event)) {
      remove(data.participant_id);
    } else if (rows.has(String(data.participant_id))) {
      const row = rows.get(String(data.participant_id));
      row.update(changesFrom(data));
      if (PARTICIPANT_NEWS[data.event]) announce(`${row.label} ${PARTICIPANT_NEWS[data.event]}`);
    } else {
      scheduleRefresh(); // an event about somebody we do not know yet: re-read
    }
    renderRoom();
  }

  function applyRoomEvent(data) {
    if (ROOM_STATE[data.event]) {
      Object.assign(room, ROOM_STATE[data.event]);
      announce(ROOM_NEWS[data.event]);
      if (data.event.endsWith("recording")) recordings.refresh();
    } else if (data.event === "conference-destroy") {
      for (const id of [...rows.keys()]) remove(id);
      Object.assign(room, { is_locked: false, is_recording: false, startedAt: null });
    } else if (data.event === "conference-create") {
      room.startedAt = Date.now() / 1000;
    }
    renderRoom();
  }

  const ticker = window.setInterval(() => {
    rows.forEach((row) => row.tick());
    tickRoom();
  }, 1000);

  refresh();
  recordings.refresh();
  renderRoom();
  return {
    title: "Conference",
    bindings: [`conference.event.${conferenceId}.*`],
    element: h("section", { class: "conference", "aria-labelledby": "conference-title",
                            "data-testid": "conference-page", "data-conference-id": conferenceId },
      top.element,
      h("div", { class: "conference-layout" },
        h("div", { class: "main-column" },
          h("section", { class: "card", "aria-labelledby": "participants-title" },
            h("h2", { id: "participants-title" }, "Participants"),
            h("table", { class: "grid participants" },
              h("caption", { class: "visually-hidden" }, "Live participants"),
              h("thead", {}, h("tr", {}, ["Talking", "Caller", "Role", "Audio", "Time", "Actions"]
                .map((label) => h("th", { scope: "col", class: label === "Time" ? "num" : null }, label)))),
              tbody),
            empty),
          recordings.element),
        controls.element)),
    onEvent(message) {
      const data = message.data || {};
      if (data.conference_id && data.conference_id !== conferenceId) return;
      if (String(message.routing_key || "").endsWith(".conference")) applyRoomEvent(data);
      else if (data.participant_id !== undefined) applyParticipantEvent(data);
    },
    onSubscribed: scheduleRefresh,
    destroy() {
      window.clearInterval(ticker);
      window.clearTimeout(refreshTimer);
    },
  };
}
