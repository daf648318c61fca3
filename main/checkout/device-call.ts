/** A peripheral call that must not undo what was committed: its failure is reported, never thrown. Ten seconds at most. */
export async function attempt(run: () => Promise<unknown>): Promise<{ sent: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      run(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('the device did not answer within 10 s')), 10_000);
        timer.unref();
      }),
    ]);
    return { sent: true };
  } catch (error) {
    return { sent: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
