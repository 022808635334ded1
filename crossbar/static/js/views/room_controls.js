// Room-wide controls of the conference page: lock, record, bulk participant
// actions, media to play (room or one participant), dial out.
import { button, h, replace } from "../dom.js";

const BULK = [
  ["mute", "Mute all"], ["unmute", "Unmute all"], ["deaf", "Deafen all"], ["undeaf", "Undeafen all"],
  ["hold", "Hold all"], ["unhold", "Unhold all"], ["kick", "Kick everyone"],
];
// Room playback: [action, data, label, testid]
const PLAYBACK = [
  ["pause_play", {}, "Pause", "room-pause"], ["resume_play", {}, "Resume", "room-resume"],
  ["stop_play", { which: "current" }, "Stop current", "room-stop-current"],
  ["stop_play", { which: "all" }, "Stop all", "room-stop-all"],
];

export function mediaPicker(ctx) {
  const select = h("select", { id: "media-select", "data-testid": "media-select" },
    h("option", { value: "" }, "— choose uploaded media —"));
  const url = h("input", { id: "media-url", type: "text", "data-testid": "media-url", autocomplete: "off",
                           placeholder: "https://… or tts://Hello" });
  ctx.api.getAll(`${ctx.api.accountUrl}/media`).then((items) => {
    for (const item of items) select.append(h("option", { value: item.id }, item.name || item.id));
  }).catch(() => {});
  return {
    element: h("div", { class: "field-group" },
      h("div", { class: "field" }, h("label", { for: "media-select" }, "Media"), select),
      h("div", { class: "field" }, h("label", { for: "media-url" }, "…or a URL or tts:// text"), url)),
    // What play actions send: {media_id} (a media document, a URL or tts:// text)
    selected() {
      const value = url.value.trim() || select.value;
      return value ? { media_id: value } : null;
    },
  };
}

// One endpoint's outcome; through carriers, with every gateway tried and its cause.
function dialResult(r) {
  const via = r.resource_name ? ` via ${r.resource_name}` : "";
  const attempts = (r.attempts || []).map((a) => h("li", { "data-testid": "dial-attempt", "data-status": a.status },
    `${a.resource_name || a.resource_id} · gateway ${a.gateway_index + 1}${a.server ? ` (${a.server})` : ""}: ${a.cause}`));
  return h("li", { "data-status": r.status, "data-testid": "dial-result" },
    `${r.endpoint_id}: ${r.status}${via}${r.message ? ` — ${r.message}` : ""}`,
    attempts.length ? h("ol", { class: "attempts", "aria-label": "Gateways tried" }, attempts) : null);
}

function dialForm(ctx, dial) {
  const results = h("ul", { class: "results", "data-testid": "dial-results", "aria-live": "polite" });
  const input = (id, label, attrs = {}) => h("div", { class: "field" },
    h("label", { for: id }, label),
    h("input", { id, name: id, type: "text", autocomplete: "off", "data-testid": id, ...attrs }));
  const check = (id, label) => h("div", { class: "field checkbox" },
    h("input", { id, name: id, type: "checkbox", "data-testid": id }), h("label", { for: id }, label));
  async function submit(event) {
    event.preventDefault();
    const form = event.target;
    const endpoints = form["dial-endpoints"].value.split(/[\s,]+/).filter(Boolean);
    const flags = [form["dial-moderator"].checked && "is_moderator", form["dial-muted"].checked && "mute"]
      .filter(Boolean);
    const data = { endpoints, participant_flags: flags };
    if (form["dial-cid-name"].value.trim()) data.caller_id_name = form["dial-cid-name"].value.trim();
    if (form["dial-cid-number"].value.trim()) data.caller_id_number = form["dial-cid-number"].value.trim();
    const responses = await dial(data);
    if (responses) replace(results, responses.map(dialResult));
  }
  return h("form", { class: "stack", "data-testid": "dial-form", onsubmit: submit },
    input("dial-endpoints", "Endpoints", { required: true, "data-testid": "dial-endpoints",
                                           placeholder: "device/user id, number or sip:user@host" }),
    input("dial-cid-name", "Caller ID name"), input("dial-cid-number", "Caller ID number"),
    check("dial-moderator", "Join as moderator"), check("dial-muted", "Join muted"),
    h("button", { type: "submit", "data-testid": "dial-submit" }, "Dial out"), results);
}

export function roomControls(ctx, { roomAction, bulkAction, media }) {
  const lock = button("Lock", () => roomAction(lock.dataset.next), { "data-testid": "room-lock" });
  const record = button("Start recording", () => roomAction("record", { action: record.dataset.next }),
                        { "data-testid": "room-record" });
  const play = button("Play to the room", () => {
    const chosen = media.selected();
    if (!chosen) ctx.notify("Choose media (or enter a URL or tts:// text) to play.");
    else roomAction("play", chosen);
  }, { "data-testid": "room-play" });
  const bulk = BULK.map(([action, label]) => button(label, () => bulkAction(action),
    { "data-testid": `bulk-${action}`, class: action === "kick" ? "danger" : "" }));
  const dial = (data) => roomAction("dial", data);
  const playback = PLAYBACK.map(([action, data, label, testid]) =>
    button(label, () => roomAction(action, data), { "data-testid": testid }));
  return {
    element: h("div", { class: "controls" },
      h("section", { class: "card", "aria-labelledby": "room-title" },
        h("h2", { id: "room-title" }, "Room"), h("div", { class: "button-row" }, lock, record)),
      h("section", { class: "card", "aria-labelledby": "bulk-title" },
        h("h2", { id: "bulk-title" }, "Everyone"),
        h("p", { class: "hint" }, "Mute, deafen and hold leave moderators alone."),
        h("div", { class: "button-row" }, bulk)),
      h("section", { class: "card", "aria-labelledby": "play-title" },
        h("h2", { id: "play-title" }, "Play media"),
        h("p", { class: "hint" }, "Plays to the whole room, or to one person with the Play button of their row."),
        media.element, play,
        h("p", { class: "hint" }, "What the room is playing:"),
        h("div", { class: "button-row" }, playback)),
      h("section", { class: "card", "aria-labelledby": "dial-title" },
        h("h2", { id: "dial-title" }, "Dial out"), dialForm(ctx, dial))),
    update(room) {
      lock.textContent = room.is_locked ? "Unlock" : "Lock";
      lock.dataset.next = room.is_locked ? "unlock" : "lock";
      lock.setAttribute("aria-pressed", String(Boolean(room.is_locked)));
      record.textContent = room.is_recording ? "Stop recording" : "Start recording";
      record.dataset.next = room.is_recording ? "stop" : "start";
      record.setAttribute("aria-pressed", String(Boolean(room.is_recording)));
    },
  };
}
