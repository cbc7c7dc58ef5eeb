// Loads the wasm-bindgen module. A separate file because the CSP allows no
// inline script; the query string changes with every build (cache busting).
import init from "/pkg/app.js?v=__BUILD__";

const boot = document.getElementById("boot");
init({ module_or_path: "/pkg/app_bg.wasm?v=__BUILD__" })
  .then(() => boot && boot.remove())
  .catch((err) => {
    console.error(err);
    if (boot) {
      boot.textContent = "Backupchecks could not start: " + err + ". Reload the page; if it persists, tell your admin.";
      boot.classList.add("boot-error");
    }
  });
