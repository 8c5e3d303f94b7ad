import { useShallow } from 'zustand/react/shallow';
import { useStore } from '../state/store.js';
import { cancelGeneration } from './generateFlow.js';

/** Live progress of the running job: step count, small preview, Cancel. Subscribes to job fields only. */
export function ProgressBar() {
  const job = useStore(useShallow((s) => (s.job ? { done: s.job.done, total: s.job.total, previewUrl: s.job.previewUrl, cancelling: s.job.cancelling, mode: s.job.mode, label: s.job.label, started: s.job.jobId !== null, stepped: s.job.stepped ?? false } : null)));
  const notice = useStore((s) => s.notice);
  if (!job) return <div className="progress idle" aria-live="polite">{notice ?? 'Ready'}</div>;
  const pct = job.total && job.stepped ? Math.round((job.done / job.total) * 100) : 0;
  return (
    <div className="progress" aria-live="polite">
      {job.previewUrl ? <img className="preview" src={job.previewUrl} alt="Step preview" /> : <div className="preview empty" />}
      <div className="bar-wrap">
        <div className="bar-label">{phaseLabel(job)}</div>
        <div className="bar" role="progressbar" aria-label="Generation progress" aria-valuemin={0} aria-valuemax={job.total} aria-valuenow={job.stepped ? job.done : 0}>
          <div className="fill" style={{ width: `${pct}%` }} />
        </div>
      </div>
      <button type="button" onClick={() => void cancelGeneration()} disabled={job.cancelling}>Cancel</button>
    </div>
  );
}

/**
 * What the job is doing: uploading, then loading the model and encoding (no step yet: a cold model takes
 * seconds here), the steps that really run (img2img runs fewer than asked), then decoding.
 */
function phaseLabel(job: { cancelling: boolean; started: boolean; stepped: boolean; done: number; total: number; label?: string; mode: string }): string {
  if (job.cancelling) return 'Cancelling…';
  if (!job.started) return 'Preparing…';
  if (!job.stepped) return 'Loading model and encoding…';
  if (job.done >= job.total) return 'Decoding…';
  return `${job.label ?? `${job.mode} · step`} ${job.done} of ${job.total}`;
}
