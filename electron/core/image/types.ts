/** Core's name for the shared pixel containers (defined once in shared/image/pixels.ts, which the renderer also uses). */
export * from '../../shared/image/pixels.js';
