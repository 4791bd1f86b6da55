// Credentials inside URLs (http://user:password@host, ?api_key=…) never reach the terminal, a log
// or a trace: the proxy keeps using the real URL, everything printed goes through here.
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi;
const SECRET_QUERY = /([?&](?:api[_-]?key|key|token|access[_-]?token|auth|password|secret)=)[^&#\s"']+/gi;

export const REDACTED_CREDENTIALS = "<redacted>";

/** Any text with the credentials of the URLs in it replaced. */
export function redactUrls(text: string): string {
  return text.replace(USERINFO, `$1${REDACTED_CREDENTIALS}@`).replace(SECRET_QUERY, `$1${REDACTED_CREDENTIALS}`);
}
