// The "More" panel of a participant row: volume, DTMF, stop playback, move to
// another conference, supervise another participant. Each control sends one
// participant action through `act(action, data)`; what changed comes back as
// events and re-reads, never from here.
import { h } from "../dom.js";

const LEVELS = [-4, -3, -2, -1, 0, 1, 2, 3, 4];
const MODES = [["monitor", "Monitor (listen only)"], ["whisper", "Whisper (only the target hears)"],
               ["barge", "Barge (everyone hears)"], ["clear", "Clear"]];
const DTMF = /^[0-9*#ABCD]{1,64}$/;

function field(id, label, control) {
  return h("div", { class: "field" }, h("label", { for: id }, label), control);
}

function levelSelect(id, testid) {
  return h("select", { id, "data-testid": testid },
    LEVELS.map((level) => h("option", { value: String(level), selected: level === 0 }, String(level))));
}

function options(select, items, empty) {
  select.replaceChildren(h("option", { value: "" }, empty),
    ...items.map(([value, label]) => h("option", { value }, label)));
}

export function participantControls(id, { act, notify, conferences, peers }) {
  const key = `p${id}`;
  const volumeIn = levelSelect(`${key}-vin`, "participant-volume-in");
  const volumeOut = levelSelect(`${key}-vout`, "participant-volume-out");
  const digits = h("input", { id: `${key}-dtmf`, type: "text", autocomplete: "off", maxlength: "64",
                              "data-testid": "participant-dtmf-input", placeholder: "0-9 * # A-D" });
  const moveTo = h("select", { id: `${key}-move`, "data-testid": "participant-move-select" });
  const target = h("select", { id: `${key}-target`, "data-testid": "participant-supervise-target" });
  const mode = h("select", { id: `${key}-mode`, "data-testid": "participant-supervise-mode" },
    MODES.map(([value, label]) => h("option", { value }, label)));
  const button = (label, testid, onclick) => h("button", { type: "button", "data-testid": testid, onclick }, label);

  const sendDigits = () => {
    const value = digits.value.trim().toUpperCase();
    if (!DTMF.test(value)) return notify("DTMF digits are 0-9, *, #, A, B, C and D.");
    return act("dtmf", { digits: value });
  };
  const move = () => (moveTo.value ? act("move", { conference_id: moveTo.value })
    : notify("Choose the conference to move to."));
  const supervise = () => {
    if (mode.value !== "clear" && !target.value) return notify("Choose whom to supervise.");
    const data = { mode: mode.value };
    if (target.value) data.target = Number(target.value);
    return act("supervise", data);
  };

  const panel = h("details", { class: "more", "data-testid": "participant-more" },
    h("summary", {}, "More"),
    h("div", { class: "more-grid" },
      field(`${key}-vin`, "Volume in", volumeIn), field(`${key}-vout`, "Volume out", volumeOut),
      button("Set volume", "participant-volume-apply", () => Promise.all([
        act("volume_in", { level: Number(volumeIn.value) }),
        act("volume_out", { level: Number(volumeOut.value) })])),
      field(`${key}-dtmf`, "DTMF", digits), button("Send DTMF", "participant-dtmf-send", sendDigits),
      button("Stop playback", "participant-stop-play", () => act("stop_play", { which: "all" })),
      field(`${key}-move`, "Move to", moveTo), button("Move", "participant-move", move),
      field(`${key}-target`, "Supervise", target), field(`${key}-mode`, "Mode", mode),
      button("Apply", "participant-supervise", supervise)));
  // The lists are read when the panel opens: conferences from the API, targets from the table.
  panel.addEventListener("toggle", () => {
    if (!panel.open) return;
    options(target, peers(), "— participant —");
    conferences().then((items) => options(moveTo, items, "— conference —"))
      .catch(() => notify("Could not list the conferences."));
  });
  return panel;
}
