import { z } from 'zod';
import { apiEvent, carries, channel, noArgs } from '../channel.js';

/**
 * Notices from the core that the user must see once: a damaged history moved aside (and how many entries
 * came back), a rebuilt search index, jobs interrupted last time, unreadable settings. Both hosts keep
 * them until dismissed; the app lists them at start and hears of later ones by event.
 */

export interface AppNotice {
  id: string;
  message: string;
}

export const noticeChannels = {
  'notices:list': channel({
    method: 'listNotices',
    request: z.object({}).strict(),
    response: carries<{ notices: AppNotice[] }>(),
    args: noArgs,
  }),
  /** Dismissed for every window and client of this host: a reload does not show it again. */
  'notices:dismiss': channel({
    method: 'dismissNotice',
    request: z.object({ id: z.string().regex(/^notice-\d{1,9}$/) }).strict(),
    response: carries<{ dismissed: boolean }>(),
    args: (id: string) => ({ id }),
  }),
};

export const noticeEvents = {
  'notices:added': apiEvent('onNotice', carries<AppNotice>()),
};
