// The page's only script of its own: answering a question from the list sets that fact's field
// and lets the form's change event assess the case again (htmx does the rest).
window.kbcheck = {
  answer(name, value) {
    const field = document.getElementById(name);
    if (!field) return;
    field.value = value;
    const group = field.closest("details");
    if (group) group.open = true;
    field.dispatchEvent(new Event("change", { bubbles: true }));
  },
};
