#!/usr/bin/env bash
# A real OpenID Connect provider on loopback for the SSO demo (docs/sso.md): tests/oidc's
# `oidc-provider`, with the portal's redirect URI registered for every demo tenant.
# PORT: the portal's port (as for `make run`, 8000); OIDC_PORT: the provider's (9400).
# Any e-mail address signs in there with any password. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
export OIDC_PORT="${OIDC_PORT:-9400}"
if ! command -v node >/dev/null 2>&1; then
  echo "Node.js is needed: apt-get install nodejs npm" >&2
  exit 1
fi
[ -d tests/oidc/node_modules/oidc-provider ] || npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error
slugs=$(.venv/bin/python manage.py shell -c \
  "from demo.catalog import TENANTS; print(' '.join(t.slug for t in TENANTS))")
uris=()
for slug in $slugs; do
  for host in 127.0.0.1 localhost; do uris+=("http://$host:$PORT/accounts/sso/$slug/callback/"); done
done
OIDC_REDIRECT_URIS=$(IFS=,; echo "${uris[*]}")
export OIDC_REDIRECT_URIS
cat <<TEXT
Loopback OpenID provider for the portal at http://127.0.0.1:$PORT
  On /t/contoso/settings/sso/ (signed in as a Contoso admin) enter:
    Issuer URL     http://127.0.0.1:$OIDC_PORT
    Client ID      ${OIDC_CLIENT_ID:-portal}
    Client secret  ${OIDC_CLIENT_SECRET:-portal-secret}
  tick "Members can sign in with this identity provider" and save; then sign out and open
  http://127.0.0.1:$PORT/accounts/sso/contoso/ (any password works at the provider).
TEXT
exec node tests/oidc/provider.mjs
