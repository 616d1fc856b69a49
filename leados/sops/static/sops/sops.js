// Leadership routines: the cadence builder shows the parts its kind uses; the steps
// editor adds rows and moves them (their order travels in the formset's ORDER fields).
(() => {
  "use strict";

  const showCadence = (builder) => {
    const kind = builder.querySelector("[name=kind]");
    if (!kind) return;
    builder.querySelectorAll("[data-cadence-for]").forEach((part) => {
      part.hidden = !part.dataset.cadenceFor.split(" ").includes(kind.value);
    });
  };

  const renumber = (editor) => {
    editor.querySelectorAll("[data-step-row]").forEach((row, index) => {
      const order = row.querySelector("input[name$='-ORDER']");
      if (order) order.value = index + 1;
    });
  };

  const init = () => {
    document.querySelectorAll("[data-cadence-builder]").forEach(showCadence);
    document.querySelectorAll("[data-steps-editor]").forEach(renumber);
  };

  document.addEventListener("change", (event) => {
    if (event.target.matches("[data-cadence-builder] [name=kind]")) {
      showCadence(event.target.closest("[data-cadence-builder]"));
    }
  });

  document.addEventListener("click", (event) => {
    const add = event.target.closest("[data-add-step]");
    if (add) {
      const editor = add.closest("[data-steps-editor]");
      const prefix = editor.dataset.prefix;
      const total = editor.querySelector(`input[name='${prefix}-TOTAL_FORMS']`);
      const max = editor.querySelector(`input[name='${prefix}-MAX_NUM_FORMS']`);
      const count = parseInt(total.value, 10);
      if (max && count >= parseInt(max.value, 10)) return;
      const template = editor.querySelector("[data-step-template]");
      const html = template.innerHTML.replaceAll("__prefix__", String(count));
      editor.querySelector("[data-step-rows]").insertAdjacentHTML("beforeend", html);
      total.value = String(count + 1);
      renumber(editor);
      const rows = editor.querySelectorAll("[data-step-row]");
      const text = rows[rows.length - 1].querySelector("input[name$='-text']");
      if (text) text.focus();
      return;
    }
    const move = event.target.closest("[data-move]");
    if (move) {
      const row = move.closest("[data-step-row]");
      const editor = move.closest("[data-steps-editor]");
      if (move.dataset.move === "up" && row.previousElementSibling) {
        row.parentNode.insertBefore(row, row.previousElementSibling);
      } else if (move.dataset.move === "down" && row.nextElementSibling) {
        row.parentNode.insertBefore(row.nextElementSibling, row);
      }
      renumber(editor);
      move.focus();
    }
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
