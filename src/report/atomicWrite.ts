/**
 * Writes files so that a reader never sees a half-written one: the content goes to a
 * temporary name in the same folder, then a rename replaces the target in one step.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

function temporaryPath(target: string): string {
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  return path.join(path.dirname(target), `.${path.basename(target)}.${suffix}`);
}

async function replaceWith(target: string, write: (temporary: string) => Promise<void>): Promise<void> {
  const temporary = temporaryPath(target);
  try {
    await write(temporary);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

export async function writeFileAtomic(target: string, content: string | Uint8Array): Promise<void> {
  await replaceWith(target, (temporary) => writeFile(temporary, content));
}

export async function copyFileAtomic(source: string, target: string): Promise<void> {
  await replaceWith(target, (temporary) => copyFile(source, temporary));
}
