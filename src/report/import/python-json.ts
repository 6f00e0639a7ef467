// Other tools write their results with Python's json module, which emits the bare tokens
// NaN, Infinity and -Infinity (not JSON) for float values like an empty run's mean; vLLM's
// --append-result writes one JSON object per line. JSON.parse accepts neither, so this
// reader turns the bare tokens outside strings into null and splits concatenated documents.

/** Replaces NaN / Infinity / -Infinity tokens that stand outside string literals with null. */
export function nullifyPythonFloats(text: string): string {
  let out = '';
  let i = 0;
  let last = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      // Skip the string literal, honouring escapes.
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    for (const token of ['-Infinity', 'Infinity', 'NaN']) {
      if (text.startsWith(token, i)) {
        out += text.slice(last, i) + 'null';
        i += token.length;
        last = i;
        break;
      }
    }
    i++;
  }
  return last === 0 ? text : out + text.slice(last);
}

/** Splits top-level JSON values written one after another (JSON Lines, or appended objects). */
function splitDocuments(text: string): string[] {
  const docs: string[] = [];
  let depth = 0;
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      continue;
    }
    if (c === '{' || c === '[') {
      if (depth === 0) start = i;
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0 && start >= 0) {
        docs.push(text.slice(start, i + 1));
        start = -1;
      }
    }
  }
  return docs;
}

/**
 * Parses a results file written by a Python tool: one JSON value, or several written one
 * after another. Throws SyntaxError (with JSON.parse's message) when it is not JSON.
 */
export function parsePythonJson(text: string): unknown[] {
  const cleaned = nullifyPythonFloats(text);
  try {
    return [JSON.parse(cleaned)];
  } catch (first) {
    const docs = splitDocuments(cleaned);
    if (docs.length < 2) throw first;
    return docs.map((d) => JSON.parse(d) as unknown);
  }
}
