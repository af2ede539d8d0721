/**
 * The check behind every bad-input property: the call must throw a RangeError or
 * TypeError whose message names the offending argument.
 */

export function assertRejects(call: () => unknown, argument: string): void {
  let thrown: unknown;
  try {
    call();
  } catch (error) {
    thrown = error;
  }
  if (thrown === undefined) {
    throw new Error(`expected a RangeError or TypeError naming "${argument}", but nothing was thrown`);
  }
  if (!(thrown instanceof RangeError) && !(thrown instanceof TypeError)) {
    throw new Error(`expected a RangeError or TypeError naming "${argument}", received ${String(thrown)}`);
  }
  // The name must stand alone: "q" matches "q[2]" and "q must", not "frequency".
  const escaped = argument.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (!new RegExp(`(^|\\W)${escaped}($|\\W)`).test(thrown.message)) {
    throw new Error(`expected the message to name "${argument}", received "${thrown.message}"`);
  }
}
