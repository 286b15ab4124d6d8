import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/** `YYYY-MM/agents/<agent_id>-v<version>.pdf` or `YYYY-MM/teams/<team_id>-v<version>.pdf`, relative to REPORTS_DIR. */
export function reportPath(period: string, subjectType: 'agent' | 'team', subjectId: string, version: number): string {
  // ids come from the CRM: keep them readable but never let one escape its folder
  const safe = subjectId.replace(/[^\w.-]/g, '_').replace(/^\.+/, '_');
  return path.posix.join(period, subjectType === 'agent' ? 'agents' : 'teams', `${safe}-v${version}.pdf`);
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The PDF archive on disk under REPORTS_DIR (git-ignored). Files are written atomically. */
@Injectable()
export class ReportStorage {
  readonly root: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.root = path.resolve(config.reportsDir);
  }

  absolute(relative: string): string {
    const abs = path.resolve(this.root, relative);
    if (!abs.startsWith(this.root + path.sep)) throw new Error(`report path ${relative} escapes ${this.root}`);
    return abs;
  }

  /** Writes to a temporary file and renames it, so a reader never sees half a PDF. */
  async write(relative: string, bytes: Buffer): Promise<void> {
    const abs = this.absolute(relative);
    await mkdir(path.dirname(abs), { recursive: true });
    const tmp = `${abs}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, abs);
  }

  read(relative: string): Promise<Buffer> {
    return readFile(this.absolute(relative));
  }
}
