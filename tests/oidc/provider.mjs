// A real OpenID Connect provider (the `oidc-provider` package) on loopback, for the SSO tests and
// `make oidc-demo`. Never for production: any e-mail address signs in with any password.
//
// Environment:
//   OIDC_PORT           port on 127.0.0.1 (0 = any free port) [0]
//   OIDC_CLIENT_ID      the portal's client id [portal]
//   OIDC_CLIENT_SECRET  its secret [portal-secret]
//   OIDC_REDIRECT_URIS  comma-separated redirect URIs registered for that client
//
// Prints one JSON line {"issuer": "...", "client_id": "...", "client_secret": "..."} once it
// listens. POST /__test__/mode?set=<mode> makes the token endpoint hand out a bad ID token, so
// the tests can prove the portal refuses it: "tamper" (payload changed, signature kept),
// "wrong-key" (signed with a key the provider never published), "wrong-aud", "wrong-nonce",
// "wrong-iss" (validly signed, wrong claim); "" goes back to honest tokens.
import http from 'node:http';
import { randomBytes } from 'node:crypto';

import * as jose from 'jose';
import { Provider } from 'oidc-provider';

const HOST = '127.0.0.1';
const port = Number(process.env.OIDC_PORT || 0);
const clientId = process.env.OIDC_CLIENT_ID || 'portal';
const clientSecret = process.env.OIDC_CLIENT_SECRET || 'portal-secret';
const redirectUris = (process.env.OIDC_REDIRECT_URIS || '').split(',').map((s) => s.trim()).filter(Boolean);
if (!redirectUris.length) {
  console.error('OIDC_REDIRECT_URIS is required');
  process.exit(2);
}

async function signingKey(kid) {
  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  return { ...(await jose.exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
}

const realJwk = await signingKey('test-key-1');
const rogueJwk = await signingKey('test-key-1'); // same kid, never published
let mode = '';

async function resign(idToken, change, jwk) {
  const header = jose.decodeProtectedHeader(idToken);
  const payload = { ...jose.decodeJwt(idToken), ...change };
  const key = await jose.importJWK(jwk, 'RS256');
  return new jose.CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader(header)
    .sign(key);
}

async function badToken(idToken) {
  switch (mode) {
    case 'tamper': {
      const [h, , s] = idToken.split('.');
      const payload = { ...jose.decodeJwt(idToken), email: 'mallory@contoso.test' };
      return [h, Buffer.from(JSON.stringify(payload)).toString('base64url'), s].join('.');
    }
    case 'wrong-key':
      return resign(idToken, {}, rogueJwk);
    case 'wrong-aud':
      return resign(idToken, { aud: 'another-client' }, realJwk);
    case 'wrong-nonce':
      return resign(idToken, { nonce: 'not-the-nonce-you-sent' }, realJwk);
    case 'wrong-iss':
      return resign(idToken, { iss: 'https://idp.evil.test' }, realJwk);
    default:
      return idToken;
  }
}

const server = http.createServer();
await new Promise((resolve) => server.listen(port, HOST, resolve));
const issuer = `http://${HOST}:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [realJwk] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // Scope claims in the ID token too (the portal reads the ID token, not /userinfo).
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  // PKCE is required for every client (the default); the portal sends S256.
  pkce: { required: () => true },
  // A first-party test client: no consent screen, only the sign-in form.
  async loadExistingGrant(ctx) {
    const grantId =
      ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  async findAccount(ctx, id) {
    const email = String(id).trim().toLowerCase();
    if (!email.includes('@')) return undefined;
    return {
      accountId: email,
      async claims() {
        return { sub: email, email, email_verified: true, name: email.split('@')[0] };
      },
    };
  },
});

provider.use(async (ctx, next) => {
  if (ctx.path === '/__test__/mode' && ctx.method === 'POST') {
    mode = ctx.query.set || '';
    ctx.body = { mode };
    return;
  }
  await next();
  if (ctx.path === '/token' && mode && ctx.body && ctx.body.id_token) {
    ctx.body = { ...ctx.body, id_token: await badToken(ctx.body.id_token) };
  }
});

server.on('request', provider.callback());
console.log(JSON.stringify({ issuer, client_id: clientId, client_secret: clientSecret }));

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
