import { useFocusOnShow } from './focus';

/** What an extra display shows while the main one holds the controls. */
export function SecondaryCover({ title, lines }: { title: string; lines: string[] }) {
  const heading = useFocusOnShow<HTMLHeadingElement>();
  return (
    <div className="panel panel-narrow">
      <h1 ref={heading} tabIndex={-1}>
        {title}
      </h1>
      {lines.map((line) => (
        <p key={line} className="lead">
          {line}
        </p>
      ))}
    </div>
  );
}
