// LeadOS page behaviour (no inline script: everything here runs under the CSP).
(() => {
  "use strict";

  document.documentElement.classList.add("js");

  // Selects marked data-autosubmit submit their form when changed (the org switcher).
  document.addEventListener("change", (event) => {
    const el = event.target;
    if (el.matches("[data-autosubmit]") && el.value) el.form.requestSubmit();
  });

  // Buttons with data-confirm ask first.
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Copy buttons: data-copy holds the selector of the field to copy.
  document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-copy]");
    if (!button) return;
    const field = document.querySelector(button.dataset.copy);
    if (!field) return;
    field.select();
    try {
      await navigator.clipboard.writeText(field.value);
      button.textContent = "Copied";
    } catch (_err) {
      button.textContent = "Press Ctrl+C";
    }
  });

  document.addEventListener("focusin", (event) => {
    if (event.target.matches("[data-select-on-focus]")) event.target.select();
  });

  // Email fields bound to <datalist id="people-options" data-source="…"> suggest people.
  let timer = null;
  let controller = null;
  document.addEventListener("input", (event) => {
    const input = event.target;
    const listId = input.getAttribute && input.getAttribute("list");
    if (!listId) return;
    const list = document.getElementById(listId);
    if (!list || !list.dataset.source) return;
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const text = input.value.trim();
      if (text.length < 2) return;
      if (controller) controller.abort();
      controller = new AbortController();
      try {
        const url = `${list.dataset.source}?q=${encodeURIComponent(text)}`;
        const response = await fetch(url, { signal: controller.signal, credentials: "same-origin" });
        if (response.ok) list.innerHTML = await response.text();
      } catch (_err) {
        // A superseded or failed lookup leaves the previous suggestions.
      }
    }, 200);
  });

  // After an in-place edit is swapped, keep keyboard focus inside it: its field (which
  // carries autofocus) or, once saved, its link.
  let swappedId = null;
  document.addEventListener("htmx:beforeSwap", (event) => {
    swappedId = event.detail.target && event.detail.target.id;
  });
  document.addEventListener("htmx:afterSettle", () => {
    if (!swappedId) return;
    const swapped = document.getElementById(swappedId);
    swappedId = null;
    if (!swapped || swapped.contains(document.activeElement)) return;
    const focusable = swapped.querySelector("[autofocus], input:not([type=hidden]), a, button");
    if (focusable) focusable.focus();
  });

  // Escape cancels an in-place edit.
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const form = event.target.closest && event.target.closest("form.inline-edit");
    if (!form) return;
    const cancel = form.querySelector("[hx-get]");
    if (cancel) cancel.click();
  });
})();
