// The Contracts' base URL: users give the server root (http://h:8000) or its OpenAI base
// (http://h:8000/v1); both are accepted. Health endpoints live at the root, the API under
// the OpenAI base.

import { InputError } from '../errors.js';

export interface BaseUrls {
  /** The server root, without a trailing slash: http://h:8000 or http://h:8000/prefix. */
  root: string;
  /** The OpenAI base, without a trailing slash: http://h:8000/v1. */
  openaiBase: string;
}

export function normalizeBaseUrl(url: string): BaseUrls {
  const given = url.trim();
  let parsed: URL;
  try {
    parsed = new URL(given);
  } catch {
    throw new InputError(`Unable to use base URL '${given}': it is not a URL. Check base_url (e.g. http://localhost:8000/v1).`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InputError(`Unable to use base URL '${given}': only http:// and https:// are supported. Check base_url.`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    // Never echo the URL here: it holds a credential.
    throw new InputError('Unable to use the base URL: it contains a user name or password. Put the key in api_key (or headers) instead.');
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    throw new InputError(`Unable to use base URL '${given}': a query string or fragment is not supported. Check base_url.`);
  }
  const path = parsed.pathname.replace(/\/+$/, '');
  const origin = parsed.origin;
  if (/\/v1$/.test(path)) {
    return { root: origin + path.slice(0, -3), openaiBase: origin + path };
  }
  return { root: origin + path, openaiBase: `${origin}${path}/v1` };
}
