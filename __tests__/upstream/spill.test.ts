/**
 * The spill file keeps what a browser has not taken yet of a larger answer: bytes come out in
 * the order they went in, whatever the interleaving of writes and reads; the file is unlinked
 * at once, starts over when drained, and reports its first I/O error once.
 */
import { readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { Spill } from "../../lib/upstream/spill.js";

const spillFiles = () =>
  readdirSync(tmpdir()).filter((name) => name.startsWith("bff-session-spill-"));
const text = (buffers: Buffer[]) => Buffer.concat(buffers).toString();

it("gives the bytes back in the order they were appended, across reads of any size", async () => {
  const spill = new Spill(() => {
    throw new Error("no error expected");
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
  const spill = new Spill(() => {});
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
  const spill = new Spill(() => {});
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
  const spill = new Spill(() => {});
  spill.append(Buffer.from("x"));
  expect((await spill.take(1)).toString()).toBe("x");
  expect(spillFiles()).toHaveLength(before);
  spill.close();
});

it("once closed, takes nothing and appends nothing", async () => {
  const spill = new Spill(() => {});
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
  const spill = new Failing!((error) => errors.push(error));
  spill.append(Buffer.from("abc"));
  expect((await spill.take(3)).length).toBe(0);
  spill.append(Buffer.from("def"));
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatchObject({ code: "ENOSPC" });
});
