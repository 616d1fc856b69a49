// The check-in form's live total: the five shares must add up to 100.
(function () {
  "use strict";
  function update(form) {
    var total = 0, leading = 0, filled = true;
    form.querySelectorAll("input.share-input").forEach(function (input) {
      var value = input.value.trim() === "" ? 0 : Number(input.value);
      if (!Number.isInteger(value)) { filled = false; return; }
      total += value;
      if (input.dataset.share === "leading") leading += value;
    });
    var sum = form.querySelector(".share-sum");
    sum.hidden = false;
    form.querySelector("output[data-sum]").textContent = filled ? total : "?";
    form.querySelector("output[data-leading]").textContent = filled ? leading : "?";
    sum.classList.toggle("is-off", !filled || total !== 100);
    sum.classList.toggle("is-ok", filled && total === 100);
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-shares-form]").forEach(function (form) {
      form.addEventListener("input", function () { update(form); });
      update(form);
    });
  });
})();
