// The conference's lifecycle on its page: status (idle, starting, active,
// ending), how the last run ended, an End button, and who left recently (and
// why). Read from the API's _read_only; any lifecycle event asks for a re-read.
import { announce, button, h, replace } from "../dom.js";

export const LIFECYCLE_EVENTS = new Set(["conference-started", "conference-ended", "joined", "left"]);
const STATUS_TEXT = { idle: "Idle", starting: "Starting", active: "Active", ending: "Ending" };
const REASON_TEXT = {
  api: "ended by request", last_member_left: "the last participant left",
  connect_completed: "the connected call was over", max_duration: "maximum duration reached",
  empty: "empty too long", moderator_left: "its host left", node_lost: "the media server was lost",
};
const LEFT_TEXT = {
  hangup: "hung up", kicked: "removed", moved: "moved", ended: "conference ended",
  refused_locked: "refused: locked", refused_full: "refused: full", refused_join_only: "refused: not started",
};

const clock = (seconds) => (seconds ? new Date(seconds * 1000).toLocaleTimeString() : "");

function leftItem(person) {
  const who = person.caller_id_name || person.caller_id_number || person.call_id || "Someone";
  const why = LEFT_TEXT[person.left_reason] || person.left_reason || "left";
  const where = person.moved_to ? ` to ${person.moved_to}` : "";
  return h("li", { "data-testid": "recent-participant", "data-left-reason": person.left_reason || "",
                   "data-call-id": person.call_id || "" },
    `${who}: ${why}${where}`, person.left_at ? ` (${clock(person.left_at)})` : "");
}

export function lifecyclePanel({ endRoom }) {
  const status = h("span", { class: "badge off", "data-testid": "room-status", "data-state": "idle" }, "Idle");
  const lastEnd = h("p", { class: "hint", "data-testid": "room-end-reason" });
  const end = button("End conference", () => {
    if (window.confirm("End the conference? Everyone is hung up.")) endRoom();
  }, { class: "danger", "data-testid": "room-end" });
  const recent = h("ul", { class: "results", "data-testid": "recent-participants" });
  let shown = null;
  return {
    element: h("section", { class: "card", "aria-labelledby": "lifecycle-title" },
      h("h2", { id: "lifecycle-title" }, "Status"),
      h("p", {}, status), lastEnd, h("div", { class: "button-row" }, end),
      h("h3", {}, "Recently left"), recent),
    update(live) {
      const state = live.status || "idle";
      status.textContent = STATUS_TEXT[state] || "Unknown";
      status.dataset.state = state;
      status.className = `badge ${state === "active" ? "rec" : state === "idle" ? "off" : "warn"}`;
      lastEnd.textContent = live.end_reason
        ? `Last run ended ${clock(live.ended_at)}: ${REASON_TEXT[live.end_reason] || live.end_reason}` : "";
      lastEnd.dataset.endReason = live.end_reason || "";
      end.disabled = !(state === "active" || state === "starting");
      replace(recent, (live.recent_participants || []).map(leftItem));
      if (shown && shown !== state) announce(`The conference is ${STATUS_TEXT[state] || state}`);
      shown = state;
    },
  };
}
