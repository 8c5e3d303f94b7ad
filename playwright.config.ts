import { defineConfig } from '@playwright/test';

/**
 * e2e: the real renderer in Debian's Chromium against `npm run serve` (real core, real engine in a worker
 * thread, tiny test model). Never downloads browsers. One worker: the suite shares one serve and 2 cores.
 */
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  timeout: 90_000,
  expect: { timeout: 30_000 },
  workers: 1,
  fullyParallel: false,
  // On CI one retry: the suite drives a real engine on a shared 2-core machine, where a timing race in a
  // test is possible; a retried pass is reported as "flaky" (and fixed), a real defect fails both tries.
  retries: process.env.CI ? 1 : 0,
  reporter: [['list']],
  outputDir: 'test-results',
  globalSetup: './e2e/globalSetup.ts',
  use: {
    viewport: { width: 1440, height: 900 },
    launchOptions: {
      executablePath: process.env.ATELIER_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    },
    screenshot: 'only-on-failure',
    trace: 'off',
  },
});
