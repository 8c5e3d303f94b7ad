// Worker-thread bootstrap: lets the TypeScript entry run under tsx (serve) and vitest alike.
import { register } from 'tsx/esm/api';

register();
await import('./documentWorkerThread.ts');
