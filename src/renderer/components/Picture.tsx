/**
 * The pictures beside the youngest pupils' promises, drawn here so a policy can only name
 * one. Each is decoration: the promise's words say everything, so they are hidden from
 * screen readers. Thick shapes and strong colours, readable on a projector at the back.
 */
import type { PictureName } from '../../shared/pictures';

const INK = '#1b2128';

const drawings: Record<PictureName, React.ReactElement> = {
  // Only me: one person.
  me: (
    <>
      <circle cx="32" cy="20" r="11" fill="#f2b98a" stroke={INK} strokeWidth="3" />
      <path d="M12 58c0-12 9-21 20-21s20 9 20 21z" fill="#0b5cad" stroke={INK} strokeWidth="3" />
    </>
  ),
  // A secret: a padlock.
  secret: (
    <>
      <path d="M20 28v-7a12 12 0 0 1 24 0v7" fill="none" stroke={INK} strokeWidth="5" />
      <rect
        x="13"
        y="28"
        width="38"
        height="28"
        rx="5"
        fill="#e8a317"
        stroke={INK}
        strokeWidth="3"
      />
      <circle cx="32" cy="40" r="4" fill={INK} />
      <rect x="30" y="41" width="4" height="9" fill={INK} />
    </>
  ),
  // Be kind: a heart.
  kind: (
    <path
      d="M32 56S8 41 8 24a12 12 0 0 1 24-3 12 12 0 0 1 24 3c0 17-24 32-24 32z"
      fill="#d4351c"
      stroke={INK}
      strokeWidth="3"
    />
  ),
  // Tell a teacher: a speech bubble.
  tell: (
    <>
      <path
        d="M8 12h48v30H28l-12 12v-12H8z"
        fill="#ffffff"
        stroke={INK}
        strokeWidth="3"
        strokeLinejoin="round"
      />
      <rect x="29" y="17" width="6" height="13" rx="2" fill="#d4351c" />
      <circle cx="32" cy="36" r="3.5" fill="#d4351c" />
    </>
  ),
  // Ask first: a question mark.
  ask: (
    <>
      <circle cx="32" cy="32" r="25" fill="#2e6b4f" stroke={INK} strokeWidth="3" />
      <path
        d="M24 25a8 8 0 1 1 12 7c-3 2-4 3-4 7"
        fill="none"
        stroke="#ffffff"
        strokeWidth="5"
        strokeLinecap="round"
      />
      <circle cx="32" cy="47" r="3.5" fill="#ffffff" />
    </>
  ),
  // Take care of the computer: a screen with a smile.
  care: (
    <>
      <rect
        x="8"
        y="10"
        width="48"
        height="34"
        rx="4"
        fill="#cfe3f6"
        stroke={INK}
        strokeWidth="3"
      />
      <path d="M24 50h16l3 6H21z" fill="#8a96a3" stroke={INK} strokeWidth="3" />
      <path d="M22 27a10 10 0 0 0 20 0" fill="none" stroke={INK} strokeWidth="3" />
      <circle cx="25" cy="21" r="2.5" fill={INK} />
      <circle cx="39" cy="21" r="2.5" fill={INK} />
    </>
  ),
  // Log off: a door with an arrow out of it.
  logoff: (
    <>
      <rect
        x="10"
        y="8"
        width="28"
        height="48"
        rx="2"
        fill="#8a5a00"
        stroke={INK}
        strokeWidth="3"
      />
      <circle cx="32" cy="33" r="2.5" fill="#ffdd00" />
      <path
        d="M40 32h16m-7-7 7 7-7 7"
        fill="none"
        stroke={INK}
        strokeWidth="4"
        strokeLinecap="round"
      />
    </>
  ),
};

/** A star for a name this version cannot draw (a newer policy): never a blank. */
const fallback = (
  <path
    d="M32 6l7.6 16.4L58 24.6 44.6 37l3.4 18L32 46.3 16 55l3.4-18L6 24.6l18.4-2.2z"
    fill="#ffdd00"
    stroke={INK}
    strokeWidth="3"
  />
);

export function Picture({ name }: { name: string }) {
  return (
    <svg
      className="picture"
      viewBox="0 0 64 64"
      width="64"
      height="64"
      aria-hidden="true"
      focusable="false"
      data-picture={name}
    >
      {(drawings as Record<string, React.ReactElement | undefined>)[name] ?? fallback}
    </svg>
  );
}
