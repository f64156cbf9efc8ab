/**
 * The pictures the screens can draw beside a Key Stage 1 promise. The renderer draws each
 * itself (inline SVG), so a policy can name one but never send one.
 */
export const PICTURES = ['me', 'secret', 'kind', 'tell', 'ask', 'care', 'logoff'] as const;
export type PictureName = (typeof PICTURES)[number];
