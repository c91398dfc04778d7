// Loads a value now and again every `intervalMs` while the component is mounted; the
// last error is kept beside the last value, so a failed refresh does not blank the page.
import { useEffect, useRef, useState } from 'react';

export function usePolling<T>(load: () => Promise<T>, intervalMs: number, deps: unknown[]) {
  const [state, setState] = useState<{ value?: T; error?: Error; loading: boolean }>({ loading: true });
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let alive = true;
    const tick = () =>
      loadRef.current().then(
        value => alive && setState({ value, loading: false }),
        error => alive && setState(s => ({ value: s.value, error, loading: false })),
      );
    tick();
    const timer = setInterval(tick, intervalMs);
    return () => {
      alive = false;
      clearInterval(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [intervalMs, ...deps]);
  return state;
}
