// Checks a darwin-arm64 executable without a Mac: its Mach-O header and load commands, and its
// ad-hoc code signature, recomputing every CodeDirectory page hash. macOS kills an arm64 binary
// whose signature does not match its bytes, so the release refuses one that would not run.
// Layouts: <mach-o/loader.h>, and the CodeDirectory of xnu's osfmk/kern/cs_blobs.h.
import { createHash } from "node:crypto";

const MH_MAGIC_64 = 0xfeedfacf;
const CPU_TYPE_ARM64 = 0x0100000c;
const MH_EXECUTE = 2;
const MH_PIE = 0x200000;
const LC_SEGMENT_64 = 0x19;
const LC_CODE_SIGNATURE = 0x1d;
const CSMAGIC_EMBEDDED_SIGNATURE = 0xfade0cc0;
const CSMAGIC_CODEDIRECTORY = 0xfade0c02;
const CSSLOT_CODEDIRECTORY = 0;
const CS_ADHOC = 0x2;
const CS_HASHTYPE_SHA256 = 2;
const CS_SUPPORTSEXECSEG = 0x20400;
const CS_EXECSEG_MAIN_BINARY = 0x1;

export interface Segment {
  name: string;
  fileoff: number;
  filesize: number;
}

export interface MachOReport {
  problems: string[];
  segments: Segment[];
  /** Code pages whose hash was recomputed and compared. */
  pagesChecked: number;
}

export function verifyDarwinArm64(bytes: Uint8Array): MachOReport {
  const problems: string[] = [];
  const segments: Segment[] = [];
  const report = { problems, segments, pagesChecked: 0 };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = bytes.byteLength;
  if (size < 32 || view.getUint32(0, true) !== MH_MAGIC_64) return (problems.push("not a 64-bit Mach-O file (bad magic)"), report);
  if (view.getUint32(4, true) !== CPU_TYPE_ARM64) problems.push(`CPU type ${hex(view.getUint32(4, true))} is not arm64`);
  if (view.getUint32(12, true) !== MH_EXECUTE) problems.push(`file type ${view.getUint32(12, true)} is not an executable`);
  if (!(view.getUint32(24, true) & MH_PIE)) problems.push("not position-independent (MH_PIE missing)");
  const ncmds = view.getUint32(16, true);
  const sizeofcmds = view.getUint32(20, true);
  if (32 + sizeofcmds > size) return (problems.push("load commands run past the end of the file"), report);

  let signature: { dataoff: number; datasize: number } | undefined;
  for (let i = 0, off = 32; i < ncmds; i++) {
    if (off + 8 > 32 + sizeofcmds) return (problems.push(`load command ${i} lies outside sizeofcmds`), report);
    const cmd = view.getUint32(off, true);
    const cmdsize = view.getUint32(off + 4, true);
    if (cmdsize < 8 || cmdsize % 8 !== 0 || off + cmdsize > 32 + sizeofcmds) return (problems.push(`load command ${i} has a bad size ${cmdsize}`), report);
    if (cmd === LC_SEGMENT_64) {
      const name = new TextDecoder().decode(bytes.subarray(off + 8, off + 24)).replace(/\0+$/, "");
      const fileoff = Number(view.getBigUint64(off + 40, true));
      const filesize = Number(view.getBigUint64(off + 48, true));
      if (fileoff + filesize > size) problems.push(`segment ${name} runs past the end of the file`);
      segments.push({ name, fileoff, filesize });
    } else if (cmd === LC_CODE_SIGNATURE) {
      signature = { dataoff: view.getUint32(off + 8, true), datasize: view.getUint32(off + 12, true) };
    }
    off += cmdsize;
  }
  const text = segments.find((s) => s.name === "__TEXT");
  const linkedit = segments.find((s) => s.name === "__LINKEDIT");
  if (!text || text.fileoff !== 0) problems.push("no __TEXT segment at offset 0");
  if (!segments.some((s) => s.name === "__BUN" && s.filesize > 0)) problems.push("no __BUN segment: the application is not embedded");
  if (!linkedit || linkedit.fileoff + linkedit.filesize !== size) problems.push("__LINKEDIT does not end at the end of the file (truncated or appended to)");
  if (!signature) return (problems.push("no LC_CODE_SIGNATURE: the binary is unsigned"), report);
  if (signature.dataoff + signature.datasize !== size) problems.push("the code signature does not end at the end of the file");
  if (linkedit && signature.dataoff < linkedit.fileoff) problems.push("the code signature lies outside __LINKEDIT");
  if (signature.dataoff + signature.datasize > size) return report;

  const sb = signature.dataoff;
  const be = (at: number) => view.getUint32(at, false);
  if (be(sb) !== CSMAGIC_EMBEDDED_SIGNATURE) return (problems.push("the code signature is not an embedded-signature SuperBlob"), report);
  const count = be(sb + 8);
  let cd: number | undefined;
  const blobs: { type: number; at: number; length: number }[] = [];
  for (let i = 0; i < count; i++) {
    const type = be(sb + 12 + i * 8);
    const at = sb + be(sb + 16 + i * 8);
    if (at + 8 > sb + signature.datasize) return (problems.push(`signature blob ${i} lies outside the signature`), report);
    blobs.push({ type, at, length: be(at + 4) });
    if (type === CSSLOT_CODEDIRECTORY) cd = at;
  }
  if (cd === undefined || be(cd) !== CSMAGIC_CODEDIRECTORY) return (problems.push("no CodeDirectory in the signature"), report);
  const version = be(cd + 8);
  const flags = be(cd + 12);
  const hashOffset = be(cd + 16);
  const nSpecialSlots = be(cd + 24);
  const nCodeSlots = be(cd + 28);
  const codeLimit = be(cd + 32);
  const hashSize = bytes[cd + 36]!;
  const hashType = bytes[cd + 37]!;
  const pageSize = 2 ** bytes[cd + 39]!;
  if (!(flags & CS_ADHOC)) problems.push("the signature is not ad-hoc (CS_ADHOC missing)");
  if (hashType !== CS_HASHTYPE_SHA256 || hashSize !== 32) return (problems.push(`hash type ${hashType} (size ${hashSize}) is not SHA-256`), report);
  if (codeLimit !== signature.dataoff) problems.push(`codeLimit ${codeLimit} is not where the signature starts (${signature.dataoff})`);
  if (nCodeSlots !== Math.ceil(codeLimit / pageSize)) problems.push(`${nCodeSlots} code slots do not cover ${codeLimit} bytes in ${pageSize}-byte pages`);
  if (version >= CS_SUPPORTSEXECSEG && text) {
    const execSegLimit = Number(view.getBigUint64(cd + 72, false));
    const execSegFlags = Number(view.getBigUint64(cd + 80, false));
    if (execSegLimit !== text.filesize) problems.push(`execSegLimit ${execSegLimit} is not the __TEXT size ${text.filesize}`);
    if (!(execSegFlags & CS_EXECSEG_MAIN_BINARY)) problems.push("execSegFlags lack CS_EXECSEG_MAIN_BINARY");
  }
  const slots = cd + hashOffset;
  const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest();
  const mismatched: number[] = [];
  for (let page = 0; page < nCodeSlots; page++) {
    const start = page * pageSize;
    const want = bytes.subarray(slots + page * hashSize, slots + (page + 1) * hashSize);
    if (!sha256(bytes.subarray(start, Math.min(start + pageSize, codeLimit))).equals(want)) mismatched.push(page);
  }
  report.pagesChecked = nCodeSlots;
  if (mismatched.length) problems.push(`${mismatched.length} code page hash(es) do not match, first at byte ${mismatched[0]! * pageSize}`);
  // Special slots hash the other blobs (requirements, entitlements…), stored at negative indices.
  for (const blob of blobs) {
    if (blob.type === CSSLOT_CODEDIRECTORY || blob.type > nSpecialSlots) continue;
    const want = bytes.subarray(slots - blob.type * hashSize, slots - (blob.type - 1) * hashSize);
    if (!sha256(bytes.subarray(blob.at, blob.at + blob.length)).equals(want)) problems.push(`special slot ${blob.type} hash does not match its blob`);
  }
  return report;
}

const hex = (n: number) => `0x${n.toString(16)}`;
