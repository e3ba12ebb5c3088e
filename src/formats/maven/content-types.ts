const byExtension: Record<string, string> = {
  jar: 'application/java-archive',
  war: 'application/java-archive',
  ear: 'application/java-archive',
  aar: 'application/zip',
  zip: 'application/zip',
  pom: 'application/xml',
  xml: 'application/xml',
  module: 'application/json',
  json: 'application/json',
  asc: 'application/pgp-signature',
};

/** The content type a repository file is served with, by its last extension. */
export function contentTypeFor(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return (dot === -1 ? undefined : byExtension[fileName.slice(dot + 1).toLowerCase()]) ?? 'application/octet-stream';
}
