/**
 * The spill file keeps what a browser has not taken yet of a larger answer: bytes come out in
 * the order they went in, whatever the interleaving of writes and reads; the file is unlinked
 * at once, starts over when drained, and reports its first I/O error once.
 */
import { readdirSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { Spill, SpillBudget } from "../../lib/upstream/spill.js";

const spillFiles = () =>
  readdirSync(tmpdir()).filter((name) => name.startsWith("bff-session-spill-"));
const text = (buffers: Buffer[]) => Buffer.concat(buffers).toString();
const quiet = { onError: () => {}, onWritten: () => {} };

it("gives the bytes back in the order they were appended, across reads of any size", async () => {
  const spill = new Spill(new SpillBudget(1024), {
    onError: () => {
      throw new Error("no error expected");
    },
    onWritten: () => {},
  });
  spill.append(Buffer.from("abc"));
  spill.append(Buffer.from("defg"));
  expect(spill.pending).toBe(7);
  const taken = [await spill.take(2), await spill.take(4)];
  spill.append(Buffer.from("hij"));
  taken.push(await spill.take(100));
  expect(text(taken)).toBe("abcdefghij");
  expect(spill.pending).toBe(0);
  spill.close();
});

it("keeps the order when appends and takes are asked for without waiting", async () => {
  const spill = new Spill(new SpillBudget(1 << 20), quiet);
  const out: Promise<Buffer>[] = [];
  for (let i = 0; i < 50; i++) {
    spill.append(Buffer.from(`${i},`));
    if (i % 7 === 0) out.push(spill.take(5));
  }
  out.push(spill.take(1000));
  const expected = Array.from({ length: 50 }, (_, i) => `${i},`).join("");
  expect(text(await Promise.all(out))).toBe(expected);
  spill.close();
});

it("starts over from the beginning of the file once drained, without mixing old and new bytes", async () => {
  const spill = new Spill(new SpillBudget(1 << 20), quiet);
  spill.append(Buffer.from("first"));
  const first = spill.take(5);
  spill.append(Buffer.from("SECOND"));
  expect(spill.pending).toBe(6);
  expect((await first).toString()).toBe("first");
  expect((await spill.take(6)).toString()).toBe("SECOND");
  spill.close();
});

it("leaves no file in the temporary directory, even while open", async () => {
  const before = spillFiles().length;
  const spill = new Spill(new SpillBudget(1 << 20), quiet);
  spill.append(Buffer.from("x"));
  expect((await spill.take(1)).toString()).toBe("x");
  expect(spillFiles()).toHaveLength(before);
  spill.close();
});

it("once closed, takes nothing and appends nothing", async () => {
  const spill = new Spill(new SpillBudget(1 << 20), quiet);
  spill.append(Buffer.from("abc"));
  spill.close();
  spill.close();
  expect((await spill.take(3)).length).toBe(0);
  spill.append(Buffer.from("def"));
  expect((await spill.take(3)).length).toBe(0);
});

it("reports a file that cannot be opened once, and then takes nothing", async () => {
  const errors: Error[] = [];
  let Failing: typeof Spill | undefined;
  await jest.isolateModulesAsync(async () => {
    jest.doMock("node:fs/promises", () => ({
      ...jest.requireActual("node:fs/promises"),
      open: () => Promise.reject(Object.assign(new Error("no space left"), { code: "ENOSPC" })),
    }));
    ({ Spill: Failing } = await import("../../lib/upstream/spill.js"));
  });
  const spill = new Failing!(new SpillBudget(1024), {
    onError: (error) => void errors.push(error),
    onWritten: () => {},
  });
  spill.append(Buffer.from("abc"));
  expect((await spill.take(3)).length).toBe(0);
  spill.append(Buffer.from("def"));
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatchObject({ code: "ENOSPC" });
});

it("takes nothing past its budget, and gives the budget back when drained or closed", async () => {
  const budget = new SpillBudget(10);
  const a = new Spill(budget, quiet);
  const b = new Spill(budget, quiet);
  expect(a.append(Buffer.from("123456"))).toBe(true);
  expect(b.append(Buffer.from("12345"))).toBe(false);
  expect(b.append(Buffer.from("1234"))).toBe(true);
  expect(a.append(Buffer.from("1"))).toBe(false);
  expect((await a.take(6)).toString()).toBe("123456");
  expect(b.append(Buffer.from("abcdef"))).toBe(true);
  b.close();
  expect(a.append(Buffer.from("x".repeat(10)))).toBe(true);
  a.close();
});

it("counts what waits in memory for the disk, and says when each write reached it", async () => {
  let written = 0;
  const spill = new Spill(new SpillBudget(1 << 20), {
    onError: () => {},
    onWritten: () => written++,
  });
  spill.append(Buffer.alloc(1000));
  spill.append(Buffer.alloc(24));
  expect(spill.queued).toBe(1024);
  expect(spill.size).toBe(1024);
  await spill.take(1);
  expect(spill.queued).toBe(0);
  expect(written).toBe(2);
  expect(spill.size).toBe(1024);
  spill.close();
});

it("empties the file on disk when drained, so it holds no more than its budget says", async () => {
  const spill = new Spill(new SpillBudget(1 << 20), quiet);
  const lengthOnDisk = async () => {
    const file = await (spill as unknown as { file: Promise<FileHandle> }).file;
    return (await file.stat()).size;
  };
  spill.append(Buffer.alloc(4096, 1));
  await spill.take(4096);
  expect(await lengthOnDisk()).toBe(0);
  spill.append(Buffer.alloc(100, 2));
  await spill.take(10);
  expect(await lengthOnDisk()).toBe(100);
  spill.close();
});
