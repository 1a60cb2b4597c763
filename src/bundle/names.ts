/**
 * Names inside a bundle: one top folder, then `/`-separated parts of letters, digits, dot,
 * dash and underscore, none of them `.` or `..`. Unpacking such a name cannot climb out of
 * the folder it is unpacked in, whatever tar does with it.
 */
const PART = /^[A-Za-z0-9._-]{1,128}$/;

export function isSafePart(part: string): boolean {
  return PART.test(part) && part !== '.' && part !== '..';
}

export function isSafeRelativeName(name: string): boolean {
  if (name.length > 400) return false;
  const parts = name.split('/');
  return parts.every(isSafePart);
}
