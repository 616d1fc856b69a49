// Scorecard grid: keyboard-first entry and pasting columns from a spreadsheet.
// Tab and Shift+Tab move along a row (the browser's own order); Enter and Shift+Enter move
// down and up a column. A changed cell is saved when the cursor leaves it; a paste saves
// every cell it fills at once, all or nothing. Runs under the CSP: no inline script.
(() => {
  "use strict";

  const statusLine = () => document.getElementById("sc-status");

  const say = (text, bad) => {
    const line = statusLine();
    if (!line) return;
    line.textContent = text;
    line.classList.toggle("bad", Boolean(bad));
  };

  const csrf = () => {
    const holder = document.body.getAttribute("hx-headers") || "{}";
    try {
      return JSON.parse(holder)["X-CSRFToken"] || "";
    } catch (_error) {
      return "";
    }
  };

  const keyOf = (input) => `${input.dataset.measurable}:${input.dataset.period}`;

  const column = (input) => {
    const table = input.closest("table");
    const cell = input.closest("td");
    const index = Array.prototype.indexOf.call(cell.parentElement.children, cell);
    return Array.from(table.querySelectorAll("tbody tr"))
      .map((row) => row.children[index])
      .map((td) => td && td.querySelector("input.sc-input"))
      .filter(Boolean);
  };

  const rowInputs = (input) =>
    Array.from(input.closest("tr").querySelectorAll("input.sc-input"));

  const noteInput = (input) => input.closest("td").querySelector("input.sc-note-input");

  const showError = (input, text) => {
    const slot = input.closest("td").querySelector(".sc-error");
    if (slot) slot.textContent = text || "";
    if (text) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  };

  const askNote = (input) => {
    if (noteInput(input)) return;
    const note = document.createElement("input");
    note.type = "text";
    note.className = "sc-note-input";
    note.setAttribute("aria-label", `Why is ${input.getAttribute("aria-label")} red?`);
    note.placeholder = "Why is it red?";
    note.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        save([input]);
      }
    });
    input.closest("td").appendChild(note);
  };

  const paint = (input, cell) => {
    const td = input.closest("td");
    td.classList.remove("colour-green", "colour-yellow", "colour-red");
    td.querySelectorAll(".sc-mark, .sc-mark + .visually-hidden").forEach((el) => el.remove());
    if (cell.colour) {
      td.classList.add(`colour-${cell.colour}`);
      const mark = document.createElement("span");
      mark.className = "sc-mark";
      mark.setAttribute("aria-hidden", "true");
      mark.textContent = cell.mark;
      const word = document.createElement("span");
      word.className = "visually-hidden";
      word.textContent = cell.colour_word;
      input.after(mark, word);
    }
    const note = noteInput(input);
    if (note) note.remove();
  };

  const save = async (inputs) => {
    const table = inputs[0].closest("table");
    const body = new FormData();
    for (const input of inputs) {
      body.append("measurable", input.dataset.measurable);
      body.append("period_start", input.dataset.period);
      body.append("value", input.value.trim());
      body.append("version", input.dataset.version);
      const note = noteInput(input);
      body.append("note", note ? note.value : "");
      input.classList.add("saving");
    }
    let response;
    let answer = {};
    try {
      response = await fetch(table.dataset.cellsUrl, {
        method: "POST",
        body,
        headers: { "X-CSRFToken": csrf(), Accept: "application/json" },
        credentials: "same-origin",
      });
      answer = await response.json();
    } catch (_error) {
      inputs.forEach((input) => input.classList.remove("saving"));
      say("Could not reach the server; your values are not saved yet.", true);
      return false;
    }
    inputs.forEach((input) => input.classList.remove("saving"));
    if (response.ok) {
      for (const input of inputs) {
        const cell = answer.cells[keyOf(input)];
        if (!cell) continue;
        input.dataset.version = String(cell.version);
        input.dataset.saved = cell.raw;
        input.value = cell.raw;
        showError(input, "");
        paint(input, cell);
      }
      say(answer.detail, false);
      return true;
    }
    const errors = answer.errors || {};
    const needNote = new Set(answer.need_note || []);
    for (const input of inputs) {
      const key = keyOf(input);
      showError(input, errors[key] || "");
      if (needNote.has(key)) askNote(input);
    }
    say(answer.detail || "Nothing was saved.", true);
    return false;
  };

  const changed = (input) => input.value.trim() !== (input.dataset.saved || "");

  document.addEventListener("change", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.classList.contains("sc-input")) return;
    if (input.dataset.pasting === "1") return;
    if (!changed(input) && !noteInput(input)) return;
    if (input.value.trim() === "") {
      showError(input, "Leave it empty to enter nothing; to remove a value, ask its owner.");
      input.value = input.dataset.saved || "";
      return;
    }
    save([input]);
  });

  document.addEventListener("keydown", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.classList.contains("sc-input")) return;
    if (event.key !== "Enter") return;
    event.preventDefault();
    const cells = column(input);
    const next = cells[cells.indexOf(input) + (event.shiftKey ? -1 : 1)];
    if (next) {
      next.focus();
      next.select();
    } else {
      input.blur();
      input.focus();
    }
  });

  document.addEventListener("paste", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.classList.contains("sc-input")) return;
    const text = (event.clipboardData || window.clipboardData).getData("text") || "";
    const lines = text.replace(/\r/g, "").split("\n");
    while (lines.length && lines[lines.length - 1].trim() === "") lines.pop();
    const acrossRow = lines.length === 1 && lines[0].includes("\t");
    if (lines.length < 2 && !acrossRow) return; // one value: the ordinary paste
    event.preventDefault();
    const values = acrossRow ? lines[0].split("\t") : lines.map((line) => line.split("\t")[0]);
    const cells = acrossRow ? rowInputs(input) : column(input);
    const start = cells.indexOf(input);
    const targets = cells.slice(start, start + values.length);
    if (targets.length < values.length) {
      say(`Only ${targets.length} cells to fill; ${values.length} values were pasted. Nothing was saved.`, true);
      return;
    }
    targets.forEach((cell, n) => {
      cell.dataset.pasting = "1";
      cell.value = values[n].trim();
    });
    save(targets).finally(() => targets.forEach((cell) => delete cell.dataset.pasting));
  });

  // The measurable's chart: a crosshair and a tooltip following the nearest point.
  const chartMove = (event) => {
    const svg = event.target.closest && event.target.closest("svg.sc-chart");
    if (!svg) return;
    const points = Array.from(svg.querySelectorAll(".chart-point"));
    if (!points.length) return;
    const box = svg.getBoundingClientRect();
    const scale = svg.viewBox.baseVal.width / box.width;
    const x = (event.clientX - box.left) * scale;
    let best = points[0];
    for (const p of points) {
      if (Math.abs(p.cx.baseVal.value - x) < Math.abs(best.cx.baseVal.value - x)) best = p;
    }
    const line = svg.querySelector(".crosshair");
    if (line) {
      line.setAttribute("x1", best.cx.baseVal.value);
      line.setAttribute("x2", best.cx.baseVal.value);
      line.removeAttribute("visibility");
    }
    const tip = svg.parentElement.querySelector(".sc-tooltip");
    if (tip) {
      const title = best.querySelector("title");
      tip.textContent = title ? title.textContent : "";
      tip.hidden = false;
      tip.style.left = `${best.cx.baseVal.value / scale + 8}px`;
      tip.style.top = `${best.cy.baseVal.value / scale - 24}px`;
    }
  };
  document.addEventListener("mousemove", chartMove);
})();
