// What a RequestValidator read gives, or the error it throws: remembered reads are compared with a
// fresh validator's through it, so a refusal must equal a refusal too.
export function readOutcome(read: () => { request: unknown; body: unknown; chars: number; text(): string }) {
  try {
    const r = read();
    return { request: r.request, body: r.body, chars: r.chars, text: r.text() };
  } catch (e) {
    return { error: (e as Error).message };
  }
}
