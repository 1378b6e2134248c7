// After a passkey is registered (django-otp-webauthn's event), show it in the list, or go on to
// the page that asked for a second factor.
document.addEventListener("otp_webauthn.register_complete", () => {
  const after = document.getElementById("mfa-after-register");
  const next = after && after.dataset.next;
  window.location.assign(next || window.location.pathname);
});
