// A background export's page: ask the status endpoint every few seconds and move the
// bar, the words beside it and the status tag, without reloading the page; when the file
// is ready, show its download link. Without JavaScript the page's refresh link does this.
const POLL_MS = 2000;
const TAG_COLOURS = {
  queued: "nhsuk-tag--grey",
  running: "nhsuk-tag--blue",
  done: "nhsuk-tag--green",
  failed: "nhsuk-tag--red",
  expired: "nhsuk-tag--grey",
};

function show(root, state) {
  const bar = root.querySelector("#export-bar");
  const words = root.querySelector("#export-progress-text");
  const tag = root.querySelector("#export-status");
  bar.max = Math.max(state.rows_total, 1);
  bar.value = state.status === "done" ? state.rows_total : state.rows_done;
  bar.textContent = `${state.percent}%`;
  const text = state.ready ? `${state.progress_text}. Your file is ready to download.` : state.progress_text;
  if (words.textContent !== text) {
    words.textContent = text;
  }
  if (tag.dataset.status !== state.status) {
    tag.classList.remove(...Object.values(TAG_COLOURS));
    tag.classList.add(TAG_COLOURS[state.status]);
    tag.dataset.status = state.status;
    tag.textContent = state.status_label;
  }
  if (state.ready) {
    document.getElementById("export-ready").hidden = false;
  }
  if (state.finished && !state.ready) {
    window.location.reload(); // failed or expired: the page explains what to do
    return;
  }
  if (state.finished) {
    const refresh = document.getElementById("export-refresh");
    if (refresh) {
      refresh.hidden = true;
    }
  }
}

function follow(root) {
  const url = root.dataset.statusUrl;
  const poll = async () => {
    let state;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) {
        return; // signed out or gone: the refresh link still works
      }
      state = await response.json();
    } catch {
      window.setTimeout(poll, POLL_MS * 2); // offline for a moment: try again later
      return;
    }
    show(root, state);
    if (!state.finished) {
      window.setTimeout(poll, POLL_MS);
    }
  };
  window.setTimeout(poll, POLL_MS);
}

for (const root of document.querySelectorAll('[data-module="app-export-progress"]')) {
  if (root.dataset.finished !== "true") {
    follow(root);
  }
}
