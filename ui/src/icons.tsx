// Small line icons drawn in SVG: emoji depend on the fonts of the machine (a server's Chromium or a
// bare Linux desktop shows empty boxes), these do not.
import type { SVGProps } from 'react';

function Icon({ children, ...props }: SVGProps<SVGSVGElement>) {
  return (
    <svg viewBox="0 0 16 16" width="1em" height="1em" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false" className="icon-svg" {...props}>
      {children}
    </svg>
  );
}

export const BellIcon = () => (
  <Icon>
    <path d="M4 11V7a4 4 0 0 1 8 0v4l1 1.5H3L4 11Z" />
    <path d="M6.5 14a1.5 1.5 0 0 0 3 0" />
  </Icon>
);

export const PaperclipIcon = () => (
  <Icon>
    <path d="M10.5 4.5 5.6 9.4a1.4 1.4 0 0 0 2 2l5-5a2.8 2.8 0 0 0-4-4l-5 5a4.2 4.2 0 0 0 6 6l4.4-4.4" />
  </Icon>
);

export const EnvelopeIcon = () => (
  <Icon>
    <rect x="1.5" y="3.5" width="13" height="9" rx="1.5" />
    <path d="m2 4.5 6 4.5 6-4.5" />
  </Icon>
);

export const InboxIcon = ({ read }: { read: boolean }) => (
  <Icon>
    <path d="M1.5 9.5 3.5 3.5h9l2 6v3h-13v-3Z" />
    <path d="M1.5 9.5h4l1 1.5h3l1-1.5h4" />
    {!read && <circle cx="12.5" cy="3.5" r="2" fill="currentColor" stroke="none" />}
  </Icon>
);
