(function () {
  "use strict";
  function plain(t) { return t.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase(); }
  var q = document.getElementById("q"), list = document.getElementById("list");
  var boxes = Array.prototype.slice.call(document.querySelectorAll("#types input"));
  var rows = Array.prototype.slice.call(list.querySelectorAll("li"));
  var names = {};
  (window.GK_INDEX || []).forEach(function (a) { names[a.id] = plain([a.name, a.id].concat(a.aliases).join(" | ")); });
  function apply() {
    var t = plain(q.value.trim()), on = {}, shown = 0;
    boxes.forEach(function (b) { on[b.value] = b.checked; });
    rows.forEach(function (li) {
      var ok = on[li.getAttribute("data-type")] && (!t || names[li.getAttribute("data-id")].indexOf(t) >= 0);
      li.style.display = ok ? "" : "none"; if (ok) shown++;
    });
    document.getElementById("shown").textContent = shown + " of " + rows.length + " actors";
  }
  q.addEventListener("input", apply); boxes.forEach(function (b) { b.addEventListener("change", apply); });
  apply();
})();
