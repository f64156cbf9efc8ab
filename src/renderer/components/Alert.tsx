/** An error the user must notice: announced at once by screen readers. */
export function Alert({ id, text }: { id?: string; text: string | undefined }) {
  return (
    <div id={id} role="alert" className={text ? 'alert' : 'alert alert-empty'}>
      {text}
    </div>
  );
}
