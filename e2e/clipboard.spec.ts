import { expect, generateAndWait, layerItems, openApp, test } from './fixtures.js';

test('Copy layer puts the layer pixels on the clipboard as a PNG; its thumbnail drags out as a file', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openApp(page);
  await generateAndWait(page, 'a red apple', 1);
  await layerItems(page).first().click();
  await page.getByRole('button', { name: 'Copy layer' }).click();
  // Generated layers are named "prompt · seed N".
  await expect(page.getByText(/^Copied "a red apple · seed \d+" to the clipboard$/)).toBeVisible();

  // Read the clipboard back and compare its pixels with the layer's stored image.
  // In-page code as a string: this file is type-checked for Node, without the DOM library.
  const same = await page.evaluate(`(async () => {
    const items = await navigator.clipboard.read();
    const item = items.find((i) => i.types.includes('image/png'));
    if (!item) return { error: 'no image/png on the clipboard: ' + items.map((i) => i.types.join(',')).join(' ') };
    const clip = await createImageBitmap(await item.getType('image/png'));
    const thumb = document.querySelector('[aria-label="Layers"] img.thumb');
    const stored = await createImageBitmap(await (await fetch(thumb.src)).blob());
    const pixels = (bmp) => {
      const c = new OffscreenCanvas(bmp.width, bmp.height);
      const g = c.getContext('2d');
      g.drawImage(bmp, 0, 0);
      return g.getImageData(0, 0, bmp.width, bmp.height).data;
    };
    const a = pixels(clip);
    const b = pixels(stored);
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    return { width: clip.width, height: clip.height, maxDiff, sameLength: a.length === b.length };
  })()`);
  expect(same).toEqual({ width: 128, height: 128, maxDiff: 0, sameLength: true });

  // Drag-out: the thumbnail is draggable and offers the PNG as a file (Chromium's DownloadURL type).
  const offered = (await page.evaluate(`(() => {
    const thumb = document.querySelector('[aria-label="Layers"] img.thumb');
    const data = new DataTransfer();
    thumb.dispatchEvent(new DragEvent('dragstart', { bubbles: true, dataTransfer: data }));
    return { draggable: thumb.draggable, downloadUrl: data.getData('DownloadURL') };
  })()`)) as { draggable: boolean; downloadUrl: string };
  expect(offered.draggable).toBe(true);
  expect(offered.downloadUrl).toMatch(/^image\/png:a red apple · seed \d+\.png:http:\/\/127\.0\.0\.1:\d+\/images\/[0-9a-f]{64}\.png$/);
});
