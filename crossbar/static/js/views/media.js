// Media: the account's audio files, and uploading a new one (a media document,
// then its audio through /media/{id}/raw).
import { describe } from "../api.js";
import { announce, h, replace } from "../dom.js";

const ACCEPT = "audio/wav,audio/x-wav,audio/mpeg,audio/mp3,audio/ogg,.wav,.mp3,.ogg";

function mediaTable(items) {
  if (!items.length) return h("p", { class: "empty" }, "No media uploaded yet.");
  return h("div", { class: "table-scroll" }, h("table", { class: "grid", "data-testid": "media-table" },
    h("caption", { class: "visually-hidden" }, "Media of this account"),
    h("thead", {}, h("tr", {}, ["Name", "Type", "Id"].map((label) => h("th", { scope: "col" }, label)))),
    h("tbody", {}, items.map((item) => h("tr", { "data-testid": "media-row", "data-media-id": item.id },
      h("th", { scope: "row" }, item.name || item.id), h("td", {}, item.content_type || "—"),
      h("td", {}, h("code", {}, item.id)))))));
}

export function mediaView(ctx) {
  const list = h("div", {}, h("p", { class: "loading" }, "Loading media…"));
  const status = h("p", { class: "hint", role: "status", "data-testid": "media-status" });

  async function load() {
    try {
      replace(list, mediaTable(await ctx.api.getAll(`${ctx.api.accountUrl}/media`)));
    } catch (problem) {
      ctx.notify(`Could not load media: ${describe(problem)}`);
    }
  }

  async function upload(event) {
    event.preventDefault();
    const form = event.target;
    const file = form["media-file"].files[0];
    const name = form["media-name"].value.trim() || (file && file.name);
    if (!file) { status.textContent = "Choose an audio file first."; return; }
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    status.textContent = "Uploading…";
    try {
      const base = `${ctx.api.accountUrl}/media`;
      const doc = await ctx.api.put(base, { name, media_source: "upload" });
      await ctx.api.request("PUT", `${base}/${doc.id}/raw`, {
        body: file, headers: { "Content-Type": file.type || "audio/wav" } });
      status.textContent = `Uploaded ${name}.`;
      announce(`Media ${name} uploaded`);
      form.reset();
      await load();
    } catch (problem) {
      status.textContent = `Upload failed: ${describe(problem)}`;
    } finally {
      submit.disabled = false;
    }
  }

  load();
  return {
    title: "Media",
    element: h("section", { "aria-labelledby": "media-title" },
      h("h1", { id: "media-title" }, "Media"),
      h("form", { class: "card form", "data-testid": "media-upload", onsubmit: upload },
        h("h2", {}, "Upload audio"),
        h("div", { class: "field" }, h("label", { for: "media-name" }, "Name"),
          h("input", { id: "media-name", name: "media-name", type: "text", autocomplete: "off",
                       "data-testid": "media-name" })),
        h("div", { class: "field" }, h("label", { for: "media-file" }, "Audio file (WAV, MP3 or Ogg)"),
          h("input", { id: "media-file", name: "media-file", type: "file", accept: ACCEPT,
                       "data-testid": "media-file" })),
        h("button", { type: "submit", class: "primary", "data-testid": "media-submit" }, "Upload"), status),
      list),
  };
}
