/** The dashboard's only way to the server: same-origin calls carrying the HttpOnly session cookie. */

/** A refused call: the HTTP status, the API's `message`, its stable `error` code and `details`. */
export class ApiError extends Error {
  constructor(status, message, code, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

const unauthorizedListeners = new Set();

/** Called when the session is gone (expired, key rotated): the app shows the sign-in page. */
export function onUnauthorized(listener) {
  unauthorizedListeners.add(listener);
}

async function apiRequest(method, path, body) {
  const response = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers:
      body === undefined
        ? { Accept: 'application/json' }
        : { Accept: 'application/json', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return handleResponse(response.status, await response.text(), path);
}

export const api = {
  get: (path) => apiRequest('GET', path),
  post: (path, body) => apiRequest('POST', path, body ?? {}),
  patch: (path, body) => apiRequest('PATCH', path, body),
  delete: (path) => apiRequest('DELETE', path),
};

/** Multipart upload through XMLHttpRequest, the one browser API that reports upload progress. */
export function uploadForm(path, formData, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', path);
    request.withCredentials = true;
    request.setRequestHeader('Accept', 'application/json');
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    request.addEventListener('load', () => {
      try {
        resolve(handleResponse(request.status, request.responseText, path));
      } catch (error) {
        reject(error);
      }
    });
    request.addEventListener('error', () => reject(new ApiError(0, networkMessage())));
    request.send(formData);
  });
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

function handleResponse(status, text, path) {
  const body = parseJson(text);
  if (status === 401 && !path.startsWith('/auth/')) unauthorizedListeners.forEach((listener) => listener());
  if (status >= 400 || status === 0)
    throw new ApiError(status, messageOf(body, status), body?.error, body?.details);
  return body;
}

function parseJson(text) {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The API explains failures in `message` (a string, or a list from validation). */
function messageOf(body, status) {
  const message = body?.message;
  if (Array.isArray(message)) return message.join('; ');
  if (typeof message === 'string' && message) return message;
  if (typeof body === 'string' && body && !body.startsWith('<')) return body;
  return `HTTP ${status}`;
}

function networkMessage() {
  return navigator.onLine === false ? 'No network connection' : 'The server did not answer';
}
