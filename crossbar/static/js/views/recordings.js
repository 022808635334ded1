// The conference's recordings: the room's and each participant's own, each
// playable in the page and downloadable.
//
// Playing: an <audio> element fetches its source itself, without the API's auth
// header, and asks for byte ranges as the listener seeks. The page asks the API
// (with its token) for a playback link of that one recording (signed, expiring,
// never the auth token itself) and gives that to the element; when the element
// fails to load (the link expired while the page stayed open), it asks for a new
// link once and goes on from where it was.
// Downloading: fetched with the auth token, handed to the browser as a file.
// Deleting (once confirmed): the file and its document; not while it is being made.
// One being made can be paused and resumed (the room's) and stopped (any).
import { describe } from "../api.js";
import { announce, formatDuration, h, replace } from "../dom.js";

export function when(epoch) {
  return epoch ? new Date(epoch * 1000).toLocaleString() : "—";
}

// "Alice (1001)", the number alone, or the call id when the switch knew neither.
export function speakerName(participant) {
  const { caller_id_name: name, caller_id_number: number } = participant || {};
  if (name && number && name !== number) return `${name} (${number})`;
  return name || number || (participant && participant.call_id) || "Unknown participant";
}

function whose(recording) {
  return recording.kind === "participant" ? speakerName(recording.participant) : "Whole room";
}

function statusText(recording) {
  if (recording.status === "recording") return "recording…";
  if (recording.status === "paused") return "paused";
  return formatDuration(recording.duration);
}

const RENEW_AFTER_MS = 5000; // at most one new link per this long (no loop on a lasting failure)

// link(recording) -> promise of a playback URL
function player(link) {
  const title = h("p", { class: "hint", "data-testid": "recording-player-title" });
  const audio = h("audio", { controls: true, preload: "auto", "data-testid": "recording-player" });
  const element = h("div", { class: "player", "data-testid": "recording-player-panel", hidden: true },
    title, audio);
  let current = null;
  let renewedAt = 0;
  audio.addEventListener("error", async () => {
    if (!current || Date.now() - renewedAt < RENEW_AFTER_MS) return;
    renewedAt = Date.now();
    const [recording, position] = [current, audio.currentTime];
    try {
      const url = await link(recording);
      if (current !== recording) return;
      audio.src = url;
      audio.currentTime = position;
      element.dataset.renewed = String(Number(element.dataset.renewed || 0) + 1);
    } catch (problem) {
      title.textContent = `Cannot play: ${describe(problem)}`;
    }
  });
  return {
    element,
    stop(recordingId) {
      if (element.dataset.recordingId !== recordingId) return;
      current = null;
      audio.pause();
      audio.removeAttribute("src");
      audio.load();
      element.hidden = true;
      delete element.dataset.recordingId;
    },
    play(recording, url) {
      title.textContent = `Playing: ${whose(recording)}, ${when(recording.started)}`;
      element.hidden = false;
      element.dataset.recordingId = recording.id;
      current = recording;
      audio.src = url;
      audio.play().catch(() => {}); // autoplay may be refused: the controls remain
    },
  };
}

export function recordingsList(ctx, conferenceId) {
  const base = `${ctx.api.accountUrl}/conferences/${conferenceId}/recordings`;
  const list = h("div", { "data-testid": "recordings" }, h("p", { class: "empty" }, "No recordings yet."));
  const link = async (recording) => (await ctx.api.get(`${base}/${recording.id}/playback`)).url;
  const audio = player(link);

  async function play(recording) {
    try {
      audio.play(recording, await link(recording));
      announce(`Playing the recording of ${whose(recording)}`);
    } catch (problem) {
      ctx.notify(`Cannot play the recording: ${describe(problem)}`);
    }
  }

  async function download(recording) {
    try {
      const blob = await ctx.api.download(`${base}/${recording.id}/raw`);
      const anchor = h("a", { href: URL.createObjectURL(blob), download: recording.name || `${recording.id}.wav` });
      document.body.append(anchor);
      anchor.click();
      anchor.remove();
      window.setTimeout(() => URL.revokeObjectURL(anchor.href), 10000);
    } catch (problem) {
      ctx.notify(`Download failed: ${describe(problem)}`);
    }
  }

  // record pause / resume / stop: the room's through the conference, a track
  // through its participant; the list follows from the events (and is re-read now)
  async function control(recording, action, refresh) {
    const conference = `${ctx.api.accountUrl}/conferences/${conferenceId}`;
    const participant = (recording.participant || {}).participant_id;
    const path = recording.kind === "participant"
      ? `${conference}/participants/${encodeURIComponent(String(participant))}` : conference;
    try {
      await ctx.api.action(path, "record", { action });
      announce(`Recording of ${whose(recording)}: ${action}`);
      await refresh();
    } catch (problem) {
      ctx.notify(`Could not ${action} the recording: ${describe(problem)}`);
    }
  }

  function controls(recording, label, refresh) {
    const paused = recording.status === "paused";
    const pause = recording.kind === "participant" ? null
      : h("button", { type: "button", "data-testid": paused ? "recording-resume" : "recording-pause",
                      "aria-label": `${paused ? "Resume" : "Pause"} ${label}`,
                      onclick: () => control(recording, paused ? "resume" : "pause", refresh) },
        paused ? "Resume" : "Pause");
    return [pause, h("button", { type: "button", "data-testid": "recording-stop", "aria-label": `Stop ${label}`,
                                 onclick: () => control(recording, "stop", refresh) }, "Stop")];
  }

  async function remove(recording, refresh) {
    if (!window.confirm(`Delete the recording of ${whose(recording)} (${when(recording.started)})?`)) return;
    try {
      await ctx.api.del(`${base}/${recording.id}`);
      audio.stop(recording.id);
      announce(`Recording of ${whose(recording)} deleted`);
      await refresh();
    } catch (problem) {
      ctx.notify(`Could not delete the recording: ${describe(problem)}`);
    }
  }

  function item(recording, refresh) {
    const unfinished = recording.status === "recording" || recording.status === "paused";
    const facts = [when(recording.started), statusText(recording), (recording.format || "wav").toUpperCase(),
      recording.size ? `${Math.round(recording.size / 1024)} KiB` : null].filter(Boolean).join(" · ");
    const label = `the recording of ${whose(recording)} (${when(recording.started)})`;
    return h("li", { "data-testid": "recording-item", "data-recording-id": recording.id,
                     "data-kind": recording.kind || "conference", "data-status": recording.status },
      h("strong", { "data-testid": "recording-whose" }, whose(recording)), " ",
      h("span", { class: "hint" }, facts), " ",
      h("span", { class: "button-row inline" },
        unfinished ? controls(recording, label, refresh) : null,
        h("button", { type: "button", "data-testid": "recording-play", disabled: unfinished,
                      "aria-label": `Play ${label}`, onclick: () => play(recording) }, "Play"),
        h("button", { type: "button", "data-testid": "recording-download", disabled: unfinished,
                      "aria-label": `Download ${label}`, onclick: () => download(recording) }, "Download"),
        h("button", { type: "button", class: "danger", "data-testid": "recording-delete", disabled: unfinished,
                      "aria-label": `Delete ${label}`, onclick: () => remove(recording, refresh) }, "Delete")));
  }

  async function refresh() {
    try {
      const recordings = await ctx.api.getAll(base);
      replace(list, recordings.length
        ? h("ul", { class: "plain recordings" }, recordings.slice().reverse().map((one) => item(one, refresh)))
        : h("p", { class: "empty" }, "No recordings yet."));
    } catch (problem) {
      replace(list, h("p", { class: "empty" }, `Recordings unavailable: ${describe(problem)}`));
    }
  }

  return {
    element: h("section", { class: "card", "aria-labelledby": "recordings-title" },
      h("h2", { id: "recordings-title" }, "Recordings"), list, audio.element),
    refresh,
  };
}
