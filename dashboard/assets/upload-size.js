/* Tell the user when a file is over the upload cap: dcc.Upload drops such a file silently. */
(function () {
  function check(files, target) {
    var zone = target && target.closest ? target.closest("#upload-zone") : null;
    if (!zone || !files || !files.length) { return; }
    var max = parseInt(zone.getAttribute("data-max-bytes") || "0", 10);
    var tooBig = max > 0 && files[0].size > max;
    var note = document.getElementById("upload-too-big");
    var props = {style: {display: tooBig ? "block" : "none"}};
    var named = note ? note.getAttribute("data-named") : null;
    if (tooBig && named) {
      /* the message names the file and its size (the template comes from the catalog) */
      /* without bidirectional controls, which could show the name reordered (zhibiao/text.py) */
      var name = files[0].name.replace(/[\u202A-\u202E\u2066-\u2069]/g, "");
      props.children = named.replace("{file}", name)
        .replace("{size_mb}", (files[0].size / 1048576).toFixed(1));
    }
    if (window.dash_clientside && window.dash_clientside.set_props) {
      window.dash_clientside.set_props("upload-too-big", props);
    } else if (note) {
      note.style.display = props.style.display;
      if (props.children) { note.textContent = props.children; }
    }
  }
  document.addEventListener("change", function (e) {
    if (e.target && e.target.type === "file") { check(e.target.files, e.target); }
  }, true);
  document.addEventListener("drop", function (e) {
    check(e.dataTransfer ? e.dataTransfer.files : null, e.target);
  }, true);
})();
