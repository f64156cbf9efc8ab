import Markdown, { type Components } from 'react-markdown';

/**
 * IT's Markdown (agreements, notices, what changed). Raw HTML is dropped, links cannot
 * navigate the kiosk window, images (which could be remote) are replaced by their
 * description, and headings start below the screen's own title.
 */
const components: Components = {
  a: ({ children }) => <span className="link-text">{children}</span>,
  img: ({ alt }) => (alt ? <span>{alt}</span> : null),
  h1: ({ children }) => <h2>{children}</h2>,
  h2: ({ children }) => <h3>{children}</h3>,
  h3: ({ children }) => <h4>{children}</h4>,
  h4: ({ children }) => <h5>{children}</h5>,
};

export function PolicyMarkdown({ text }: { text: string }) {
  return (
    <Markdown skipHtml components={components}>
      {text}
    </Markdown>
  );
}
