/* LoopMall storefront: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // Quantity steppers: − / + change the number field (the product page) or submit the new quantity
  // (the cart, where the buttons are real submit buttons and work without JavaScript too).
  document.querySelectorAll("[data-stepper]").forEach(function (stepper) {
    var input = stepper.querySelector("input");
    stepper.querySelectorAll("[data-step]").forEach(function (button) {
      if (button.type === "submit") return;
      button.addEventListener("click", function () {
        var min = parseInt(input.min || "1", 10);
        var max = parseInt(input.max || "999", 10);
        var value = (parseInt(input.value, 10) || min) + parseInt(button.dataset.step, 10);
        input.value = Math.max(min, Math.min(max, value));
      });
    });
  });

  // Cart: typing a new quantity submits it.
  document.querySelectorAll("form[data-autosubmit] input[type=number]").forEach(function (input) {
    input.addEventListener("change", function () { input.form.requestSubmit(); });
  });

  // SKU picker: show the chosen option's price, list price and stock; cap the quantity by stock.
  document.querySelectorAll("[data-sku-picker]").forEach(function (form) {
    var price = document.querySelector("[data-price]");
    var listPrice = document.querySelector("[data-list-price]");
    var stock = document.querySelector("[data-stock]");
    var quantity = form.querySelector("input[name=quantity]");
    form.querySelectorAll("input[name=sku_id]").forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (price) price.textContent = radio.dataset.price;
        if (listPrice) {
          listPrice.textContent = radio.dataset.listPrice;
          listPrice.hidden = !radio.dataset.listPrice;
        }
        if (stock) {
          stock.textContent = radio.dataset.stockLabel;
          stock.className = "tag " + ({ ok: "tag-ok", low: "tag-warn" }[radio.dataset.stockState] || "tag-muted");
        }
        if (quantity) {
          quantity.max = Math.max(1, parseInt(radio.dataset.stock, 10) || 1);
          if (parseInt(quantity.value, 10) > parseInt(quantity.max, 10)) quantity.value = quantity.max;
        }
      });
    });
  });

  // Checkout: opening "ship to a new address" selects it; choosing a saved one closes it.
  document.querySelectorAll("details[data-new-address]").forEach(function (details) {
    var form = details.closest("form");
    var radio = details.querySelector("input[type=radio]");
    details.addEventListener("toggle", function () { if (details.open) radio.checked = true; });
    form.querySelectorAll("input[name=address_id]").forEach(function (other) {
      if (other === radio) return;
      other.addEventListener("change", function () { details.open = false; });
    });
  });

  // Forms that must not be sent twice (place order, pay, buy again): lock the button after the first
  // submit. The server is idempotent anyway; this only spares a second round trip.
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      window.setTimeout(function () {
        var buttons = document.querySelectorAll('button[type=submit][form="' + form.id + '"], button[type=submit]');
        buttons.forEach(function (button) {
          if (button.form === form) button.classList.add("is-busy");
        });
      }, 0);
    });
  });

  // Ask before destructive actions.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  // Pay page: count down to the payment deadline.
  document.querySelectorAll("[data-deadline]").forEach(function (element) {
    var deadline = Date.parse(element.dataset.deadline);
    if (isNaN(deadline)) return;
    function tick() {
      var left = Math.max(0, Math.floor((deadline - Date.now()) / 1000));
      var minutes = Math.floor(left / 60);
      var seconds = left % 60;
      element.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      if (left > 0) window.setTimeout(tick, 1000);
    }
    tick();
  });

  // Once the shopper edits a field marked wrong, take its error away.
  document.querySelectorAll(".field.has-error").forEach(function (field) {
    field.addEventListener("input", function () {
      field.classList.remove("has-error");
      field.querySelectorAll(".field-error").forEach(function (error) { error.remove(); });
    }, { once: true });
  });

  // Long reviews: show four lines, and the rest on a tap.
  document.querySelectorAll("[data-clamp]").forEach(function (text) {
    text.classList.add("is-clamped");
    if (text.scrollHeight <= text.clientHeight + 2) {
      text.classList.remove("is-clamped");
      return;
    }
    var more = document.createElement("button");
    more.type = "button";
    more.className = "review-more";
    var holder = text.closest("[data-more]");
    more.textContent = holder ? holder.dataset.more : "…";
    more.addEventListener("click", function () {
      text.classList.remove("is-clamped");
      more.remove();
    });
    text.after(more);
  });
})();
