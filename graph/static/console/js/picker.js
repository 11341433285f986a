// "Add an add-on": a button that opens a search over the organization's add-ons.

import { gql } from "./api.js";
import { debounce, h } from "./dom.js";

const ADD_ONS = `query($term: String) {
  addOns(first: 20, searchTerm: $term) {
    nodes { id code name description amountCents amountCurrency }
  }
}`;

export function addOnPicker(onPick) {
  const search = h("input", { type: "search", placeholder: "Name or code" });
  search.id = "add-on-search";
  const results = h("ul", { class: "results" });
  const panel = h(
    "div",
    { class: "picker", hidden: true },
    h("label", { for: "add-on-search" }, "Find an add-on"),
    search,
    results,
  );
  const open = h("button", { type: "button", "aria-expanded": "false" }, "Add an add-on");

  async function load() {
    const { addOns } = await gql(ADD_ONS, { term: search.value.trim() || null });
    results.replaceChildren(
      ...addOns.nodes.map((addOn) =>
        h(
          "li",
          {},
          h(
            "button",
            {
              type: "button",
              onclick: () => {
                panel.hidden = true;
                open.setAttribute("aria-expanded", "false");
                onPick(addOn);
              },
            },
            `${addOn.name} (${addOn.code})`,
          ),
        ),
      ),
    );
    if (!addOns.nodes.length) results.append(h("li", {}, "No add-on matches."));
  }
  search.addEventListener("input", debounce(load, 200));
  open.addEventListener("click", async () => {
    panel.hidden = !panel.hidden;
    open.setAttribute("aria-expanded", String(!panel.hidden));
    if (!panel.hidden) {
      search.value = "";
      await load();
      search.focus();
    }
  });
  return h("div", { class: "add-on" }, open, panel);
}
