import type { ExportFormat } from '../../contract/api.js';

/**
 * What only a desktop host can do for the studio (native dialogs), injected into StudioBackend when it
 * is built, never patched onto its handler table afterwards. serve has none: Export writes into the data
 * folder and answers a download link; model import takes the path its local user typed.
 * Paths the renderer sends are never trusted where a host can ask the user instead.
 */
export interface HostCapabilities {
  /** Asks where to write an export (a save dialog); null when the user cancelled. */
  chooseExportPath?(name: string, format: ExportFormat): Promise<string | null>;
  /** Asks for a folder (model import); null when the user cancelled. */
  pickFolder?(title: string): Promise<string | null>;
}
