import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.js';
import { MaskBitmap } from './canvas/maskBitmap.js';
import { setPaintSurface } from './state/paintSurfaceRegistry.js';
import { canvasStrokes } from './canvas/colourStrokes.js';
import { setStrokePainter } from './tools/paint/strokePainter.js';
import './app/styles.css';

setPaintSurface(new MaskBitmap(512, 512));
setStrokePainter(canvasStrokes);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
