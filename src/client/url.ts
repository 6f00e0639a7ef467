// The Contracts' base URL: users give the server root (http://h:8000) or its OpenAI base
// (http://h:8000/v1); both are accepted. Health endpoints live at the root, the API under
// the OpenAI base.
//
// A query string is kept for the API requests (Azure OpenAI needs `?api-version=…`; some
// gateways take `?api_key=…`) but is never shown: `root` and `openaiBase` are without it,
// and every message names the URL without query, fragment or user name (displayBaseUrl),
// because a message may end up in a log or a PR comment.

import { InputError } from '../errors.js';

export interface BaseUrls {
  /** The server root, without a trailing slash: http://h:8000 or http://h:8000/prefix. */
  root: string;
  /** The OpenAI base, without a trailing slash: http://h:8000/v1. */
  openaiBase: string;
  /** The base URL's query string for the API requests (`?api-version=…`), or ''. Never display it. */
  query: string;
}

/** A base URL fit to show: without user name, password, query string or fragment, whatever the input. */
export function displayBaseUrl(url: string): string {
  const given = url.trim();
  try {
    const parsed = new URL(given);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return parsed.href.replace(/\/+$/, '');
  } catch {
    // Not a URL: still cut at the first '?' or '#', and drop anything before an '@'.
    return given.replace(/[?#].*$/s, '').replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/]*@/i, '$1');
  }
}

export function normalizeBaseUrl(url: string): BaseUrls {
  const given = url.trim();
  const shown = displayBaseUrl(given);
  let parsed: URL;
  try {
    parsed = new URL(given);
  } catch {
    throw new InputError(`Unable to use base URL '${shown}': it is not a URL. Check base_url (e.g. http://localhost:8000/v1).`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new InputError(`Unable to use base URL '${shown}': only http:// and https:// are supported. Check base_url.`);
  }
  if (parsed.username !== '' || parsed.password !== '') {
    // Never echo the URL here: it holds a credential.
    throw new InputError('Unable to use the base URL: it contains a user name or password. Put the key in api_key (or headers) instead.');
  }
  if (parsed.hash !== '') {
    // A fragment is never sent to a server; a '#' there is most likely part of a query value.
    throw new InputError(`Unable to use base URL '${shown}': it has a fragment ('#…'), which is never sent to the server. Check base_url (write a '#' inside a query value as %23).`);
  }
  const path = parsed.pathname.replace(/\/+$/, '');
  const origin = parsed.origin;
  const query = parsed.search;
  if (/\/v1$/.test(path)) {
    return { root: origin + path.slice(0, -3), openaiBase: origin + path, query };
  }
  return { root: origin + path, openaiBase: `${origin}${path}/v1`, query };
}
