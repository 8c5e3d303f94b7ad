import { create } from 'zustand';

/**
 * The file being opened (Open a file…, or a .atelier/.psd/.ora dropped on the canvas): its steps as the core
 * reports them and the abort that cancels it. `ImportProgressDialog` shows it; null when nothing is importing.
 */
export interface ImportJob {
  fileName: string;
  /** `done` of `total` steps from the core's `import:progress`; null until the file has reached it. */
  progress: { done: number; total: number } | null;
  abort: AbortController;
}

export const useImportJob = create<{ job: ImportJob | null }>(() => ({ job: null }));

/** Files that open as a document of their own when dropped (images become layers instead). */
export function opensAsDocument(fileName: string): boolean {
  return /\.(atelier|psd|ora)$/i.test(fileName);
}
