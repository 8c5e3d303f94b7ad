/** Which execution providers to try, per platform, in order. Pure so it can be tested on any OS. */
export const PROVIDER_PREFERENCES = ['auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu'] as const;
export type ProviderPreference = (typeof PROVIDER_PREFERENCES)[number];

export function providerCandidates(pref: ProviderPreference, platform: NodeJS.Platform, arch: string): string[] {
  if (pref !== 'auto') return pref === 'cpu' ? ['cpu'] : [pref, 'cpu'];
  if (platform === 'win32') return ['dml', 'cpu'];
  if (platform === 'darwin') return ['coreml', 'cpu'];
  if (platform === 'linux' && arch === 'x64') return ['cuda', 'cpu'];
  return ['cpu'];
}

/** Names users read in the UI and in result metadata. */
export const PROVIDER_LABELS: Record<string, string> = {
  cpu: 'CPU',
  cuda: 'CUDA',
  dml: 'DirectML',
  coreml: 'CoreML',
  webgpu: 'WebGPU',
};
