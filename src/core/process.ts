/** Processes of this machine. @module */

/**
 * True when a process with this id exists on this machine (one of another user counts: signalling it is refused,
 * not impossible).
 * @example
 * processAlive(process.pid); // true
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
