// Upload progress on the import form (htmx only enhances it: without JavaScript the form
// posts as usual and the page answers when the file is checked).
document.addEventListener("htmx:xhr:progress", function (event) {
  var bar = document.getElementById("upload-progress");
  if (bar && event.detail.lengthComputable) {
    bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
  }
});
