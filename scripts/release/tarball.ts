// Release archives: a ustar stream written here (not by the system tar, whose flags differ between
// GNU and BSD) with fixed owner, group and mtime, gzipped without a timestamp, so the same inputs
// give the same bytes on any machine.
import { gzipSync } from "node:zlib";

export interface TarEntry {
  name: string;
  mode: number;
  body: Uint8Array;
}

const BLOCK = 512;

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, "0")}\0`;
}

function header(entry: TarEntry, mtime: number): Uint8Array {
  if (Buffer.byteLength(entry.name) > 100) throw new Error(`tar entry name too long: ${entry.name}`);
  const h = Buffer.alloc(BLOCK);
  h.write(entry.name, 0, "utf8");
  h.write(octal(entry.mode, 8), 100);
  h.write(octal(0, 8), 108); // uid
  h.write(octal(0, 8), 116); // gid
  h.write(octal(entry.body.byteLength, 12), 124);
  h.write(octal(mtime, 12), 136);
  h.write("        ", 148); // checksum field counts as spaces while summing
  h.write("0", 156); // regular file
  h.write("ustar\u000000", 257);
  h.write("root", 265);
  h.write("root", 297);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  return h;
}

export function tar(entries: TarEntry[], mtime = 0): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    parts.push(header(e, mtime), e.body);
    const pad = (BLOCK - (e.body.byteLength % BLOCK)) % BLOCK;
    if (pad) parts.push(new Uint8Array(pad));
  }
  parts.push(new Uint8Array(BLOCK * 2)); // end of archive
  return Buffer.concat(parts);
}

/** gzip's header holds no name and mtime 0 here. Level 6: level 9 takes 3x as long for 0.15% less. */
export function tarGz(entries: TarEntry[]): Uint8Array {
  const gz = gzipSync(tar(entries), { level: 6 });
  gz[9] = 3; // the OS byte: zlib writes the build machine's (19 on macOS); always "Unix"
  return gz;
}
