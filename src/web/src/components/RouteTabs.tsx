import type { KeyboardEvent, ReactNode } from 'react';
import { useId } from 'react';
import { Link, useMatch, useResolvedPath } from 'react-router';

export interface RouteTab {
  /** Relative to the page's route: '' for the first tab, 'events', … */
  to: string;
  label: string;
}

export interface RouteTabsProps {
  /** The tab list's accessible name: "Instance sections". */
  label: string;
  tabs: readonly RouteTab[];
  /** The selected tab's content (the page's <Outlet/>). */
  children: ReactNode;
}

/**
 * Tabs that are links: each tab has its own URL (a child route), so a reload or a shared link keeps
 * it. WAI-ARIA tabs: role tablist / tab / tabpanel, arrow keys move between tabs.
 */
export function RouteTabs({ label, tabs, children }: RouteTabsProps) {
  const id = useId();
  const base = useResolvedPath('.').pathname.replace(/\/$/, '');
  const tabPaths = tabs.map((tab) => (tab.to ? `${base}/${tab.to}` : base));
  // The first tab is the page's own path (end match); the others match their path and below.
  const rest = useMatch(`${base}/:tab/*`)?.params.tab;
  const selected = Math.max(0, rest ? tabs.findIndex((tab) => tab.to === rest) : 0);
  const tabId = (index: number) => `${id}-tab-${index}`;

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const keys: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1 };
    const step = keys[event.key];
    if (step === undefined) return;
    const links = [...event.currentTarget.querySelectorAll<HTMLAnchorElement>('[role="tab"]')];
    const at = links.indexOf(document.activeElement as HTMLAnchorElement);
    links[(at + step + links.length) % links.length]?.focus();
    event.preventDefault();
  };

  return (
    <div className="route-tabs">
      <div className="tabs" role="tablist" aria-label={label} onKeyDown={onKeyDown}>
        {tabs.map((tab, index) => (
          <Link
            key={tab.to}
            id={tabId(index)}
            to={tabPaths[index] ?? base}
            role="tab"
            className="tab"
            aria-selected={index === selected}
            aria-controls={`${id}-panel`}
            aria-current={index === selected ? 'page' : undefined}
            tabIndex={index === selected ? 0 : -1}
          >
            {tab.label}
          </Link>
        ))}
      </div>
      <div id={`${id}-panel`} role="tabpanel" aria-labelledby={tabId(selected)} className="tab-panel">
        {children}
      </div>
    </div>
  );
}
