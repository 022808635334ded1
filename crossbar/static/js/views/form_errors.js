// Validation errors in forms: Kazoo's {"dotted.path": {keyword: {message}}}
// land at the input whose data-path is that path (or its nearest parent), each
// input having an error node "<input id>-error"; the rest go to the summary.
import { describe } from "../api.js";
import { h, replace } from "../dom.js";

// "member.pins.0" -> the "member.pins" input; "data.name" -> "name"
function inputFor(form, path) {
  const parts = path.replace(/^data\./, "").split(".");
  for (let n = parts.length; n > 0; n -= 1) {
    const input = form.querySelector(`[data-path="${CSS.escape(parts.slice(0, n).join("."))}"]`);
    if (input) return input;
  }
  return null;
}

export function clearErrors(form, summary) {
  form.querySelectorAll(".field-error").forEach((node) => { node.hidden = true; node.textContent = ""; });
  form.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
  summary.hidden = true;
  replace(summary);
}

// "member.pins.1" at the "member.pins" input -> "Item 2: "
function itemPrefix(path, input) {
  const rest = path.replace(/^data\./, "").slice(input.dataset.path.length + 1);
  return /^\d+$/.test(rest) ? `Item ${Number(rest) + 1}: ` : "";
}

export function showErrors(form, summary, fieldErrors) {
  const unplaced = [];
  for (const [path, messages] of Object.entries(fieldErrors)) {
    const input = inputFor(form, path);
    if (!input) { unplaced.push(`${path}: ${messages.join("; ")}`); continue; }
    const error = document.getElementById(`${input.id}-error`);
    const text = `${itemPrefix(path, input)}${messages.join("; ")}`;
    error.textContent = [error.textContent, text].filter(Boolean).join(" ");
    error.hidden = false;
    input.setAttribute("aria-invalid", "true");
  }
  if (unplaced.length) {
    replace(summary, h("p", {}, "Please correct:"), h("ul", {}, unplaced.map((text) => h("li", {}, text))));
    summary.hidden = false;
  }
  (unplaced.length ? summary : form.querySelector('[aria-invalid="true"]')).focus();
}

// A form's submit handler for a document: clears the errors, disables the submit
// button while `send(form)` runs, and places the validation errors of a refusal
// at their inputs (other failures go to `notify`). `send` resolves to the saved
// document, handed to `done`.
export function submitDocument(summary, notify, send, done) {
  return async (event) => {
    event.preventDefault();
    const form = event.target;
    clearErrors(form, summary);
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    try {
      done(await send(form));
    } catch (problem) {
      const errors = problem.fieldErrors || {};
      if (Object.keys(errors).length) showErrors(form, summary, errors);
      else notify(`Could not save: ${describe(problem)}`);
    } finally {
      submit.disabled = false;
    }
  };
}
