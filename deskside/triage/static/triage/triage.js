// Triage suggestions beside the intake form: "Use" fills the form's field with the value.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-triage-fill]");
  if (!button) return;
  const field = document.getElementById(button.dataset.triageFill);
  if (!field) return;
  field.value = button.dataset.value;
  field.dispatchEvent(new Event("change", { bubbles: true }));
  button.textContent = "Used";
});
