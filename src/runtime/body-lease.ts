// A request body's buffer lent to the POSTs that send it (retries included), to be written again
// for a later body once none of them reads it any more. Under Node, node:http writes from the
// buffer given, and may still be writing when the answer comes (a server that answers before
// reading the whole body): the buffer goes back only when the exchange has settled and every POST
// has said it is done with the bytes (http-post.ts PostInit.bodyDone).

export class BodyLease {
  private held = 0;
  private settled = false;
  private returned = false;

  constructor(private readonly giveBack: () => void) {}

  /** One more POST of the body: what it calls, once or more, when it reads the bytes no more. */
  hold(): () => void {
    this.held++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.held--;
      this.check();
    };
  }

  /** No more POSTs of the body will be made. */
  settle(): void {
    this.settled = true;
    this.check();
  }

  private check(): void {
    if (!this.settled || this.held > 0 || this.returned) return;
    this.returned = true;
    this.giveBack();
  }
}
