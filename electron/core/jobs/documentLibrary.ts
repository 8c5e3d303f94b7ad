import { readdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { AtelierDocument } from '../../contract/document.js';
import { DOCUMENT_FILE_EXTENSION as EXT } from '../document/documentFile.js';
import { inProcessDocuments, type DocumentRunner } from './documentWorker.js';

/**
 * Documents kept in the app's own folder (`<data>/documents/NAME.atelier`, the zip format of
 * document/documentFile.ts with its images inside), plus one recovery slot that autosave overwrites and a
 * Save clears. Names are validated by the contract; paths never come from the renderer. Writes are
 * atomic, so a crash or a full disk leaves the previous file intact. Packing and unpacking run on `work`
 * (a worker thread in the app and serve, see documentWorker.ts), in the order they were asked for.
 */
export class DocumentLibrary {
  /** The start-up sweep of orphaned temp files (resolves with how many it removed; never rejects). */
  readonly orphansRemoved: Promise<number>;

  constructor(
    private readonly dataDir: string,
    private readonly work: DocumentRunner = inProcessDocuments(dataDir),
  ) {
    this.orphansRemoved = this.removeOrphanedTemps().catch(() => 0);
  }

  /**
   * A save interrupted between writing its temp file and the rename (power loss, kill -9) leaves
   * `.NAME.atelier.<hex>.tmp` behind; the document itself is the previous complete file, and autosave
   * recovery covers the edits. Temps older than ten minutes (no save takes that long) are removed at start-up.
   */
  async removeOrphanedTemps(olderThanMs = 10 * 60_000): Promise<number> {
    let removed = 0;
    for (const folder of [this.folder, dirname(this.recoveryPath)]) {
      const names = await readdir(folder).catch(() => [] as string[]);
      for (const name of names) {
        if (!/^\..+\.[0-9a-f]{8,}\.tmp$/.test(name)) continue;
        const path = join(folder, name);
        const info = await stat(path).catch(() => undefined);
        if (!info?.isFile() || Date.now() - info.mtimeMs < olderThanMs) continue;
        await rm(path, { force: true }).then(() => removed++, () => undefined);
      }
    }
    return removed;
  }

  private get folder(): string {
    return join(this.dataDir, 'documents');
  }

  private get recoveryPath(): string {
    return join(this.dataDir, 'recovery', `autosave${EXT}`);
  }

  pathOf(name: string): string {
    return join(this.folder, name + EXT);
  }

  async list(): Promise<{ name: string; modifiedAt: number }[]> {
    let names: string[];
    try {
      names = await readdir(this.folder);
    } catch {
      return [];
    }
    const docs = await Promise.all(
      names.filter((n) => n.endsWith(EXT) && !n.startsWith('.')).map(async (n) => ({ name: n.slice(0, -EXT.length), modifiedAt: (await stat(join(this.folder, n))).mtimeMs })),
    );
    return docs.sort((a, b) => b.modifiedAt - a.modifiedAt);
  }

  async save(name: string, doc: AtelierDocument): Promise<void> {
    const requested = this.autosaveRequests;
    await this.writeTo(this.pathOf(name), doc);
    // Autosaves asked for before this save hold no newer edits, but one still being written would land
    // after the clear and be offered at the next start: clear once they are done. An autosave asked for
    // after the save began holds edits the file does not: recovery keeps it.
    while ((this.autosaveRun || this.autosaveNext) && this.autosaveRequests === requested) {
      await (this.autosaveNext?.done ?? this.autosaveRun)?.catch(() => undefined);
    }
    if (this.autosaveRequests === requested) await rm(this.recoveryPath, { force: true });
  }

  async open(name: string): Promise<AtelierDocument> {
    return this.readFrom(this.pathOf(name));
  }

  private autosaveRun: Promise<void> | undefined;
  private autosaveNext: { doc: AtelierDocument; done: Promise<void> } | undefined;
  private autosaveRequests = 0;

  /**
   * Writes the recovery slot. While one autosave is being written only the newest request waits behind
   * it (the ones it replaces resolve with it): a slow disk never builds a queue of stale snapshots.
   */
  autosave(doc: AtelierDocument): Promise<void> {
    this.autosaveRequests++;
    if (!this.autosaveRun) return this.startAutosave(doc);
    if (this.autosaveNext) {
      this.autosaveNext.doc = doc;
      return this.autosaveNext.done;
    }
    const next = { doc, done: Promise.resolve() };
    next.done = this.autosaveRun.catch(() => undefined).then(() => {
      this.autosaveNext = undefined;
      return this.startAutosave(next.doc);
    });
    this.autosaveNext = next;
    return next.done;
  }

  private startAutosave(doc: AtelierDocument): Promise<void> {
    const run: Promise<void> = this.writeTo(this.recoveryPath, doc).finally(() => {
      if (this.autosaveRun === run) this.autosaveRun = undefined;
    });
    this.autosaveRun = run;
    return run;
  }

  /** The autosaved document left by a session that did not end with a save, if any. */
  async recover(discard: boolean): Promise<AtelierDocument | null> {
    if (discard) {
      await rm(this.recoveryPath, { force: true });
      return null;
    }
    try {
      await stat(this.recoveryPath);
    } catch {
      return null;
    }
    return this.readFrom(this.recoveryPath);
  }

  /** Packs the document with its images from the image store into an `.atelier` file at `path`. */
  async writeTo(path: string, doc: AtelierDocument): Promise<void> {
    await this.work.run({ kind: 'pack', path, document: doc });
  }

  /** Reads a file and puts its images into the image store, so the renderer can load them by URL. */
  async readFrom(path: string): Promise<AtelierDocument> {
    return (await this.work.run({ kind: 'unpack', path })).document;
  }
}
