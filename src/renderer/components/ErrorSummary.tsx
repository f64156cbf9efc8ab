import { forwardRef } from 'react';

export interface Problem {
  /** The id of the control to go to. */
  target: string;
  text: string;
}

/**
 * The GOV.UK error summary: at the top, says every problem at once, each a link to the
 * control to fix. Links move focus rather than the URL, so the kiosk window never navigates.
 */
export const ErrorSummary = forwardRef<HTMLDivElement, { title: string; problems: Problem[] }>(
  function ErrorSummary({ title, problems }, ref) {
    if (problems.length === 0) return null;
    return (
      <div
        ref={ref}
        className="error-summary"
        tabIndex={-1}
        role="alert"
        data-testid="error-summary"
      >
        <h2 className="error-summary-title">{title}</h2>
        <ul>
          {problems.map((p) => (
            <li key={p.target + p.text}>
              <a
                href={`#${p.target}`}
                onClick={(e) => {
                  e.preventDefault();
                  const el = document.getElementById(p.target);
                  el?.scrollIntoView({ block: 'center' });
                  el?.focus();
                }}
              >
                {p.text}
              </a>
            </li>
          ))}
        </ul>
      </div>
    );
  },
);

/** The message beside a control, read with it (aria-describedby the id). */
export function InlineError({
  id,
  text,
  prefix,
}: {
  id: string;
  text: string | undefined;
  /** "Error:" in the user's language, for screen readers. */
  prefix: string;
}) {
  return text ? (
    <p id={id} className="inline-error">
      <span className="visually-hidden">{prefix} </span>
      {text}
    </p>
  ) : null;
}
