// Sign-in: user credentials (md5 of "username:password" + account name) or an API key.
import { Api } from "../api.js";
import { h } from "../dom.js";
import { md5 } from "../md5.js";

function field(id, label, attrs) {
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    h("input", { id, name: id, type: "text", required: true, ...attrs }));
}

function credentialsForm(onSubmit) {
  return h("form", { class: "card", "data-testid": "login-user-form", onsubmit: onSubmit },
    h("h2", {}, "Sign in with your user"),
    field("login-username", "Username", { autocomplete: "username", "data-testid": "login-username" }),
    field("login-password", "Password", { type: "password", autocomplete: "current-password",
                                          "data-testid": "login-password" }),
    field("login-account", "Account name", { autocomplete: "organization",
                                             "data-testid": "login-account" }),
    h("button", { type: "submit", class: "primary", "data-testid": "login-submit" }, "Sign in"));
}

function apiKeyForm(onSubmit) {
  return h("form", { class: "card", "data-testid": "login-key-form", onsubmit: onSubmit },
    h("h2", {}, "…or with an API key"),
    field("login-api-key", "API key", { autocomplete: "off", spellcheck: "false",
                                        "data-testid": "login-api-key" }),
    h("button", { type: "submit", "data-testid": "login-key-submit" }, "Sign in with key"));
}

export function loginView(ctx) {
  const error = h("p", { class: "form-error", id: "login-error", "data-testid": "login-error",
                         role: "alert", hidden: true });

  async function attempt(event, credentials) {
    event.preventDefault();
    const submit = event.target.querySelector("button[type=submit]");
    submit.disabled = true;
    error.hidden = true;
    try {
      await ctx.signIn(await ctx.api.login(credentials()));
    } catch (problem) {
      error.textContent = problem.status === 401 ? "Those credentials were not accepted."
        : `Sign-in failed: ${problem.message}`;
      error.hidden = false;
    } finally {
      submit.disabled = false;
    }
  }

  const byUser = credentialsForm((event) => attempt(event, () => {
    const form = event.target;
    const hash = md5(`${form["login-username"].value}:${form["login-password"].value}`);
    return Api.userAuth(hash, form["login-account"].value);
  }));
  const byKey = apiKeyForm((event) => attempt(event, () =>
    Api.apiAuth(event.target["login-api-key"].value.trim())));
  return {
    title: "Sign in",
    element: h("section", { class: "login", "aria-labelledby": "login-title" },
      h("h1", { id: "login-title" }, "Sign in"), error, h("div", { class: "login-forms" }, byUser, byKey)),
  };
}
