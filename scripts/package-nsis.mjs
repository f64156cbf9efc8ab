export async function buildNsis() {
  throw new Error('todo');
}
