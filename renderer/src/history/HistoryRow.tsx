import { memo } from 'react';
import type { HistoryEntry } from '../../../electron/contract/api.js';
import { api } from '../api/api.js';
import { controlText } from '../control/controlText.js';
import { HistoryIcon, type HistoryIconName } from './HistoryIcons.js';

export type RowAction = 'rerun' | 'settings' | 'init' | 'add' | 'favourite' | 'delete';

const ACTIONS: { action: RowAction; label: string; icon: HistoryIconName }[] = [
  { action: 'rerun', label: 'Re-run', icon: 'rerun' },
  { action: 'settings', label: 'Use settings', icon: 'settings' },
  { action: 'init', label: 'Use as init image', icon: 'init' },
  { action: 'add', label: 'Add to canvas', icon: 'add' },
  { action: 'favourite', label: 'Favourite', icon: 'star' },
  { action: 'delete', label: 'Delete', icon: 'trash' },
];

const clock = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const day = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
/** Today's entries by time, older ones by date (the row has room for one). */
const when = (t: number) => (new Date(t).toDateString() === new Date().toDateString() ? clock.format(t) : day.format(t));

/** The LoRAs an entry used, on the seed line (rows have a fixed height). */
const loraText = (e: HistoryEntry) => (e.settings?.loras?.length ? ` · LoRA ${e.settings.loras.map((l) => `${l.name} ${l.strength}`).join(', ')}` : '');

/** One image of the history: thumbnail, prompt, where it came from, and its actions (named for screen readers). */
export const HistoryRow = memo(function HistoryRow(props: { entry: HistoryEntry; top: number; height: number; busy: boolean; onAction(a: RowAction, e: HistoryEntry): void }) {
  const { entry: e, busy } = props;
  return (
    <li className="history-row" data-image-id={e.imageId} style={{ top: props.top, height: props.height }} title={`${e.prompt}\nseed ${e.seed} · ${e.mode}${e.model ? ` · ${e.model}` : ''}${controlText(e.settings?.controls)}`}
      onDoubleClick={() => props.onAction('add', e)}>
      <img className="thumb" src={api.thumbnailUrl(e.imageId)} alt="" loading="lazy" decoding="async" draggable={false} />
      <div className="meta">
        <span className="history-prompt">{e.prompt || '(no prompt)'}</span>
        <span className="sub">seed {e.seed}{e.model ? ` · ${e.model}` : ''}{loraText(e)}</span>
        <span className="sub when">{e.mode} · {e.width}×{e.height} · {when(e.createdAt)}{e.origin === 'live' ? ' · from live draft' : ''}{controlText(e.settings?.controls)}</span>
        <div className="history-actions-row" role="toolbar" aria-label="Entry actions">
          {ACTIONS.map(({ action, label, icon }) => {
            const fav = action === 'favourite';
            return (
              <button key={action} type="button" className={`icon-button${fav && e.favourite ? ' on' : ''}${action === 'delete' ? ' danger' : ''}`}
                aria-label={label} title={fav && e.favourite ? 'Remove from favourites' : label} aria-pressed={fav ? Boolean(e.favourite) : undefined}
                disabled={busy && action === 'rerun'} onClick={() => props.onAction(action, e)}>
                <HistoryIcon name={icon} filled={fav && e.favourite} />
              </button>
            );
          })}
        </div>
      </div>
    </li>
  );
});
