// A real OpenID Connect provider (panva/oidc-provider) for the single sign-on tests.
// Tests only: never deployed. Listens on a free loopback port and prints one JSON line,
// {"issuer": "http://127.0.0.1:PORT"}, once it answers.
//
// Environment: PCPT_OIDC_CLIENT_ID, PCPT_OIDC_CLIENT_SECRET, PCPT_OIDC_REDIRECT_URI (the
// app's callback). Its people come from accounts.json beside this file; the provider's
// own development login and consent pages (devInteractions) take the login name.
import { readFileSync } from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';

const accounts = JSON.parse(readFileSync(new URL('./accounts.json', import.meta.url), 'utf8'));

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: process.env.PCPT_OIDC_CLIENT_ID,
      client_secret: process.env.PCPT_OIDC_CLIENT_SECRET,
      redirect_uris: [process.env.PCPT_OIDC_REDIRECT_URI],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // The claims go into the ID token itself, as many providers (Entra ID among them) do.
    conformIdTokenClaims: false,
    cookies: { keys: ['pcpt-test-provider-only'] },
    async findAccount(ctx, id) {
      const person = accounts[id];
      if (!person || id.startsWith('_')) return undefined;
      return { accountId: id, async claims() { return { sub: id, ...person }; } };
    },
  });
  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
