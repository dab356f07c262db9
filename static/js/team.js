// Team formsets: "添加一行" and the person autocomplete. No inline scripts (the CSP allows
// same-origin script files only); everything is wired through data- attributes.
//
// Add a row:  <button data-formset-add="PREFIX">, <template data-formset-empty="PREFIX">
//             holding one row with __prefix__, and <tbody data-formset-body="PREFIX">.
// Autocomplete: <div data-person-picker data-suggest-url=…> around a text input
//             (data-person-search, or any text input when data-fill-row is set), a hidden
//             input data-person-value (optional) and a box data-person-suggest. Suggestions
//             come from the server through htmx; picking one sets the hidden id and, with
//             data-fill-row, fills the row's name / identity / unit / post inputs.
(() => {
  "use strict";

  // --- add a row ---------------------------------------------------------------------
  const totalInput = (prefix) => document.getElementById(`id_${prefix}-TOTAL_FORMS`);
  const maxForms = (prefix) => {
    const input = document.getElementById(`id_${prefix}-MAX_NUM_FORMS`);
    return input ? parseInt(input.value, 10) : 1000;
  };

  const refreshAddButtons = () => {
    document.querySelectorAll("[data-formset-add]").forEach((button) => {
      const prefix = button.dataset.formsetAdd;
      const total = totalInput(prefix);
      if (!total) return;
      const full = parseInt(total.value, 10) >= maxForms(prefix);
      button.disabled = full;
      button.title = full ? button.dataset.fullText || "" : "";
    });
  };

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-formset-add]");
    if (!button) return;
    event.preventDefault();
    const prefix = button.dataset.formsetAdd;
    const total = totalInput(prefix);
    const template = document.querySelector(`template[data-formset-empty="${prefix}"]`);
    const body = document.querySelector(`[data-formset-body="${prefix}"]`);
    if (!total || !template || !body) return;
    const index = parseInt(total.value, 10);
    if (index >= maxForms(prefix)) return;
    const holder = document.createElement("tbody");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    const rows = Array.from(holder.children);
    rows.forEach((row) => body.appendChild(row));
    total.value = String(index + 1);
    if (window.htmx) rows.forEach((row) => window.htmx.process(row));
    const first = rows[0] && rows[0].querySelector("select, input:not([type=hidden])");
    if (first) first.focus();
    refreshAddButtons();
  });

  // --- person autocomplete -----------------------------------------------------------
  const DELAY_MS = 250;
  const timers = new WeakMap();

  const searchInput = (picker) =>
    picker.querySelector("[data-person-search]") ||
    picker.querySelector("input[type=text], input[type=search]");

  const closeSuggestions = (picker) => {
    const box = picker.querySelector("[data-person-suggest]");
    if (box) box.innerHTML = "";
  };

  const suggest = (picker, text) => {
    const box = picker.querySelector("[data-person-suggest]");
    if (!box || !window.htmx) return;
    if (!text.trim()) {
      box.innerHTML = "";
      return;
    }
    const url = `${picker.dataset.suggestUrl}?q=${encodeURIComponent(text.trim())}`;
    window.htmx.ajax("GET", url, { target: box, swap: "innerHTML" });
  };

  document.addEventListener("focusin", (event) => {
    const picker = event.target.closest("[data-person-picker]");
    if (picker && event.target === searchInput(picker)) event.target.autocomplete = "off";
  });

  document.addEventListener("input", (event) => {
    const picker = event.target.closest("[data-person-picker]");
    if (!picker || event.target !== searchInput(picker)) return;
    const hidden = picker.querySelector("[data-person-value]");
    if (hidden) hidden.value = ""; // typing anew un-chooses the person until one is picked
    clearTimeout(timers.get(picker));
    timers.set(picker, setTimeout(() => suggest(picker, event.target.value), DELAY_MS));
  });

  const fill = (row, suffix, value) => {
    const field = row.querySelector(`[name$="-${suffix}"]`);
    if (!field || value === undefined) return;
    if (field.tagName === "SELECT" && !field.querySelector(`option[value="${value}"]`)) return;
    field.value = value;
    field.dispatchEvent(new Event("change", { bubbles: true }));
  };

  const pick = (picker, option) => {
    const data = option.dataset;
    const hidden = picker.querySelector("[data-person-value]");
    const input = searchInput(picker);
    if (hidden) hidden.value = data.personId;
    if (picker.hasAttribute("data-fill-row")) {
      const row = picker.closest("tr, [data-team-row]") || picker.parentElement;
      if (input) input.value = data.name;
      fill(row, "identity", data.kind);
      fill(row, "unit_name", data.unit);
      fill(row, "post", data.post);
    } else if (input) {
      input.value = data.personLabel;
    }
    closeSuggestions(picker);
    if (input) input.focus();
  };

  document.addEventListener("click", (event) => {
    const option = event.target.closest("[data-person-id]");
    const picker = option && option.closest("[data-person-picker]");
    if (picker) {
      event.preventDefault();
      pick(picker, option);
      return;
    }
    document.querySelectorAll("[data-person-picker]").forEach((other) => {
      if (!other.contains(event.target)) closeSuggestions(other);
    });
  });

  document.addEventListener("keydown", (event) => {
    const picker = event.target.closest("[data-person-picker]");
    if (!picker) return;
    const options = Array.from(picker.querySelectorAll("[data-person-id]"));
    const at = options.indexOf(document.activeElement);
    if (event.key === "Escape") {
      closeSuggestions(picker);
    } else if (event.key === "ArrowDown" && options.length) {
      event.preventDefault();
      options[Math.min(at + 1, options.length - 1)].focus();
    } else if (event.key === "ArrowUp" && options.length) {
      event.preventDefault();
      if (at <= 0) searchInput(picker).focus();
      else options[at - 1].focus();
    } else if (event.key === "Enter" && event.target === searchInput(picker)) {
      event.preventDefault(); // Enter in the search box picks, never submits the form
      if (options.length) pick(picker, options[0]);
    }
  });

  document.addEventListener("DOMContentLoaded", refreshAddButtons);
})();
