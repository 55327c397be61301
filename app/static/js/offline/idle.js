// The warning before the idle time-out (WCAG 2.2.1, timing adjustable): two minutes before
// SESSION_IDLE_MINUTES of no requests run out, a dialog offers to stay signed in, which
// posts to the server to start its idle clock again. When the time runs out the dialog says
// so; what was typed is kept on the device (typing.js) and comes back after signing in.

import * as device from "./device.js";

const WARN_SECONDS = 120;
// The server's idle clock moves in 30-second steps (app/auth/sessions.py): it may have
// started up to 30 seconds before the request the page last made.
const STEP_SECONDS = 30;

function button(text, classes) {
  const made = document.createElement("button");
  made.type = "button";
  made.className = classes;
  made.textContent = text;
  return made;
}

export function startIdleWarning() {
  const idle = Number(document.body.dataset.idleSeconds);
  if (!idle || typeof HTMLDialogElement !== "function") return;

  const dialog = document.createElement("dialog");
  dialog.className = "app-idle-dialog";
  dialog.setAttribute("role", "alertdialog");
  dialog.setAttribute("aria-labelledby", "idle-heading");
  dialog.setAttribute("aria-describedby", "idle-text");
  const heading = document.createElement("h2");
  heading.id = "idle-heading";
  const text = document.createElement("p");
  text.id = "idle-text";
  const actions = document.createElement("div");
  actions.className = "nhsuk-button-group";
  dialog.append(heading, text, actions);
  const announcer = document.createElement("p");
  announcer.className = "nhsuk-u-visually-hidden";
  announcer.setAttribute("role", "status");
  document.body.append(dialog, announcer);

  let timer = null;
  let state = "closed";
  let returnFocus = null;
  const expiresAt = () => device.lastServerContact() + (idle - STEP_SECONDS) * 1000;

  function open() {
    if (!dialog.open) {
      returnFocus = document.activeElement;
      dialog.showModal();
    }
  }

  function close() {
    if (dialog.open) dialog.close();
    state = "closed";
    if (returnFocus && returnFocus.focus) returnFocus.focus();
  }

  function showWarning() {
    state = "warning";
    const at = new Date(expiresAt()).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
    heading.textContent = "You will be signed out soon";
    text.textContent = `You have not done anything for a while. To protect your information you will be signed out at ${at}, in about 2 minutes. Anything you have typed is kept.`;
    const stay = button("Stay signed in", "nhsuk-button");
    const leave = button("Sign out", "nhsuk-button nhsuk-button--secondary");
    stay.addEventListener("click", staySignedIn);
    leave.addEventListener("click", () => {
      const signOut = document.querySelector("form[data-sign-out]");
      if (signOut) signOut.requestSubmit();
    });
    actions.replaceChildren(stay, leave);
    open();
    stay.focus();
  }

  function showSignedOut() {
    state = "signed-out";
    clearTimeout(timer);
    heading.textContent = "You have been signed out";
    text.textContent = "You were signed out because you had not done anything for a while. Anything you typed is kept on this device: sign in again and it comes back.";
    const signIn = document.createElement("a");
    signIn.className = "nhsuk-button";
    signIn.textContent = "Sign in again";
    signIn.href = `${document.body.dataset.signInUrl}?next=${encodeURIComponent(location.pathname + location.search)}`;
    actions.replaceChildren(signIn);
    open();
    signIn.focus();
  }

  async function staySignedIn() {
    const body = new FormData();
    body.set("csrf_token", device.csrfTokenIn());
    const result = await device.post(document.body.dataset.staySignedInUrl, body);
    if (result.outcome === "saved") {
      close();
      announcer.textContent = "You are still signed in.";
    } else if (result.outcome === "signed-out") {
      showSignedOut();
    } else {
      text.textContent = "The connection was lost, so we could not keep you signed in. Try again when you are back online.";
    }
  }

  function check() {
    const left = expiresAt() - Date.now();
    if (left <= 0) showSignedOut();
    else if (left <= WARN_SECONDS * 1000) {
      if (state !== "warning") showWarning();
      timer = setTimeout(check, left);
    } else timer = setTimeout(check, left - WARN_SECONDS * 1000);
  }

  function restart() {
    if (state === "signed-out") return;
    clearTimeout(timer);
    if (state === "warning") close();
    check();
  }

  // Escape keeps the person signed in, as the first button does.
  dialog.addEventListener("cancel", (event) => {
    if (state === "warning") {
      event.preventDefault();
      staySignedIn();
    }
  });
  device.onServerContact(restart);
  document.addEventListener("pcpt:signed-out", showSignedOut);
  check();
}
