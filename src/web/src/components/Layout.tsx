import type { RefObject } from 'react';
import { useEffect, useRef, useState } from 'react';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { useLogout } from '../api/hooks';
import { useCurrentUser } from '../auth/current-user';
import { navItems } from '../navigation';
import { useTheme } from '../theme/theme';
import { Icon } from './Icon';

const NAV_ID = 'app-sidebar';

/**
 * Sidebar + header around every signed-in page. Under 900px the sidebar becomes an overlay
 * opened from the menu button in the top bar.
 */
export function Layout() {
  const [navOpen, setNavOpen] = useState(false);
  const location = useLocation();
  const menuButtonRef = useRef<HTMLButtonElement>(null);
  const closeButtonRef = useRef<HTMLButtonElement>(null);

  // Following a link closes the overlay menu.
  useEffect(() => setNavOpen(false), [location.pathname]);

  const closeNav = () => {
    setNavOpen(false);
    menuButtonRef.current?.focus();
  };

  useEffect(() => {
    if (!navOpen) return;
    closeButtonRef.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        setNavOpen(false);
        menuButtonRef.current?.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navOpen]);

  return (
    <div className={navOpen ? 'app-shell nav-open' : 'app-shell'}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside id={NAV_ID} className="sidebar">
        <div className="sidebar-brand">
          <Brand />
          <button ref={closeButtonRef} type="button" className="btn btn-icon btn-ghost sidebar-close" aria-label="Close menu" onClick={closeNav}>
            <Icon name="close" />
          </button>
        </div>
        <nav aria-label="Main">
          <ul className="nav-list">
            {navItems.map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.to === '/'} className="nav-link">
                  <Icon name={item.icon} />
                  <span>{item.label}</span>
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
      </aside>
      {navOpen && <div className="sidebar-backdrop" aria-hidden="true" onClick={closeNav} />}
      <div className="main-column">
        <Header menuButtonRef={menuButtonRef} navOpen={navOpen} onOpenNav={() => setNavOpen(true)} />
        <main id="main" className="main" tabIndex={-1}>
          <Outlet />
        </main>
      </div>
    </div>
  );
}

function Brand() {
  return (
    <span className="brand">
      <span className="brand-mark" aria-hidden="true">
        H
      </span>
      <span className="brand-name">H-MAS</span>
    </span>
  );
}

function Header({
  menuButtonRef,
  navOpen,
  onOpenNav,
}: {
  menuButtonRef: RefObject<HTMLButtonElement | null>;
  navOpen: boolean;
  onOpenNav: () => void;
}) {
  const user = useCurrentUser();
  const logout = useLogout();
  const navigate = useNavigate();
  const { theme, toggle } = useTheme();

  const onLogout = () => {
    logout.mutate(undefined, {
      // Leave the signed-in pages even if the request failed: the user asked to go.
      onSettled: () => void navigate('/login', { replace: true }),
    });
  };

  return (
    <header className="topbar">
      <button
        ref={menuButtonRef}
        type="button"
        className="btn btn-icon btn-ghost menu-button"
        aria-label="Menu"
        aria-controls={NAV_ID}
        aria-expanded={navOpen}
        onClick={onOpenNav}
      >
        <Icon name="menu" />
      </button>
      <span className="topbar-brand">
        <Brand />
      </span>
      <div className="topbar-spacer" />
      <div className="user-chip">
        <span className="avatar" aria-hidden="true">
          {initials(user.displayName || user.username)}
        </span>
        <span className="user-chip-text">
          <span className="user-chip-name" data-testid="current-user">
            {user.displayName || user.username}
          </span>
          <span className="user-chip-role" data-testid="current-role">
            {user.role}
          </span>
        </span>
      </div>
      <button
        type="button"
        className="btn btn-icon btn-ghost"
        aria-label="Dark mode"
        aria-pressed={theme === 'dark'}
        title={theme === 'dark' ? 'Switch to light mode' : 'Switch to dark mode'}
        onClick={toggle}
      >
        <Icon name={theme === 'dark' ? 'sun' : 'moon'} />
      </button>
      <button type="button" className="btn btn-ghost" aria-label="Log out" onClick={onLogout} disabled={logout.isPending}>
        <Icon name="logout" />
        <span className="hide-narrow">Log out</span>
      </button>
    </header>
  );
}

function initials(name: string): string {
  const parts = name.trim().split(/[\s._-]+/).filter(Boolean);
  const letters = parts.length > 1 ? (parts[0]?.[0] ?? '') + (parts[1]?.[0] ?? '') : name.slice(0, 2);
  return letters.toUpperCase();
}
