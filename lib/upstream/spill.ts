import { randomUUID } from "node:crypto";
import { open, unlink, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * The part of a backend answer the browser has not taken yet, in a temporary file: nginx's
 * `proxy_temp_path`. The file is unlinked as soon as it is open, so nothing is left behind
 * when the process ends. Bytes come out in the order they went in: writes and reads run one
 * after another, in the order they were asked for. The first I/O error is reported once, to `onError`, and the file is closed.
 */
export class Spill {
  private readonly file: Promise<FileHandle | undefined>;
  /** The last write or read, or the opening: each operation waits for the ones before it. */
  private tail: Promise<unknown>;
  private written = 0;
  private read = 0;
  private closed = false;

  constructor(private readonly onError: (error: Error) => void) {
    this.file = openUnlinked().catch((error: Error) => this.fail(error));
    this.tail = this.file;
  }

  /** Bytes appended and not yet taken. */
  get pending(): number {
    return this.written - this.read;
  }

  append(chunk: Buffer): void {
    if (this.closed) return;
    const at = this.written;
    this.written += chunk.length;
    this.tail = this.tail.then(async () => {
      const file = await this.file;
      if (file === undefined || this.closed) return;
      await file.write(chunk, 0, chunk.length, at).catch((error: Error) => this.fail(error));
    });
  }

  /** The next `max` bytes at most; empty once closed. */
  take(max: number): Promise<Buffer> {
    const length = Math.min(max, this.pending);
    const at = this.read;
    this.read += length;
    if (this.pending === 0) {
      // Drained: the next bytes are written from the start again, so the file never grows
      // past what one stall leaves in it. The read is queued before those writes.
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
      return chunk.subarray(0, bytesRead);
    });
    this.tail = taken;
    return taken;
  }

  /** Closes the file once the writes before it are done; again, it does nothing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    void this.tail.then(async () => (await this.file)?.close()).catch(() => undefined);
  }

  private fail(error: Error): undefined {
    if (!this.closed) {
      this.close();
      this.onError(error);
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
