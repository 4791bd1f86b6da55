// A text delta built by the translator, the bulk of every stream. Its own fields, in this order, are all it
// has, so the SSE writer (server/sse-bytes.ts) writes its bytes around the text from constant bytes instead
// of stringifying the whole event: the same bytes. Events of any other origin go through JSON.stringify.
export class TextDeltaEvent {
  // `declare`: no class-field definitions, so the constructor alone sets the key order JSON.stringify sees.
  declare readonly type: "content_block_delta";
  declare readonly index: number;
  declare readonly delta: { readonly type: "text_delta"; readonly text: string };

  constructor(index: number, text: string) {
    this.type = "content_block_delta";
    this.index = index;
    this.delta = { type: "text_delta", text };
  }
}
