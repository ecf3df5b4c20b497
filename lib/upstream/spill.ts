import { randomUUID } from "node:crypto";
import { open, unlink, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * The bytes all spill files of one router's backend client hold at once, bounded
 * (`upstream.spillTotal`): a file that would pass it takes no more, and its answer waits for
 * its browser instead.
 */
export class SpillBudget {
  private used = 0;

  constructor(private readonly total: number) {}

  reserve(bytes: number): boolean {
    if (this.used + bytes > this.total) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.used -= bytes;
  }
}

/**
 * The part of a backend answer the browser has not taken yet, in a temporary file: nginx's
 * `proxy_temp_path`. The file is unlinked as soon as it is open, so nothing is left behind
 * when the process ends. Bytes come out in the order they went in: writes and reads run one
 * after another, in the order they were asked for. The first I/O error is reported once, to
 * `onError`, and the file is closed. `onWritten` hears of each write that reached the file.
 */
export class Spill {
  private readonly file: Promise<FileHandle | undefined>;
  /** The last write or read, or the opening: each operation waits for the ones before it. */
  private tail: Promise<unknown>;
  private written = 0;
  private read = 0;
  private writing = 0;
  private closed = false;

  constructor(
    private readonly budget: SpillBudget,
    private readonly events: { onError: (error: Error) => void; onWritten: () => void },
  ) {
    this.file = openUnlinked().catch((error: Error) => this.fail(error));
    this.tail = this.file;
  }

  /** Bytes appended and not yet taken. */
  get pending(): number {
    return this.written - this.read;
  }

  /** The file's length: what it holds, taken or not, until it is drained and starts over. */
  get size(): number {
    return this.written;
  }

  /** Bytes appended whose write has not reached the file yet: they wait in memory. */
  get queued(): number {
    return this.writing;
  }

  /** Appends `chunk`; false, appending nothing, when the budget cannot take it. */
  append(chunk: Buffer): boolean {
    if (this.closed || !this.budget.reserve(chunk.length)) return false;
    const at = this.written;
    this.written += chunk.length;
    this.writing += chunk.length;
    this.tail = this.tail.then(async () => {
      const file = await this.file;
      if (file !== undefined && !this.closed)
        await file.write(chunk, 0, chunk.length, at).catch((error: Error) => this.fail(error));
      this.writing -= chunk.length;
      if (!this.closed) this.events.onWritten();
    });
    return true;
  }

  /** The next `max` bytes at most; empty once closed. */
  take(max: number): Promise<Buffer> {
    const length = Math.min(max, this.pending);
    const at = this.read;
    this.read += length;
    const drained = this.pending === 0;
    if (drained) {
      // Drained: the file is emptied and the next bytes are written from its start, so it
      // never holds more than one stall leaves in it. The read and the emptying are queued
      // before those writes.
      this.budget.release(this.written);
      this.written = 0;
      this.read = 0;
    }
    const taken = this.tail.then(async () => {
      const file = await this.file;
      if (file === undefined || this.closed) return Buffer.alloc(0);
      const chunk = Buffer.allocUnsafe(length);
      const { bytesRead } = await file
        .read(chunk, 0, length, at)
        .catch((error: Error) => (this.fail(error), { bytesRead: 0 }));
      if (drained) await file.truncate(0).catch((error: Error) => this.fail(error));
      return chunk.subarray(0, bytesRead);
    });
    this.tail = taken;
    return taken;
  }

  /** Closes the file once the operations before it are done; again, it does nothing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.budget.release(this.written);
    void this.tail.then(async () => (await this.file)?.close()).catch(() => undefined);
  }

  private fail(error: Error): undefined {
    if (!this.closed) {
      this.close();
      this.events.onError(error);
    }
    return undefined;
  }
}

async function openUnlinked(): Promise<FileHandle> {
  const name = path.join(tmpdir(), `bff-session-spill-${randomUUID()}`);
  const file = await open(name, "wx+", 0o600);
  await unlink(name);
  return file;
}
