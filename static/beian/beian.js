// Site behaviour without inline scripts (the CSP allows only same-origin script files).
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector("meta[name=csrf-token]");
  if (token) event.detail.headers["X-CSRFToken"] = token.content;
});
// Auto-submit filter forms when a select changes (<form data-autosubmit>).
document.addEventListener("change", (event) => {
  const form = event.target.closest("form[data-autosubmit]");
  if (form && event.target.matches("select, input[type=checkbox]")) form.requestSubmit();
});
