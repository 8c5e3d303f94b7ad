import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['electron/**/*.test.ts', 'bench/**/*.test.ts', 'renderer/**/*.test.ts', 'renderer/**/*.test.tsx', 'native-models/**/*.test.ts'],
    // ORT sessions and model files make some integration tests take seconds on 2 cores.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Tests (and the CLI/serve processes they start) may pick the tiny test models by name.
    env: { ATELIER_DEV_MODELS: '1' },
  },
});
