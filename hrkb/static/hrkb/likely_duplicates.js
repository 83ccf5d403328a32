// The add page of a person or an organisation: as the name (or an alias) is typed, list the records
// that may be the same actor, so the curator opens one of them instead of adding a duplicate.
(function () {
    "use strict";
    const box = document.getElementById("likely-duplicates");
    const name = document.getElementById("id_name");
    if (!box || !name) {
        return;
    }
    name.closest(".form-row").after(box);
    let timer = null;
    let asked = "";

    function aliases() {
        return Array.from(document.querySelectorAll("#aliases-group input[name$='-name']"))
            .map((input) => input.value.trim())
            .filter(Boolean);
    }

    function render(candidates) {
        box.replaceChildren();
        if (!candidates.length) {
            box.hidden = true;
            return;
        }
        const title = document.createElement("strong");
        title.textContent = "Likely duplicates — open one instead of adding a second record:";
        const list = document.createElement("ul");
        for (const candidate of candidates) {
            const item = document.createElement("li");
            const link = document.createElement("a");
            link.href = candidate.url;
            link.textContent = candidate.name;
            item.append(link, ` (${candidate.reason})`);
            list.append(item);
        }
        box.append(title, list);
        box.hidden = false;
    }

    function ask() {
        const params = new URLSearchParams({name: name.value.trim()});
        for (const alias of aliases()) {
            params.append("alias", alias);
        }
        const query = params.toString();
        if (query === asked || !name.value.trim()) {
            if (!name.value.trim()) {
                render([]);
            }
            return;
        }
        asked = query;
        fetch(`${box.dataset.url}?${query}`, {credentials: "same-origin"})
            .then((response) => (response.ok ? response.json() : {candidates: []}))
            .then((data) => render(data.candidates));
    }

    function later() {
        clearTimeout(timer);
        timer = setTimeout(ask, 300);
    }

    document.addEventListener("input", (event) => {
        if (event.target === name || event.target.matches("#aliases-group input[name$='-name']")) {
            later();
        }
    });
})();
