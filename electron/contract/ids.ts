import { z } from 'zod';

/** Images are stored by content: the id is the SHA-256 of the PNG. Leaf module (no contract imports). */
export const ImageIdSchema = z.string().regex(/^[0-9a-f]{64}$/, 'image id must be a sha256 hex digest');
