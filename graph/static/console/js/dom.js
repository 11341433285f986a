// Building the page from data with DOM calls only: text is always set as text, never parsed
// as HTML, so a customer named "<img onerror=…>" is shown, not run.

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name in element && typeof value !== "string") element[name] = value;
    else element.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

// A labelled input; `path` is the API field path its userErrors name ("fees.0.units").
export function field(label, input, path) {
  const id = `f-${Math.random().toString(36).slice(2)}`;
  input.id = id;
  const error = h("p", { class: "error", "aria-live": "polite", hidden: true });
  error.id = `${id}-error`;
  input.setAttribute("aria-describedby", error.id);
  return h("div", { class: "field", "data-path": path }, h("label", { for: id }, label), input, error);
}

// Each userErrors entry next to the input its path names (or the nearest enclosing one);
// those that name none go to `general`.
export function showErrors(root, errors, general) {
  clearErrors(root, general);
  for (const error of errors) {
    const path = [...(error.field ?? [])];
    let place = null;
    while (path.length && !place) {
      place = root.querySelector(`[data-path="${CSS.escape(path.join("."))}"]`);
      path.pop();
    }
    const text = `${error.message} (${error.code})`;
    const slot = place?.querySelector(":scope > .error");
    if (slot) {
      slot.hidden = false;
      slot.textContent = slot.textContent ? `${slot.textContent} ${text}` : text;
      place.querySelector(":scope > input, :scope > select, :scope > textarea")?.setAttribute("aria-invalid", "true");
    } else {
      general.hidden = false;
      general.append(h("p", {}, text));
    }
  }
}

export function clearErrors(root, general) {
  for (const slot of root.querySelectorAll("[data-path] > .error")) {
    slot.hidden = true;
    slot.textContent = "";
  }
  for (const input of root.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  general.hidden = true;
  general.replaceChildren();
}

export function debounce(action, milliseconds) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => action(...args), milliseconds);
  };
}
