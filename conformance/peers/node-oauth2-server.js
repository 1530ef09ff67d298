// An independent OAuth 2.0 server for the conformance suite (docs/conformance.md "Peers"): the
// npm library @node-oauth/oauth2-server 5 (token endpoint, RFC 6750 bearer authentication) with
// the in-memory model it asks its users to write, behind Express 4. Only glue here: every
// protocol decision (methods, content types, client authentication, errors, challenges) is the
// library's, which is what the suite checks.
//   node node-oauth2-server.js PORT
'use strict';
const express = require('express');
const OAuth2Server = require('@node-oauth/oauth2-server');
const { Request, Response } = OAuth2Server;

const clients = {
  'conform-client': 'conform-secret-0001',
  'other-client': 'other-secret-0002',
  'sp:ec%ial&1+a b': 's3:c%&+ z-secret',
};
const publicClient = 'public-client';  // known, but not allowed client credentials
const tokens = new Map();  // access token -> saved token

const model = {
  async getClient(id, secret) {
    if (id === publicClient) return { id, grants: ['authorization_code'], redirectUris: [] };
    if (!(id in clients) || clients[id] !== secret) return false;
    return { id, grants: ['client_credentials'], accessTokenLifetime: 3600 };
  },
  async getUserFromClient(client) {
    return { id: `client:${client.id}` };
  },
  async validateScope(user, client, scope) {
    // Nothing asked: echo.read. Asked: each scope must be one the client may have.
    if (!scope || scope.length === 0) return ['echo.read'];
    return scope.every((s) => s === 'echo.read' || s === 'openid') ? scope : false;
  },
  async saveToken(token, client, user) {
    const saved = { ...token, client, user };
    tokens.set(token.accessToken, saved);
    return saved;
  },
  async getAccessToken(accessToken) {
    return tokens.get(accessToken) || false;
  },
  async verifyScope(token, scope) {
    return scope.every((s) => (token.scope || []).includes(s));
  },
};

const oauth = new OAuth2Server({ model, accessTokenLifetime: 3600 });
const app = express();
app.use(express.urlencoded({ extended: false }));

// The library's Response holds status, headers and body for successes and for the errors it
// raises after reading the request; errors raised before (method, content type) carry only
// code, name and message: answered the same way.
function answer(res, response, error) {
  res.set(response.headers);
  if (error) {
    res.status(error.code || 500);
    if (error.code === 401 && response.get('WWW-Authenticate') && !response.body?.error)
      return res.end();  // RFC 6750 §3.1: no error code when no credentials were sent
    return res.json(response.body && response.body.error ? response.body
      : { error: error.name, error_description: error.message });
  }
  res.status(response.status || 200).json(response.body);
}

app.all('/token', async (req, res) => {
  const response = new Response(res);
  try {
    await oauth.token(new Request(req), response);
    answer(res, response);
  } catch (e) {
    answer(res, response, e);
  }
});

function resource(scope) {
  return async (req, res) => {
    const response = new Response(res);
    try {
      await oauth.authenticate(new Request(req), response, { scope });
      res.set(response.headers).type('text/plain').send('hello');
    } catch (e) {
      answer(res, response, e);
    }
  };
}
app.all('/api/echo/hello', resource(['echo.read']));
app.all('/api/other/hello', resource(['other.write']));

const port = Number(process.argv[2] || 8090);
app.listen(port, '127.0.0.1', () => console.error(`node-oauth2-server peer on 127.0.0.1:${port}`));
