// The only script of the pages, and none of them needs it: it adds copy buttons, search as
// you type on the index, and submitting the revision menu on change. Loaded from /-/static
// (the Content-Security-Policy allows no inline script).
"use strict";

function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    return navigator.clipboard.writeText(text);
  }
  // Plain-HTTP hubs on a LAN are not a secure context: fall back to a selected textarea.
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.className = "offscreen";
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand("copy");
  area.remove();
  return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
}

function setUpCopyButtons() {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const source = document.getElementById(button.dataset.copy);
    if (!source) continue;
    button.hidden = false;
    button.addEventListener("click", () => {
      copyText(source.textContent).then(
        () => { button.textContent = "Copied"; button.classList.add("done"); },
        () => {  // no clipboard access: select the snippet so Ctrl+C copies it
          const range = document.createRange();
          range.selectNodeContents(source);
          window.getSelection().removeAllRanges();
          window.getSelection().addRange(range);
          button.textContent = "Press Ctrl+C";
        });
      setTimeout(() => { button.textContent = "Copy"; button.classList.remove("done"); }, 2000);
    });
  }
}

function setUpSearch() {
  const form = document.getElementById("filters");
  const results = document.getElementById("results");
  if (!form || !results) return;
  let timer = null;
  let latest = 0;
  const refresh = () => {
    const params = new URLSearchParams(new FormData(form));
    for (const [key, value] of [...params]) if (!value) params.delete(key);
    const query = params.toString();
    const ticket = ++latest;
    fetch(form.dataset.results + "?" + query, {credentials: "same-origin"})
      .then((r) => r.ok ? r.text() : Promise.reject(r.status))
      .then((html) => {
        if (ticket !== latest) return;  // an older answer arriving late
        results.innerHTML = html;  // server-rendered, escaped by the templates
        history.replaceState(null, "", query ? "/?" + query : "/");
      })
      .catch(() => form.submit());
  };
  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(refresh, 150); });
  form.addEventListener("change", () => { clearTimeout(timer); refresh(); });
  form.addEventListener("submit", (event) => { event.preventDefault(); refresh(); });
}

function setUpRevisionMenus() {
  for (const select of document.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.submit());
  }
}

document.addEventListener("DOMContentLoaded", () => {
  setUpCopyButtons();
  setUpSearch();
  setUpRevisionMenus();
});
