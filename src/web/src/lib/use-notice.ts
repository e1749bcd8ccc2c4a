import { useState } from 'react';
import { useLocation } from 'react-router';

/** What a page hands the next one when it navigates, e.g. a detail page after its item is deleted. */
export interface NoticeLocationState {
  notice?: string;
}

/** The success line a page shows (e.g. above its list) until it is dismissed or replaced. */
export interface PageNotice {
  text: string | null;
  show: (text: string) => void;
  dismiss: () => void;
}

/** A page's notice; it starts with the one the previous page passed along ("Cluster x deleted."). */
export function useNotice(): PageNotice {
  const location = useLocation();
  const [text, setText] = useState<string | null>((location.state as NoticeLocationState | null)?.notice ?? null);
  return { text, show: setText, dismiss: () => setText(null) };
}
