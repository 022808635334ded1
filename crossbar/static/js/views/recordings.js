// The conference's recordings, each downloadable (fetched with the auth token,
// handed to the browser as a file).
import { describe } from "../api.js";
import { formatDuration, h, replace } from "../dom.js";

function when(epoch) {
  return epoch ? new Date(epoch * 1000).toLocaleString() : "—";
}

export function recordingsList(ctx, conferenceId) {
  const base = `${ctx.api.accountUrl}/conferences/${conferenceId}/recordings`;
  const list = h("div", { "data-testid": "recordings" }, h("p", { class: "empty" }, "No recordings yet."));

  async function download(recording) {
    try {
      const path = recording.download_url ? recording.download_url.replace(/^\/v[12]/, "")
        : `${base}/${recording.id}/raw`;
      const blob = await ctx.api.download(path);
      const link = h("a", { href: URL.createObjectURL(blob), download: `${recording.id}.wav` });
      document.body.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    } catch (problem) {
      ctx.notify(`Download failed: ${describe(problem)}`);
    }
  }

  function item(recording) {
    const facts = [when(recording.started),
      recording.status === "recording" ? "recording…" : formatDuration(recording.duration),
      recording.size ? `${Math.round(recording.size / 1024)} KiB` : null].filter(Boolean).join(" · ");
    return h("li", { "data-testid": "recording-item", "data-recording-id": recording.id },
      h("span", {}, facts), " ",
      h("button", { type: "button", "data-testid": "recording-download", disabled: recording.status === "recording",
                    "aria-label": `Download the recording of ${when(recording.started)}`,
                    onclick: () => download(recording) }, "Download"));
  }

  return {
    element: h("section", { class: "card", "aria-labelledby": "recordings-title" },
      h("h2", { id: "recordings-title" }, "Recordings"), list),
    async refresh() {
      try {
        const recordings = await ctx.api.get(base);
        replace(list, recordings.length ? h("ul", { class: "plain" }, recordings.slice().reverse().map(item))
          : h("p", { class: "empty" }, "No recordings yet."));
      } catch (problem) {
        replace(list, h("p", { class: "empty" }, `Recordings unavailable: ${describe(problem)}`));
      }
    },
  };
}
