/* Tell the user when a file is over the upload cap: dcc.Upload drops such a file silently. */
(function () {
  function check(files, target) {
    var zone = target && target.closest ? target.closest("#upload-zone") : null;
    if (!zone || !files || !files.length) { return; }
    var max = parseInt(zone.getAttribute("data-max-bytes") || "0", 10);
    var tooBig = max > 0 && files[0].size > max;
    var note = document.getElementById("upload-too-big");
    if (window.dash_clientside && window.dash_clientside.set_props) {
      window.dash_clientside.set_props("upload-too-big", {style: {display: tooBig ? "block" : "none"}});
    } else if (note) {
      note.style.display = tooBig ? "block" : "none";
    }
  }
  document.addEventListener("change", function (e) {
    if (e.target && e.target.type === "file") { check(e.target.files, e.target); }
  }, true);
  document.addEventListener("drop", function (e) {
    check(e.dataTransfer ? e.dataTransfer.files : null, e.target);
  }, true);
})();
