// The conference's transcripts: each with its state (recording, queued, running
// with its progress, ready or failed with the reason), and, shown in the page,
// what was said: one row per segment with its times (from the conference's
// start) and its speaker (the participant whose own track it came from).
// Transcribe starts recording each participant on their own track (in the first
// configured language); stopping hands the tracks to the transcription worker.
import { describe } from "../api.js";
import { announce, h, replace } from "../dom.js";
import { speakerName, when } from "./recordings.js";

// 63.25 -> "1:03.2"
export function clock(seconds) {
  const total = Math.max(0, Number(seconds) || 0);
  const minutes = Math.floor(total / 60);
  const rest = (total - minutes * 60).toFixed(1).padStart(4, "0");
  return `${minutes}:${rest}`;
}

function stateText(transcript) {
  const progress = transcript.progress || {};
  if (transcript.status === "running" && progress.total) return `transcribing (${progress.done}/${progress.total})`;
  if (transcript.status === "failed") return `failed: ${transcript.error || "unknown error"}`;
  return { recording: "recording the participants…", queued: "queued", ready: "ready" }[transcript.status]
    || transcript.status || "—";
}

function speakersOf(segments) {
  const seen = new Map();
  for (const segment of segments) {
    const participant = segment.participant || {};
    const key = participant.call_id || speakerName(participant);
    if (!seen.has(key)) seen.set(key, speakerName(participant));
  }
  return [...seen.values()];
}

function segmentsTable(transcript) {
  const segments = transcript.segments || [];
  if (!segments.length) return h("p", { class: "empty", "data-testid": "transcript-empty" }, "Nothing was said.");
  return h("div", { class: "table-scroll" }, h("table", { class: "grid transcript", "data-testid": "transcript-segments" },
    h("caption", { class: "visually-hidden" }, "What was said, by whom and when"),
    h("thead", {}, h("tr", {}, ["Time", "Speaker", "Text"].map((label) => h("th", { scope: "col" }, label)))),
    h("tbody", {}, segments.map((segment) => h("tr", {
      "data-testid": "transcript-segment", "data-call-id": (segment.participant || {}).call_id || "" },
    h("td", { class: "num duration", "data-testid": "segment-time",
              "data-start": segment.start, "data-end": segment.end },
      `${clock(segment.start)}–${clock(segment.end)}`),
    h("th", { scope: "row", "data-testid": "segment-speaker" }, speakerName(segment.participant)),
    h("td", { "data-testid": "segment-text",
              title: segment.confidence === undefined ? null : `confidence ${Math.round(segment.confidence * 100)}%` },
      segment.text))))));
}

export function transcriptsList(ctx, conferenceId) {
  const base = `${ctx.api.accountUrl}/conferences/${conferenceId}/transcripts`;
  const list = h("div", { "data-testid": "transcripts" }, h("p", { class: "empty" }, "No transcripts yet."));
  const view = h("div", { class: "transcript-view", "data-testid": "transcript-view", hidden: true });
  const toggle = h("button", { type: "button", "data-testid": "transcribe-toggle", "aria-pressed": "false",
                               onclick: () => transcribe(toggle.dataset.next || "start") }, "Transcribe");

  async function show(id) {
    try {
      const transcript = await ctx.api.get(`${base}/${id}`);
      view.dataset.transcriptId = id;
      replace(view,
        h("h3", {}, `Transcript of ${when(transcript.conference_started)} (${transcript.language || "?"})`),
        h("p", { class: "hint", "data-testid": "transcript-speakers" },
          `Speakers: ${speakersOf(transcript.segments || []).join(", ") || "none"}`),
        segmentsTable(transcript));
      view.hidden = false;
      announce("Transcript shown");
    } catch (problem) {
      ctx.notify(`Cannot show the transcript: ${describe(problem)}`);
    }
  }

  async function download(transcript) {
    try {
      const blob = await ctx.api.download(`${base}/${transcript.id}/raw`);
      const link = h("a", { href: URL.createObjectURL(blob), download: `${transcript.id}.vtt` });
      document.body.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    } catch (problem) {
      ctx.notify(`Download failed: ${describe(problem)}`);
    }
  }

  async function remove(transcript, refresh) {
    if (!window.confirm(`Delete the transcript of ${when(transcript.created)}?`)) return;
    try {
      await ctx.api.del(`${base}/${transcript.id}`);
      if (view.dataset.transcriptId === transcript.id) view.hidden = true;
      announce("Transcript deleted");
      await refresh();
    } catch (problem) {
      ctx.notify(`Could not delete the transcript: ${describe(problem)}`);
    }
  }

  function item(transcript, refresh) {
    const ready = transcript.status === "ready";
    const finished = ready || transcript.status === "failed";
    const label = `the transcript of ${when(transcript.created)}`;
    return h("li", { "data-testid": "transcript-item", "data-transcript-id": transcript.id,
                     "data-status": transcript.status },
      h("span", {}, when(transcript.created)), " ",
      h("span", { class: "hint", "data-testid": "transcript-state" },
        [transcript.language, stateText(transcript)].filter(Boolean).join(" · ")), " ",
      h("span", { class: "button-row inline" },
        h("button", { type: "button", "data-testid": "transcript-show", disabled: !ready,
                      "aria-label": `Show ${label}`, onclick: () => show(transcript.id) }, "Show"),
        h("button", { type: "button", "data-testid": "transcript-download", disabled: !ready,
                      "aria-label": `Download ${label} as WebVTT`, onclick: () => download(transcript) },
          "WebVTT"),
        h("button", { type: "button", class: "danger", "data-testid": "transcript-delete", disabled: !finished,
                      "aria-label": `Delete ${label}`, onclick: () => remove(transcript, refresh) }, "Delete")));
  }

  async function transcribe(action) {
    toggle.disabled = true;
    try {
      await ctx.api.action(`${ctx.api.accountUrl}/conferences/${conferenceId}`, "transcribe", { action });
      announce(action === "start" ? "Transcription started" : "Transcription stopped");
    } catch (problem) {
      ctx.notify(`Could not ${action} transcribing: ${describe(problem)}`);
    } finally {
      toggle.disabled = false;
      await refresh();
    }
  }

  function showToggle(transcripts) {
    const active = transcripts.some((transcript) => transcript.status === "recording");
    toggle.textContent = active ? "Stop transcribing" : "Transcribe";
    toggle.dataset.next = active ? "stop" : "start";
    toggle.setAttribute("aria-pressed", String(active));
  }

  async function refresh() {
    try {
      const transcripts = await ctx.api.getAll(base);
      showToggle(transcripts);
      replace(list, transcripts.length
        ? h("ul", { class: "plain transcripts" }, transcripts.slice().reverse().map((one) => item(one, refresh)))
        : h("p", { class: "empty" }, "No transcripts yet."));
    } catch (problem) {
      replace(list, h("p", { class: "empty" }, `Transcripts unavailable: ${describe(problem)}`));
    }
  }

  return {
    element: h("section", { class: "card", "aria-labelledby": "transcripts-title" },
      h("div", { class: "heading-row" }, h("h2", { id: "transcripts-title" }, "Transcripts"), toggle), list, view),
    refresh,
  };
}
