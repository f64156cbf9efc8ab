export async function buildMsi() {
  throw new Error('todo');
}
