import { z } from 'zod';

/** Images are stored by content: the id is the SHA-256 of the PNG. Leaf module (no contract imports). */
export const ImageIdSchema = z.string().regex(/^[0-9a-f]{64}$/, 'image id must be a sha256 hex digest');

/** Job ids travel back in cancel requests: letters, digits, `_` and `-` only. */
export const JobIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
export const HistoryIdSchema = z.string().regex(/^[0-9a-f-]{1,64}$/, 'history id must be hex');
/** Installed model ids as the picker lists them. */
export const ModelIdSchema = z.string().min(1).max(200);
export const DocumentIdSchema = z.string().min(1).max(200);
