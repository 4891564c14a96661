// Progress of a long task (issuing a batch): polls its state and updates
// the bar. Without JavaScript, the page's "Actualiser" link does the same.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var box = document.querySelector("[data-job]");
  if (!box || !window.fetch) {
    return;
  }
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-job-message]");
  var next = box.querySelector("[data-job-next]");
  var refresh = box.querySelector("[data-job-refresh]");
  if (refresh) {
    refresh.hidden = true;
  }
  var announced = 0;
  function poll() {
    fetch(box.getAttribute("data-job"), { headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (st) {
        bar.value = st.percent;
        bar.textContent = st.percent + " %";
        // Screen readers hear the progress every quarter, not every tick.
        if (st.finished || st.percent >= announced + 25) {
          announced = st.percent - (st.percent % 25);
          text.textContent = st.message;
        }
        if (st.finished) {
          text.textContent = st.message;
          if (st.next && next) {
            next.href = st.next;
            next.hidden = false;
            next.focus();
          }
          return;
        }
        setTimeout(poll, 500);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  poll();
});
