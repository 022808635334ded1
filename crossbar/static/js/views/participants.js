// Participant rows that update in place (a keyboard user's focus survives live
// updates): talking indicator, moderator, muted, deaf, on hold, ticking duration,
// and the per-participant controls (the "More" panel: participant_controls.js).
import { formatDuration, h } from "../dom.js";
import { participantControls } from "./participant_controls.js";

const nowSeconds = () => Date.now() / 1000;

export class ParticipantRow {
  // act(action, data); more: {notify, conferences, peers} for the "More" panel
  constructor(participant, act, more) {
    this.act = act;
    this.talk = h("span", { class: "talk-dot", "data-testid": "talking", role: "img" });
    this.name = h("span", { class: "caller-name", "data-testid": "participant-name" });
    this.number = h("span", { class: "caller-number", "data-testid": "participant-number" });
    this.role = h("span", { "data-testid": "participant-role" });
    this.stage = h("span", { class: "badge off", "data-testid": "participant-state" });
    this.muted = h("span", { class: "badge", "data-testid": "muted" });
    this.deaf = h("span", { class: "badge", "data-testid": "deaf" });
    this.held = h("span", { class: "badge", "data-testid": "held" });
    this.duration = h("span", { class: "duration", "data-testid": "participant-duration" });
    this.muteButton = h("button", { type: "button", "data-testid": "participant-mute",
                                    onclick: () => this.act(this.state.speak ? "mute" : "unmute") });
    this.deafButton = h("button", { type: "button", "data-testid": "participant-deaf",
                                    onclick: () => this.act(this.state.hear ? "deaf" : "undeaf") });
    this.holdButton = h("button", { type: "button", "data-testid": "participant-hold",
                                    onclick: () => this.act(this.state.is_held ? "unhold" : "hold") });
    this.playButton = h("button", { type: "button", "data-testid": "participant-play",
                                    onclick: () => this.act("play") }, "Play");
    this.kickButton = h("button", { type: "button", class: "danger", "data-testid": "participant-kick",
                                    onclick: () => this.act("kick") }, "Kick");
    this.element = h("tr", { "data-testid": "participant-row" },
      h("td", { class: "talk-cell" }, this.talk),
      h("th", { scope: "row" }, this.name, h("br"), this.number),
      h("td", {}, this.role, " ", this.stage),
      h("td", {}, this.muted, " ", this.deaf, " ", this.held),
      h("td", { class: "num" }, this.duration),
      h("td", { class: "actions" }, this.muteButton, this.deafButton, this.holdButton, this.playButton,
        this.kickButton, participantControls(participant.participant_id, { act, ...more })));
    this.state = {};
    this.update(participant);
  }

  update(changes) {
    const state = { ...this.state, ...changes };
    if (changes.duration !== undefined) state.joinedAt = nowSeconds() - Number(changes.duration || 0);
    if (state.joinedAt === undefined) state.joinedAt = nowSeconds();
    this.state = state;
    const who = state.caller_id_name || state.caller_id_number || `Participant ${state.participant_id}`;
    const row = this.element;
    row.dataset.participantId = state.participant_id;
    row.dataset.callId = state.call_id || "";
    row.dataset.talking = String(Boolean(state.talking));
    row.dataset.muted = String(state.speak === false);
    row.dataset.deaf = String(state.hear === false);
    row.dataset.held = String(Boolean(state.is_held));
    row.dataset.moderator = String(Boolean(state.is_moderator));
    row.classList.toggle("is-talking", Boolean(state.talking));
    this.talk.dataset.state = state.talking ? "on" : "off";
    this.talk.setAttribute("aria-label", state.talking ? `${who} is talking` : `${who} is silent`);
    this.name.textContent = state.caller_id_name || "Unknown";
    this.number.textContent = state.caller_id_number || "";
    this.role.textContent = state.is_moderator ? "Moderator" : "Member";
    this.role.className = state.is_moderator ? "badge moderator" : "badge off";
    row.dataset.state = this.stage.dataset.state = state.state || "joined";
    this.stage.textContent = { on_hold: "On hold", leaving: "Leaving" }[state.state] || "Joined";
    this.setBadge(this.muted, state.speak === false, "Muted", "Mic on");
    this.setBadge(this.deaf, state.hear === false, "Deaf", "Hears");
    this.setBadge(this.held, Boolean(state.is_held), "On hold", "Not held");
    this.holdButton.textContent = state.is_held ? "Unhold" : "Hold";
    this.holdButton.setAttribute("aria-label", `${state.is_held ? "Take" : "Put"} ${who} ${state.is_held ? "off" : "on"} hold`);
    this.muteButton.textContent = state.speak === false ? "Unmute" : "Mute";
    this.muteButton.setAttribute("aria-label", `${state.speak === false ? "Unmute" : "Mute"} ${who}`);
    this.deafButton.textContent = state.hear === false ? "Undeaf" : "Deaf";
    this.deafButton.setAttribute("aria-label", `${state.hear === false ? "Undeaf" : "Deafen"} ${who}`);
    this.playButton.setAttribute("aria-label", `Play the selected media to ${who}`);
    this.kickButton.setAttribute("aria-label", `Kick ${who}`);
    this.tick();
  }

  setBadge(node, on, onText, offText) {
    node.textContent = on ? onText : offText;
    node.dataset.state = on ? "on" : "off";
    node.className = `badge ${on ? "warn" : "off"}`;
  }

  tick() {
    this.duration.textContent = formatDuration(nowSeconds() - this.state.joinedAt);
  }

  get label() {
    return this.state.caller_id_name || this.state.caller_id_number || `participant ${this.state.participant_id}`;
  }
}

// How one participant event changes a row (null: not a row change).
export function changesFrom(data) {
  const changes = {};
  for (const key of ["speak", "hear", "talking", "is_moderator", "caller_id_name", "caller_id_number", "call_id"]) {
    if (data[key] !== undefined && data[key] !== null) changes[key] = data[key];
  }
  const forced = {
    "start-talking": { talking: true }, "stop-talking": { talking: false },
    "mute-member": { speak: false, talking: false }, "unmute-member": { speak: true },
    "deaf-member": { hear: false }, "undeaf-member": { hear: true },
    "hold-member": { is_held: true, talking: false }, "unhold-member": { is_held: false },
  }[data.event];
  return { ...changes, ...(forced || {}) };
}
