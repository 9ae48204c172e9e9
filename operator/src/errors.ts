/**
 * A mistake the user can fix (bad flag, bad config field, missing file). main() prints its
 * message as one line on stderr and exits 2; never a stack trace.
 */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Node's errno code of a failed fs call, if any. */
export function errnoCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/** Short, human wording for the fs errors a user can cause. */
export function fsProblem(e: unknown): string {
  switch (errnoCode(e)) {
    case "ENOENT": return "no such file";
    case "EACCES": case "EPERM": return "permission denied";
    case "EISDIR": return "is a directory";
    case "ENOTDIR": return "not a directory";
    default: return e instanceof Error ? e.message.split("\n")[0] ?? "unreadable" : "unreadable";
  }
}
