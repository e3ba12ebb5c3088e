import { join } from 'node:path';
import { loadConfig } from '../config/config.js';
import { FsBlobStore } from '../drivers/blob/fs.js';
import { S3BlobStore } from '../drivers/blob/s3.js';
import { formats } from '../formats/registry.js';
import { migrateInstall } from '../migrate/migrate-install.js';
import { formatBytes, ProgressLine } from './progress-line.js';

/**
 * `kura migrate`: copies the install in `--data` (its SQLite file and DATA/blobs; the
 * environment's KURA_DATABASE_URL and KURA_BLOB_DRIVER, meant for the new nodes, are ignored
 * for the source) into `--to-database` and/or the bucket KURA_S3_* names. Exit code 1 when
 * something could not be copied or the copy does not match.
 */
export async function migrateCommand(flags: Record<string, unknown>): Promise<number> {
  const strings = flags as Record<string, string | undefined>;
  const toDatabase = strings['to-database'] ?? null;
  const toBlob = strings['to-blob'] ?? null;
  if (!toDatabase && !toBlob) throw new Error('name where the install moves: --to-database postgres://… and/or --to-blob s3');
  if (toDatabase && !/^postgres(ql)?:\/\//.test(toDatabase)) throw new Error('--to-database takes a PostgreSQL URL (postgres://user:password@host:5432/db)');
  if (toBlob && toBlob !== 's3') throw new Error(`--to-blob takes s3 (the bucket named by KURA_S3_*), not "${toBlob}"`);
  const source = loadConfig({ ...strings, 'database-url': '', 'blob-driver': 'fs' });
  if (source.databaseFile === ':memory:') throw new Error('an in-memory database cannot be migrated');
  const targetBlobs = toBlob ? new S3BlobStore(loadConfig({ ...strings, 'blob-driver': 's3' }).s3!, { redirect: false }) : null;
  const blobLine = new ProgressLine(process.stderr, 'blobs');
  const rowLine = new ProgressLine(process.stderr, 'rows ');
  const report = await migrateInstall({
    sourceDatabaseFile: source.databaseFile,
    sourceBlobs: await new FsBlobStore(join(source.dataDir, 'blobs')).init(),
    targetDatabaseUrl: toDatabase,
    targetBlobs,
    migrations: formats.map((f) => ({ formatId: f.id, migrations: f.migrations ?? {} })),
  }, {
    blobs: (bytes, totalBytes, count, total) => blobLine.update(bytes, totalBytes, `${formatBytes(bytes)} / ${formatBytes(totalBytes)}, ${count}/${total} blobs`),
    rows: (done, total, table) => rowLine.update(done, total, `${done}/${total} rows (${table})`),
  });
  blobLine.finish();
  rowLine.finish();
  const problems: string[] = [];
  if (report.blobs) {
    const { copied, copiedBytes, present, failures } = report.blobs;
    process.stdout.write(`blobs: copied ${copied} (${formatBytes(copiedBytes)}), ${present} already in the bucket, ${failures.length} failed\n`);
    problems.push(...failures);
  }
  if (report.database) {
    process.stdout.write(`database: copied ${report.database.rows} rows of ${report.database.tables} tables\n`);
    problems.push(...report.database.mismatches);
  }
  for (const problem of problems) process.stderr.write(`kura: ${problem}\n`);
  if (problems.length > 0) {
    process.stderr.write('kura: the copy is incomplete; fix the above and run kura migrate again (it resumes)\n');
    return 1;
  }
  if (report.blobs) process.stdout.write('verified: each copied blob hashed to its digest, each one already there has its size\n');
  if (report.database) process.stdout.write('verified: each table has as many rows as in the source\n');
  return 0;
}
