// Live changes from Facteur (GET /api/live, server-sent events): one EventSource for the page, shared
// by every screen that listens. EventSource reconnects by itself; screens read again on `ready`.
import { useEffect, useRef, useState } from 'react';
import { withToken } from './api.ts';

export interface LiveChange {
  records?: number[];
  messages?: number[];
  topics?: string[];
  /** Too much changed to name: read everything again. */
  all?: boolean;
  /** The stream (re)connected: changes may have been missed meanwhile. */
  reconnected?: boolean;
}

type Listener = (change: LiveChange) => void;
const listeners = new Set<Listener>();
let source: EventSource | null = null;

export type LiveStatus = 'connecting' | 'connected' | 'reconnecting';
let status: LiveStatus = 'connecting';
const statusListeners = new Set<(status: LiveStatus) => void>();

function setStatus(next: LiveStatus): void {
  status = next;
  document.documentElement.dataset.live = next;
  statusListeners.forEach((listener) => listener(next));
}

/** Whether live updates flow, for the indicator in the top bar. */
export function useLiveStatus(): LiveStatus {
  const [current, setCurrent] = useState(status);
  useEffect(() => {
    statusListeners.add(setCurrent);
    return () => void statusListeners.delete(setCurrent);
  }, []);
  return current;
}

function open(): void {
  if (source) return;
  source = new EventSource(withToken('/api/live'));
  let connectedBefore = false;
  source.addEventListener('ready', () => {
    if (connectedBefore) listeners.forEach((listener) => listener({ reconnected: true, all: true }));
    connectedBefore = true;
    setStatus('connected');
  });
  source.addEventListener('change', (event) => {
    const change = JSON.parse((event as MessageEvent<string>).data) as LiveChange;
    listeners.forEach((listener) => listener(change));
  });
  source.addEventListener('error', () => {
    setStatus('reconnecting');
  });
}

export function closeLive(): void {
  source?.close();
  source = null;
}

/** Calls `listener` on every live change while the component is shown. */
export function useLive(listener: Listener): void {
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => {
    const forward: Listener = (change) => latest.current(change);
    listeners.add(forward);
    open();
    return () => void listeners.delete(forward);
  }, []);
}

/** True when the change concerns one of these topics (or everything). */
export function touches(change: LiveChange, topic: string): boolean {
  return Boolean(change.all || change.topics?.includes(topic));
}
